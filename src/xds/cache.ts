/**
 * The snapshot cache: the latest Snapshot per Gateway, and who wants to hear about changes. It
 * knows nothing of gRPC; the ADS servers watch it, the rebuild loop (or `peg serve`) sets it.
 *
 * Node rule (which Gateway a proxy serves):
 *   1. `node.cluster` when it has the form `namespace/name`;
 *   2. otherwise the first two `/`-separated segments of `node.id` when it has the form
 *      `namespace/name` or `namespace/name/<anything>` (e.g. `default/eg/envoy-7d9c`);
 *   3. otherwise the node names no Gateway: it is logged once and gets nothing.
 * A node that names a Gateway without a snapshot (yet) also gets nothing and one log line; it is
 * served as soon as a snapshot for that Gateway is set. When the server requires client
 * certificates, the certificate names the Gateway and the node may only agree (server/identity.ts).
 *
 * Consistency: a snapshot whose Clusters name an EDS resource it does not carry, or whose
 * Listeners name a RouteConfiguration or Secret it does not carry, would leave a proxy warming
 * forever. `set` refuses it (the previous snapshot stays) and reports the problems.
 */
import { type EncodedResource, type EnvoyMessage, type Snapshot, TypeUrl } from "./types";

export interface NodeIdentity {
  id?: string;
  cluster?: string;
}

const GATEWAY_KEY = /^[^/\s]+\/[^/\s]+$/;

/** The Gateway key (`namespace/name`) a node serves, by the node rule above; undefined if none. */
export function gatewayKeyOfNode(node: NodeIdentity | null | undefined): string | undefined {
  if (!node) return undefined;
  const cluster = typeof node.cluster === "string" ? node.cluster.trim() : "";
  if (GATEWAY_KEY.test(cluster)) return cluster;
  const id = typeof node.id === "string" ? node.id.trim() : "";
  const parts = id.split("/");
  if (parts.length >= 2 && parts[0] && parts[1] && GATEWAY_KEY.test(`${parts[0]}/${parts[1]}`)) return `${parts[0]}/${parts[1]}`;
  return undefined;
}

/** Called with the new snapshot, or undefined when the Gateway's snapshot was deleted. */
export type SnapshotListener = (snapshot: Snapshot | undefined) => void;

export interface SetResult {
  /** The snapshot is now the current one for its Gateway (false: same version, or refused). */
  changed: boolean;
  /** Consistency problems; non-empty means the snapshot was refused. */
  problems: string[];
}

export interface GatewayCacheStats {
  gateway: string;
  version: string;
  /** Resources per type URL. */
  resources: Record<string, number>;
  /** When the current snapshot was set (ms since the epoch, from the injected clock). */
  setAt: number;
  watchers: number;
}

export interface CacheStats {
  gateways: GatewayCacheStats[];
  sets: number;
  unchangedSets: number;
  refusedSets: number;
  deletes: number;
  notifications: number;
}

export interface CacheOptions {
  now?: () => number;
  log?: (line: string) => void;
}

interface Entry {
  snapshot: Snapshot;
  setAt: number;
}

export class SnapshotCache {
  private readonly entries = new Map<string, Entry>();
  private readonly watchers = new Map<string, Set<SnapshotListener>>();
  private readonly counters = { sets: 0, unchangedSets: 0, refusedSets: 0, deletes: 0, notifications: 0 };
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(options: CacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
  }

  /** Makes `snapshot` the current one for its Gateway and notifies watchers if its version changed. */
  set(snapshot: Snapshot): SetResult {
    const problems = snapshotProblems(snapshot);
    if (problems.length > 0) {
      this.counters.refusedSets++;
      this.log(`xds cache: refused snapshot ${snapshot.version} of ${snapshot.gateway}: ${problems.slice(0, 5).join("; ")}`);
      return { changed: false, problems };
    }
    const current = this.entries.get(snapshot.gateway);
    if (current && current.snapshot.version === snapshot.version) {
      this.counters.unchangedSets++;
      return { changed: false, problems };
    }
    this.counters.sets++;
    this.entries.set(snapshot.gateway, { snapshot, setAt: this.now() });
    this.notify(snapshot.gateway, snapshot);
    return { changed: true, problems };
  }

  get(gateway: string): Snapshot | undefined {
    return this.entries.get(gateway)?.snapshot;
  }

  /** Removes a Gateway's snapshot; watchers get `undefined` (their proxies lose its resources). */
  delete(gateway: string): boolean {
    if (!this.entries.delete(gateway)) return false;
    this.counters.deletes++;
    this.notify(gateway, undefined);
    return true;
  }

