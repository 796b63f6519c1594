/**
 * What proxyless gRPC clients need beyond what Envoy needs. A stream is proxyless when it
 * subscribes to Listeners by name, not by wildcard.
 *
 * API listeners. A gRPC xDS client asks for the Listener named after
 * its target's authority (`xds:///www.example.com` → `www.example.com`, or `www.example.com:80`);
 * it gets a Listener of that name whose api_listener is an HttpConnectionManager with RDS pointing
 * at the RouteConfiguration of the Gateway whose virtual hosts match the host best (when a port is
 * given, route configurations of listeners on that port are preferred). Synthesised at publish
 * time, encoded once per snapshot and name. Envoy nodes subscribe to listeners by wildcard and
 * never get these.
 *
 * Endpoints. gRPC uses a ClusterLoadAssignment's localities only when each has a locality and a
 * load_balancing_weight (Envoy ignores locality weights unless locality-weighted balancing is
 * configured, so render need not set them). Proxyless streams get assignments with an empty
 * locality and weight 1 filled in where missing; each assignment is adapted and encoded once.
 */
import { rdsNames } from "../cache";
import { encodeResource } from "../encode";
import { type EncodedResource, type EnvoyMessage, type Snapshot, TypeUrl } from "../types";

const HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

/** Names remembered per snapshot (requests for ever new names must not grow memory without bound). */
const MEMO_LIMIT = 1024;
const memo = new WeakMap<Snapshot, Map<string, EncodedResource | null>>();

/** Splits `host`, `host:port` or `[v6]:port`. */
export function splitAuthority(name: string): { host: string; port?: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(name) ?? /^([^:]+)(?::(\d+))?$/.exec(name);
  if (!m) return { host: name.toLowerCase() };
  return { host: m[1].toLowerCase(), port: m[2] !== undefined ? Number(m[2]) : undefined };
}

/** How well an Envoy virtual host domain matches a host: 0 = not at all; higher is more specific. */
export function domainScore(domain: string, host: string, hostPort: string): number {
  const d = domain.toLowerCase();
  if (d === host || d === hostPort) return 4_000 + d.length;
  if (d === "*") return 1_000;
  if (d.startsWith("*") && (host.endsWith(d.slice(1)) || hostPort.endsWith(d.slice(1))) && host.length > d.length - 1) return 3_000 + d.length;
  if (d.endsWith("*") && (host.startsWith(d.slice(0, -1)) || hostPort.startsWith(d.slice(0, -1)))) return 2_000 + d.length;
  return 0;
}

function listenerPorts(snapshot: Snapshot): Map<string, Set<number>> {
  const ports = new Map<string, Set<number>>();
  for (const listener of snapshot.resources.get(TypeUrl.Listener)?.values() ?? []) {
    const msg = listener.message as { address?: { socketAddress?: { portValue?: number } } };
    const own = new Set<number>();
    if (typeof msg.address?.socketAddress?.portValue === "number") own.add(msg.address.socketAddress.portValue);
    const last = Number(listener.name.slice(listener.name.lastIndexOf("/") + 1));
    if (Number.isInteger(last) && last > 0) own.add(last);
    for (const rc of rdsNames(listener.message)) {
      let set = ports.get(rc);
      if (!set) ports.set(rc, (set = new Set()));
      for (const p of own) set.add(p);
    }
  }
  return ports;
}

/** The RouteConfiguration name an API listener for `authority` should use, if any matches. */
export function routeConfigFor(snapshot: Snapshot, authority: string): string | undefined {
  const { host, port } = splitAuthority(authority);
  const hostPort = port !== undefined ? `${host}:${port}` : host;
  const routes = [...(snapshot.resources.get(TypeUrl.Route)?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ports = listenerPorts(snapshot);
  const onPort = port === undefined ? [] : routes.filter(r => ports.get(r.name)?.has(port));
  const candidates = onPort.length > 0 ? onPort : routes;
  let best: { name: string; score: number } | undefined;
  for (const rc of candidates) {
    const vhosts = (rc.message.virtualHosts as Array<{ domains?: string[] }> | undefined) ?? [];
    let score = 0;
    for (const vh of vhosts) for (const d of vh.domains ?? []) score = Math.max(score, domainScore(d, host, hostPort));
    if (score > 0 && (!best || score > best.score)) best = { name: rc.name, score };
  }
  return best?.name;
}

/** The API listener message for a requested name pointing at a RouteConfiguration. */
export function apiListenerMessage(name: string, routeConfigName: string): EnvoyMessage {
  return {
    name,
    apiListener: {
      apiListener: {
        "@type": HCM,
        statPrefix: "grpc",
        rds: { routeConfigName, configSource: { ads: {}, resourceApiVersion: "V3" } },
        httpFilters: [{ name: "envoy.filters.http.router", typedConfig: { "@type": ROUTER } }],
      },
    },
  };
}

/** The API listener for `name` in this snapshot (memoised), or undefined when no route matches. */
export function apiListener(snapshot: Snapshot, name: string): EncodedResource | undefined {
  let byName = memo.get(snapshot);
  if (!byName) memo.set(snapshot, (byName = new Map()));
  const cached = byName.get(name);
  if (cached !== undefined) return cached ?? undefined;
  const rc = routeConfigFor(snapshot, name);
  const res = rc === undefined ? null : encodeResource(TypeUrl.Listener, apiListenerMessage(name, rc));
  if (byName.size < MEMO_LIMIT) byName.set(name, res);
  return res ?? undefined;
}

const adapted = new WeakMap<EncodedResource, EncodedResource>();

/** The assignment as a gRPC client needs it (the same object when nothing is missing). */
export function grpcEndpoints(res: EncodedResource): EncodedResource {
  const known = adapted.get(res);
  if (known) return known;
  const groups = (res.message.endpoints as EnvoyMessage[] | undefined) ?? [];
  let out = res;
  if (groups.some(g => !g.locality || !g.loadBalancingWeight)) {
    const endpoints = groups.map(g => ({ ...g, locality: g.locality ?? {}, loadBalancingWeight: g.loadBalancingWeight ?? { value: 1 } }));
    out = encodeResource(TypeUrl.Endpoint, { ...res.message, endpoints });
  }
  adapted.set(res, out);
  return out;
}
