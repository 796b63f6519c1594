/**
 * The Envoy configuration the simulator reads: every resource decoded from its wire bytes, so the
 * simulator sees exactly what an Envoy proxy would receive (fields protobufjs dropped are gone).
 */
import { decodeMessage, encodeResource } from "../../../src/xds/encode";
import { TypeUrl, type EncodedResource, type EnvoyMessage, type Snapshot } from "../../../src/xds/types";
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

/** A configuration of every kind, each resource decoded from bytes as Envoy receives them. */
function decodedConfig(encoded: (key: (typeof KINDS)[number][0], typeUrl: TypeUrl) => Iterable<EncodedResource>): XdsConfig {
  const out: Record<string, Map<string, Msg>> = {};
  for (const [key, typeUrl] of KINDS) {
    out[key] = new Map([...encoded(key, typeUrl)].map(r => [r.name, decodeMessage(typeUrl, r.bytes) as Msg]));
  }
  return out as unknown as XdsConfig;
}

/** Decodes every resource of a snapshot from its bytes. */
export function configFromSnapshot(snapshot: Snapshot): XdsConfig {
  return decodedConfig((_key, typeUrl) => snapshot.resources.get(typeUrl)?.values() ?? []);
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
  return decodedConfig((key, typeUrl) => (parts[key] ?? []).map(message => encodeResource(typeUrl, message)));
}

/** The ClusterLoadAssignment Envoy uses for an EDS cluster. */
export function edsAssignment(config: XdsConfig, cluster: Msg): Msg | undefined {
  const eds = cluster.edsClusterConfig as Msg | undefined;
  const serviceName = str(eds?.serviceName) || str(cluster.name) || "";
  return config.endpoints.get(serviceName);
}
