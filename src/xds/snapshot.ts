/**
 * Snapshots: the rendered resources of one Gateway, encoded strictly with the Envoy protos,
 * versioned by content and checked for consistency before anything is served:
 * - every EDS cluster has a ClusterLoadAssignment of its service name;
 * - every route configuration a listener names over RDS exists;
 * - every SDS secret a listener or cluster names exists.
 * A violation throws a SnapshotError naming the resource; the caller reports it on the Gateway.
 *
 * Versions: each resource's version is the hash of its bytes; the snapshot version hashes every
 * (type, name, version), so identical content always has the same version.
 */
import { createHash } from "node:crypto";
import { encodeResource } from "./encode";
import { type EncodedResource, type EnvoyMessage, type GatewayResources, type Snapshot, TypeUrl } from "./types";

export class SnapshotError extends Error {
  constructor(
    /** `<type> <name>` of the offending resource. */
    readonly resource: string,
    message: string,
  ) {
    super(`${resource}: ${message}`);
    this.name = "SnapshotError";
  }
}

/** Encodes one resource, or returns a reusable earlier encoding of the same message. */
export type Encoder = (typeUrl: TypeUrl, message: EnvoyMessage) => EncodedResource;

const TYPES: ReadonlyArray<[TypeUrl, keyof Omit<GatewayResources, "gateway">]> = [
  [TypeUrl.Cluster, "clusters"],
  [TypeUrl.Endpoint, "endpoints"],
  [TypeUrl.Listener, "listeners"],
  [TypeUrl.Route, "routes"],
  [TypeUrl.Secret, "secrets"],
];

/** An earlier snapshot of the same Gateway and the resources it was built from. */
export interface PreviousSnapshot {
  resources: GatewayResources;
  snapshot: Snapshot;
}

/**
 * Encodes and checks a Gateway's resources. With `previous`, a resource list that is the very
 * array the previous snapshot was built from is taken over with its encodings.
 */
export function buildSnapshot(resources: GatewayResources, encode: Encoder = encodeResource, previous?: PreviousSnapshot): Snapshot {
  const byType = new Map<TypeUrl, ReadonlyMap<string, EncodedResource>>();
  for (const [typeUrl, field] of TYPES) {
    const before = previous?.snapshot.resources.get(typeUrl);
    const same = before !== undefined && previous!.resources[field] === resources[field];
    byType.set(typeUrl, same ? before : encodeAll(typeUrl, resources[field], encode, before));
  }
  checkConsistency(byType);
  return { gateway: resources.gateway, version: snapshotVersion(byType), resources: byType };
}

/** Encodes a list (taking over `before`'s encoding of any message it holds under the same name). */
function encodeAll(typeUrl: TypeUrl, messages: readonly EnvoyMessage[], encode: Encoder, before?: ReadonlyMap<string, EncodedResource>): Map<string, EncodedResource> {
  const map = new Map<string, EncodedResource>();
  for (const message of messages) {
    let encoded = before?.get(nameOf(message));
    if (encoded?.message !== message) {
      try {
        encoded = encode(typeUrl, message);
      } catch (err) {
        throw new SnapshotError(`${shortType(typeUrl)} ${nameOf(message)}`, err instanceof Error ? err.message : String(err));
      }
    }
    if (map.has(encoded.name)) throw new SnapshotError(`${shortType(typeUrl)} ${encoded.name}`, "defined twice");
    map.set(encoded.name, encoded);
  }
  return map;
}

/** What a resource map adds to a snapshot version, all lines joined (kept with the map, which never changes). */
const linesOf = new WeakMap<ReadonlyMap<string, EncodedResource>, string>();

function versionLines(typeUrl: TypeUrl, map: ReadonlyMap<string, EncodedResource>): string {
  let lines = linesOf.get(map);
  if (lines === undefined) {
    const names = [...map.keys()];
    if (!isSorted(names)) names.sort();
    lines = names.map(name => `${typeUrl}\u0000${name}\u0000${map.get(name)!.version}\n`).join("");
    linesOf.set(map, lines);
  }
  return lines;
}

function isSorted(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (names[i - 1] > names[i]) return false;
  return true;
}

/** The hash of every resource's type, name and version, in a fixed order. */
export function snapshotVersion(resources: ReadonlyMap<TypeUrl, ReadonlyMap<string, EncodedResource>>): string {
  const hash = createHash("sha256");
  for (const [typeUrl] of TYPES) {
    const map = resources.get(typeUrl);
    if (map) hash.update(versionLines(typeUrl, map));
  }
  return hash.digest("hex").slice(0, 16);
}

function shortType(typeUrl: TypeUrl): string {
  return typeUrl.slice(typeUrl.lastIndexOf(".") + 1);
}

function nameOf(message: EnvoyMessage): string {
  const name = message.name ?? message.clusterName;
  return typeof name === "string" && name !== "" ? name : "(unnamed)";
}

type Resources = ReadonlyMap<TypeUrl, ReadonlyMap<string, EncodedResource>>;

/** Throws a SnapshotError for the first resource that names one the snapshot lacks. */
export function checkConsistency(resources: Resources): void {
  const has = (t: TypeUrl, name: string) => resources.get(t)?.has(name) ?? false;
  for (const cluster of resources.get(TypeUrl.Cluster)?.values() ?? []) {
    const m = cluster.message;
    if (m.type === "EDS") {
      const service = (obj(m.edsClusterConfig).serviceName as string | undefined) || cluster.name;
      if (!has(TypeUrl.Endpoint, service)) throw new SnapshotError(`Cluster ${cluster.name}`, `EDS cluster without a ClusterLoadAssignment named ${service}`);
    }
    for (const secret of secretRefs(obj(m.transportSocket).typedConfig)) {
      if (!has(TypeUrl.Secret, secret)) throw new SnapshotError(`Cluster ${cluster.name}`, `references secret ${secret}, which is not in the snapshot`);
    }
  }
  for (const listener of resources.get(TypeUrl.Listener)?.values() ?? []) {
    for (const chain of list(listener.message.filterChains)) {
      for (const filter of list(chain.filters)) {
        const rds = obj(obj(filter.typedConfig).rds);
        const name = rds.routeConfigName;
        if (typeof name === "string" && !has(TypeUrl.Route, name)) {
          throw new SnapshotError(`Listener ${listener.name}`, `names route configuration ${name} over RDS, which is not in the snapshot`);
        }
      }
      for (const secret of secretRefs(obj(chain.transportSocket).typedConfig)) {
        if (!has(TypeUrl.Secret, secret)) throw new SnapshotError(`Listener ${listener.name}`, `references secret ${secret}, which is not in the snapshot`);
      }
    }
  }
}

/** SDS secret names in a TLS context (certificates and validation contexts). */
function secretRefs(tlsContext: unknown): string[] {
  const common = obj(obj(tlsContext).commonTlsContext);
  const names = list(common.tlsCertificateSdsSecretConfigs).map(s => s.name);
  names.push(obj(common.validationContextSdsSecretConfig).name);
  names.push(obj(obj(common.combinedValidationContext).validationContextSdsSecretConfig).name);
  return names.filter((n): n is string => typeof n === "string");
}

function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.map(obj) : [];
}
