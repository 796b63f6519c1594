/**
 * Config dumps in the shape of Envoy's admin /config_dump (envoy.admin.v3.*ConfigDump), as
 * proto3 JSON: lowerCamelCase names, `@type` on every Any, durations as "1.5s", wrappers as
 * bare values, 64-bit integers as strings, enums by name, unset fields omitted.
 * What is dumped is decoded from the encoded bytes, so the dump shows exactly what a proxy
 * receives. `versionInfo` is the resource version (content hash); `lastUpdated` is omitted (no
 * clock: the same input always dumps the same bytes). Private keys are redacted as Envoy's
 * admin does ("[redacted]").
 */
import * as protobuf from "protobufjs";
import { decodeMessage, messageType } from "./encode";
import { type EncodedResource, type Snapshot, TypeUrl, messageName } from "./types";

export type DumpType = "listener" | "route" | "cluster" | "endpoint" | "secret";
export const DUMP_TYPES: readonly DumpType[] = ["listener", "route", "cluster", "endpoint", "secret"];

const ADMIN = "type.googleapis.com/envoy.admin.v3.";
export const REDACTED = "[redacted]";

type Json = Record<string, unknown>;

/** The dumps of one snapshot: `{ configs: [...] }` for all types, one dump for a single type. */
export function configDump(snapshot: Snapshot, type: DumpType | "all" = "all"): Json {
  if (type !== "all") return dumpOf(snapshot, type);
  return { configs: DUMP_TYPES.map(t => dumpOf(snapshot, t)) };
}

function resourcesOf(snapshot: Snapshot, typeUrl: TypeUrl): EncodedResource[] {
  const map = snapshot.resources.get(typeUrl);
  if (!map) return [];
  return [...map.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function dumpOf(snapshot: Snapshot, type: DumpType): Json {
  switch (type) {
    case "listener":
      return {
        "@type": `${ADMIN}ListenersConfigDump`,
        versionInfo: snapshot.version,
        dynamicListeners: resourcesOf(snapshot, TypeUrl.Listener).map(r => ({
          name: r.name,
          activeState: { versionInfo: r.version, listener: resourceJson(r) },
        })),
      };
    case "route":
      return {
        "@type": `${ADMIN}RoutesConfigDump`,
        dynamicRouteConfigs: resourcesOf(snapshot, TypeUrl.Route).map(r => ({ versionInfo: r.version, routeConfig: resourceJson(r) })),
      };
    case "cluster":
      return {
        "@type": `${ADMIN}ClustersConfigDump`,
        versionInfo: snapshot.version,
        dynamicActiveClusters: resourcesOf(snapshot, TypeUrl.Cluster).map(r => ({ versionInfo: r.version, cluster: resourceJson(r) })),
      };
    case "endpoint":
      return {
        "@type": `${ADMIN}EndpointsConfigDump`,
        dynamicEndpointConfigs: resourcesOf(snapshot, TypeUrl.Endpoint).map(r => ({ versionInfo: r.version, endpointConfig: resourceJson(r) })),
      };
    default:
      return {
        "@type": `${ADMIN}SecretsConfigDump`,
        dynamicActiveSecrets: resourcesOf(snapshot, TypeUrl.Secret).map(r => ({
          name: r.name,
          versionInfo: r.version,
          secret: redactSecret(resourceJson(r)),
        })),
      };
  }
}

/** One resource as proto3 JSON with its `@type`, decoded from its bytes. */
export function resourceJson(resource: EncodedResource): Json {
  const name = messageName(resource.typeUrl);
  const decoded = decodeMessage(resource.typeUrl, resource.bytes);
  return { "@type": resource.typeUrl, ...(toProto3Json(messageType(name), decoded) as Json) };
}

function redactSecret(secret: Json): Json {
  const tls = secret.tlsCertificate as Json | undefined;
  if (!tls || tls.privateKey === undefined) return secret;
  return { ...secret, tlsCertificate: { ...tls, privateKey: { inlineString: REDACTED } } };
}

const WRAPPERS = new Set([
  "google.protobuf.BoolValue",
  "google.protobuf.StringValue",
  "google.protobuf.BytesValue",
  "google.protobuf.Int32Value",
  "google.protobuf.UInt32Value",
  "google.protobuf.Int64Value",
  "google.protobuf.UInt64Value",
  "google.protobuf.FloatValue",
  "google.protobuf.DoubleValue",
]);
const LONG_TYPES = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

/** Converts protobufjs toObject output (json mode) of `type` into canonical proto3 JSON. */
export function toProto3Json(type: protobuf.Type, value: unknown): unknown {
  const name = type.fullName.slice(1);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Json;
  if (name === "google.protobuf.Duration") return durationJson(obj);
  if (WRAPPERS.has(name)) {
    const v = obj.value ?? defaultOf(type.fields.value);
    return LONG_TYPES.has(type.fields.value.type) ? String(v) : v;
  }
  if (name === "google.protobuf.Any") {
    const url = obj["@type"];
    if (typeof url !== "string") return obj;
    const inner = messageType(url.slice(url.lastIndexOf("/") + 1));
    const rest = { ...obj };
    delete rest["@type"];
    return { "@type": url, ...(toProto3Json(inner, rest) as Json) };
  }
  if (name === "google.protobuf.Struct" || name === "google.protobuf.Value" || name === "google.protobuf.ListValue") return obj;
  const out: Json = {};
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    if (v === undefined || v === null) continue;
    out[field.name] = fieldJson(field, v);
  }
  return out;
}

function fieldJson(field: protobuf.Field, value: unknown): unknown {
  if (!field.resolvedType) field.resolve();
  const one = (v: unknown) => scalarOrMessage(field, v);
  if (field.map) return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, one(v)]));
  if (field.repeated && Array.isArray(value)) return value.map(one);
  return one(value);
}

function scalarOrMessage(field: protobuf.Field, value: unknown): unknown {
  if (field.resolvedType instanceof protobuf.Type) return toProto3Json(field.resolvedType, value);
  if (LONG_TYPES.has(field.type) && (typeof value === "number" || typeof value === "string")) return String(value);
  return value;
}

function defaultOf(field: protobuf.Field): unknown {
  if (field.type === "bool") return false;
  if (field.type === "string" || field.type === "bytes") return "";
  return 0;
}

/** proto3 JSON for google.protobuf.Duration: seconds with 0, 3, 6 or 9 fractional digits, then "s". */
export function durationJson(d: Json): string {
  const seconds = Number(d.seconds ?? 0);
  const nanos = Number(d.nanos ?? 0);
  if (nanos === 0) return `${seconds}s`;
  const sign = seconds < 0 || nanos < 0 ? "-" : "";
  let frac = String(Math.abs(nanos)).padStart(9, "0");
  frac = frac.endsWith("000000") ? frac.slice(0, 3) : frac.endsWith("000") ? frac.slice(0, 6) : frac;
  return `${sign}${Math.abs(seconds)}.${frac}s`;
}
