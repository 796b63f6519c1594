/**
 * The Envoy configuration the simulator reads: every resource decoded from its wire bytes, so the
 * simulator sees exactly what an Envoy proxy would receive (fields protobufjs dropped are gone).
 */
import { decodeMessage, encodeResource } from "../../../src/xds/encode";
import { TypeUrl, type EnvoyMessage, type Snapshot } from "../../../src/xds/types";
import { type Msg, str } from "./msg";

export interface XdsConfig {
  listeners: ReadonlyMap<string, Msg>;
  routes: ReadonlyMap<string, Msg>;
  clusters: ReadonlyMap<string, Msg>;
  endpoints: ReadonlyMap<string, Msg>;
  secrets: ReadonlyMap<string, Msg>;
}

const KINDS = [
  ["listeners", TypeUrl.Listener],
  ["routes", TypeUrl.Route],
  ["clusters", TypeUrl.Cluster],
  ["endpoints", TypeUrl.Endpoint],
  ["secrets", TypeUrl.Secret],
] as const;

/** Decodes every resource of a snapshot from its bytes. */
export function configFromSnapshot(snapshot: Snapshot): XdsConfig {
  const out: Record<string, Map<string, Msg>> = {};
  for (const [key, typeUrl] of KINDS) {
    const table = new Map<string, Msg>();
    for (const [name, resource] of snapshot.resources.get(typeUrl) ?? new Map()) {
      table.set(name, decodeMessage(typeUrl, resource.bytes) as Msg);
    }
    out[key] = table;
  }
  return out as unknown as XdsConfig;
}

export interface HandWritten {
  listeners?: EnvoyMessage[];
  routes?: EnvoyMessage[];
  clusters?: EnvoyMessage[];
  endpoints?: EnvoyMessage[];
  secrets?: EnvoyMessage[];
}

/**
 * Builds a configuration from hand-written messages: each is checked strictly against the Envoy
 * protos, encoded and decoded again, exactly like a rendered snapshot.
 */
export function configFromMessages(parts: HandWritten): XdsConfig {
  const out: Record<string, Map<string, Msg>> = {};
  for (const [key, typeUrl] of KINDS) {
    const table = new Map<string, Msg>();
    for (const message of parts[key] ?? []) {
      const encoded = encodeResource(typeUrl, message);
      table.set(encoded.name, decodeMessage(typeUrl, encoded.bytes) as Msg);
    }
    out[key] = table;
  }
  return out as unknown as XdsConfig;
}

/** The route configuration of a name, or undefined. */
export function routeConfig(config: XdsConfig, name: string): Msg | undefined {
  return config.routes.get(name);
}

/** The ClusterLoadAssignment Envoy uses for an EDS cluster. */
export function edsAssignment(config: XdsConfig, cluster: Msg): Msg | undefined {
  const eds = cluster.edsClusterConfig as Msg | undefined;
  const serviceName = str(eds?.serviceName) || str(cluster.name) || "";
  return config.endpoints.get(serviceName);
}