  /** Gateway keys with a snapshot, sorted. */
  keys(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Calls `listener` on every change of `gateway`'s snapshot until the returned function is called. */
  watch(gateway: string, listener: SnapshotListener): () => void {
    let set = this.watchers.get(gateway);
    if (!set) this.watchers.set(gateway, (set = new Set()));
    set.add(listener);
    return () => {
      const current = this.watchers.get(gateway);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.watchers.delete(gateway);
    };
  }

  stats(): CacheStats {
    const gateways = this.keys().map(gateway => {
      const entry = this.entries.get(gateway) as Entry;
      const resources: Record<string, number> = {};
      for (const [type, map] of entry.snapshot.resources) resources[type] = map.size;
      return { gateway, version: entry.snapshot.version, resources, setAt: entry.setAt, watchers: this.watchers.get(gateway)?.size ?? 0 };
    });
    return { gateways, ...this.counters };
  }

  private notify(gateway: string, snapshot: Snapshot | undefined): void {
    const set = this.watchers.get(gateway);
    if (!set) return;
    for (const listener of [...set]) {
      this.counters.notifications++;
      try {
        listener(snapshot);
      } catch (err) {
        this.log(`xds cache: a watcher of ${gateway} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

/**
 * Every dangling reference in a snapshot: EDS clusters without their ClusterLoadAssignment,
 * RDS names without their RouteConfiguration, SDS names without their Secret. What a resource
 * refers to is found once per resource (resources carried over from the previous snapshot are
 * not walked again), so a check costs a lookup per reference.
 */
export function snapshotProblems(snapshot: Snapshot): string[] {
  const problems: string[] = [];
  for (const type of [TypeUrl.Cluster, TypeUrl.Listener]) {
    const kind = type === TypeUrl.Cluster ? "cluster" : "listener";
    snapshot.resources.get(type)?.forEach(resource => {
      const refs = referencesOf(resource);
      for (let i = 0; i < refs.length; i++) {
        const ref = refs[i];
        if (!snapshot.resources.get(ref[0])?.has(ref[1])) problems.push(`${kind} ${resource.name}: no ${ref[2]} ${ref[1]}`);
      }
    });
  }
  return problems;
}

type Reference = readonly [TypeUrl, string, string];

const references = new WeakMap<EncodedResource, readonly Reference[]>();

/** The resources a Cluster or Listener names: [type, name, what to call it in a problem]. */
function referencesOf(resource: EncodedResource): readonly Reference[] {
  let refs = references.get(resource);
  if (refs) return refs;
  const out: Reference[] = [];
  if (resource.typeUrl === TypeUrl.Cluster) {
    const eds = edsName(resource.message);
    if (eds !== undefined) out.push([TypeUrl.Endpoint, eds, "ClusterLoadAssignment"]);
  } else {
    for (const route of rdsNames(resource.message)) out.push([TypeUrl.Route, route, "RouteConfiguration"]);
  }
  for (const secret of sdsNames(resource.message)) out.push([TypeUrl.Secret, secret, "Secret"]);
  refs = out;
  references.set(resource, refs);
  return refs;
}

function edsName(cluster: EnvoyMessage): string | undefined {
  if (cluster.type !== "EDS" && cluster.type !== 3) return undefined;
  const config = cluster.edsClusterConfig as { serviceName?: string } | undefined;
  return config?.serviceName || (cluster.name as string);
}

/** Names of RouteConfigurations referenced through `rds` anywhere in a message. */
export function rdsNames(message: EnvoyMessage): string[] {
  const out = new Set<string>();
  walk(message, obj => {
    const rds = obj.rds as { routeConfigName?: unknown } | undefined;
    if (rds && typeof rds === "object" && typeof rds.routeConfigName === "string") out.add(rds.routeConfigName);
  });
  return [...out];
}

/** Names of Secrets referenced through an SDS config (`{ name, sdsConfig }`) anywhere in a message. */
export function sdsNames(message: EnvoyMessage): string[] {
  const out = new Set<string>();
  walk(message, obj => {
    if (typeof obj.name === "string" && obj.sdsConfig && typeof obj.sdsConfig === "object") out.add(obj.name);
  });
  return [...out];
}

function walk(value: unknown, visit: (obj: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit);
  } else if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    const obj = value as Record<string, unknown>;
    visit(obj);
    for (const v of Object.values(obj)) walk(v, visit);
  }
}
