/**
 * The gRPC definition of envoy.service.discovery.v3.AggregatedDiscoveryService, built from the
 * bundled proto descriptor (no .proto file is read at run time). Requests are decoded with
 * protobufjs; responses the servers send are already wire bytes (see wire.ts) and pass through,
 * while plain objects (used by test clients) are encoded with the same types.
 */
import type * as grpc from "@grpc/grpc-js";
import type * as protobuf from "protobufjs";
import { envoyRoot } from "../encode";

export const ADS_SERVICE = "envoy.service.discovery.v3.AggregatedDiscoveryService";
export const SOTW_METHOD = "StreamAggregatedResources";
export const DELTA_METHOD = "DeltaAggregatedResources";

/** A decoded google.rpc.Status. */
export interface RpcStatus {
  code?: number;
  message?: string;
}

export interface NodeMessage {
  id?: string;
  cluster?: string;
  userAgentName?: string;
  userAgentVersion?: string;
}

/** A decoded DiscoveryRequest (protobufjs message; unset strings are ""). */
export interface DiscoveryRequest {
  versionInfo: string;
  node?: NodeMessage | null;
  resourceNames: string[];
  typeUrl: string;
  responseNonce: string;
  errorDetail?: RpcStatus | null;
}

/** A decoded DeltaDiscoveryRequest. */
export interface DeltaDiscoveryRequest {
  node?: NodeMessage | null;
  typeUrl: string;
  resourceNamesSubscribe: string[];
  resourceNamesUnsubscribe: string[];
  initialResourceVersions: Record<string, string>;
  responseNonce: string;
  errorDetail?: RpcStatus | null;
}

function serializer(type: protobuf.Type): (value: unknown) => Buffer {
  return value => {
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return Buffer.from(type.encode(type.fromObject(value as Record<string, unknown>)).finish());
  };
}

/** Requests at least this large are looked up among recent identical requests before decoding. */
const SHARE_MIN_BYTES = 1024;
const RECENT_REQUESTS = 8;

/**
 * Decodes requests; a large request byte-identical to a recent one (every Envoy of a Gateway
 * subscribes to the same thousands of endpoint sets) yields the same decoded, frozen object, so
 * its names are decoded once and are the same strings for every stream.
 */
function deserializer(type: protobuf.Type): (bytes: Buffer) => unknown {
  const recent: Array<{ bytes: Buffer; value: unknown }> = [];
  return bytes => {
    if (bytes.length < SHARE_MIN_BYTES) return type.decode(bytes);
    const i = recent.findIndex(r => r.bytes.length === bytes.length && r.bytes.equals(bytes));
    const hit = i >= 0 ? recent.splice(i, 1)[0] : { bytes: Buffer.from(bytes), value: frozen(type.decode(bytes)) };
    recent.unshift(hit);
    if (recent.length > RECENT_REQUESTS) recent.pop();
    return hit.value;
  };
}

/** Freezes a decoded request and its lists and maps (it may be shared by streams). */
function frozen(message: protobuf.Message): protobuf.Message {
  for (const value of Object.values(message)) if (value !== null && typeof value === "object") Object.freeze(value);
  return Object.freeze(message);
}

let definition: grpc.ServiceDefinition | undefined;

/** The service definition for grpc-js `Server.addService` and `makeGenericClientConstructor`. */
export function adsServiceDefinition(): grpc.ServiceDefinition {
  if (definition) return definition;
  const service = envoyRoot().lookupService(ADS_SERVICE);
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const method of Object.values(service.methods)) {
    method.resolve();
    const req = method.resolvedRequestType as protobuf.Type;
    const res = method.resolvedResponseType as protobuf.Type;
    out[method.name] = {
      path: `/${ADS_SERVICE}/${method.name}`,
      requestStream: !!method.requestStream,
      responseStream: !!method.responseStream,
      requestSerialize: serializer(req),
      requestDeserialize: deserializer(req),
      responseSerialize: serializer(res),
      responseDeserialize: deserializer(res),
      originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
    };
  }
  definition = out as grpc.ServiceDefinition;
  return definition;
}
