/**
 * Assembly of one Gateway's IR from its programmed listeners and attached routes.
 *
 * - One Envoy listener per port (listeners sharing a port are merged; they share a protocol, as
 *   conflicts were excluded before).
 * - Listener isolation: every hostname a route serves on a listener is owned by the most specific
 *   listener hostname on the port that covers it; the route is served under that hostname only when
 *   its own listener is the owner. Each listener hostname also gets its virtual host, even without
 *   routes, so a request for a more specific listener never falls through to a less specific one
 *   (Envoy picks the most specific domain; a request no domain matches gets 404).
 * - HTTP: one filter chain and one route configuration for the port.
 * - HTTPS: one filter chain per listener (SNI = listener hostname, none = any) with its own route
 *   configuration: that listener's virtual hosts, plus a virtual host answering 421 (Misdirected
 *   Request) for each other listener hostname on the port, so a connection opened for one listener
 *   is never used for another's routes.
 * - Routes in a virtual host are ordered by sortByPrecedence; clusters and secrets are deduplicated
 *   by name and sorted.
 */
import type { ClusterIR, GatewayIR, ListenerIR, RouteConfigIR, RouteIR, SecretIR, VirtualHostIR } from "../ir/types";
import type { RankedRoute } from "./types";
import type { AttachedRoute } from "./attach";
import type { GatewayModel } from "./gateway";
import type { ListenerModel } from "./listeners";
import { ANY, compareSpecificity, covers, domainsFor } from "./hostnames";

/** The route-level functions assembly needs. */
export interface RouteOrdering {
  sortByPrecedence(routes: RankedRoute[]): RouteIR[];
  bindRouteToListener(route: RouteIR, listener: { port: number; protocol: "HTTP" | "HTTPS" }): RouteIR;
}

export interface AssembledGateway {
  ir: GatewayIR;
  /** `namespace/name` of the BackendTLSPolicies its clusters use. */
  policies: string[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const hostOf = (l: ListenerModel) => l.hostname ?? ANY;

interface PortPlan {
  port: number;
  protocol: "HTTP" | "HTTPS";
  listeners: ListenerModel[];
  /** listener name → domain → routes served there. */
  own: Map<string, Map<string, AttachedRoute[]>>;
}

function planPort(port: number, listeners: ListenerModel[], attached: ReadonlyMap<string, AttachedRoute[]>): PortPlan {
  const bySpecificity = [...listeners].sort((a, b) => compareSpecificity(hostOf(a), hostOf(b)));
  const owner = (host: string) => bySpecificity.find(l => covers(hostOf(l), host));
  const own = new Map<string, Map<string, AttachedRoute[]>>();
  for (const l of listeners) {
    const domains = new Map<string, AttachedRoute[]>([[hostOf(l), []]]);
    for (const route of attached.get(l.name) ?? []) {
      for (const host of route.hostnames) {
        if (owner(host) !== l) continue;
        const list = domains.get(host);
        if (list) list.push(route);
        else domains.set(host, [route]);
      }
    }
    own.set(l.name, domains);
  }
  const protocol = listeners[0].protocol === "HTTPS" ? "HTTPS" : "HTTP";
  return { port, protocol, listeners: [...listeners].sort(byName), own };
}

/**
 * Virtual hosts of the previous assembly of one Gateway, handed back when built again from the
 * same inputs (the same ranked route objects, or the same listener names), so that unchanged
 * virtual hosts keep their identity across rebuilds.
 */
export class VirtualHostMemo {
  private previous = new Map<string, { inputs: readonly unknown[]; vh: VirtualHostIR }>();
  private current = new Map<string, { inputs: readonly unknown[]; vh: VirtualHostIR }>();

  get(key: string, inputs: readonly unknown[], build: () => VirtualHostIR): VirtualHostIR {
    const before = this.previous.get(key);
    const same = before && before.inputs.length === inputs.length && before.inputs.every((x, i) => x === inputs[i]);
    const vh = same ? before.vh : build();
    this.current.set(key, { inputs, vh });
    return vh;
  }

  /** Ends an assembly: only what it used is kept for the next. */
  finish(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

const NO_MEMO = { get: (_key: string, _inputs: readonly unknown[], build: () => VirtualHostIR) => build() };

type Memo = Pick<VirtualHostMemo, "get">;

function virtualHost(plan: PortPlan, domain: string, routes: AttachedRoute[], order: RouteOrdering, memo: Memo): VirtualHostIR {
  const ranked: RankedRoute[] = [];
  for (const r of routes) for (const rr of r.translation.routes) ranked.push(rr);
  return memo.get(`${plan.port}|${plan.protocol}|${domain}`, ranked, () => {
    const listener = { port: plan.port, protocol: plan.protocol };
    const bound = ranked.map(rr => ({ ir: order.bindRouteToListener(rr.ir, listener), rank: rr.rank }));
    return { name: domain, domains: domainsFor(domain), routes: order.sortByPrecedence(bound) };
  });
}

function misdirected(gw: GatewayModel, plan: PortPlan, self: ListenerModel, other: ListenerModel, memo: Memo): VirtualHostIR {
  const domain = hostOf(other);
  const key = `${plan.port}|misdirected|${self.name}|${other.name}|${domain}`;
  return memo.get(key, [gw.key, gw.namespace, gw.name], () => misdirectedHost(gw, plan, self, other));
}

function misdirectedHost(gw: GatewayModel, plan: PortPlan, self: ListenerModel, other: ListenerModel): VirtualHostIR {
  const route: RouteIR = {
    name: `gateway/${gw.key}/${plan.port}/${self.name}/misdirected/${other.name}`,
    match: { path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [] },
    action: { kind: "direct", status: 421 },
    source: { namespace: gw.namespace, name: gw.name, rule: 0 },
  };
  const domain = hostOf(other);
  return { name: domain, domains: domainsFor(domain), routes: [route] };
}

interface Assembly {
  order: RouteOrdering;
  memo: Memo;
  served: Set<AttachedRoute>;
}

function ownHosts(plan: PortPlan, l: ListenerModel, a: Assembly): VirtualHostIR[] {
  const out: VirtualHostIR[] = [];
  for (const [domain, routes] of plan.own.get(l.name) ?? []) {
    routes.forEach(r => a.served.add(r));
    out.push(virtualHost(plan, domain, routes, a.order, a.memo));
  }
  return out;
}

function assemblePort(gw: GatewayModel, plan: PortPlan, a: Assembly) {
  const name = `${gw.key}/${plan.port}`;
  const configs: RouteConfigIR[] = [];
  const listener: ListenerIR = { name, port: plan.port, protocol: plan.protocol, filterChains: [] };
  if (plan.protocol === "HTTP") {
    const virtualHosts = plan.listeners.flatMap(l => ownHosts(plan, l, a));
    configs.push({ name, virtualHosts: virtualHosts.sort(byName) });
    listener.filterChains.push({ name, serverNames: [], certificateSecrets: [], routeConfigName: name });
    return { listener, configs };
  }
  for (const l of plan.listeners) {
    const chain = `${name}/${l.name}`;
    const foreign = plan.listeners.filter(m => m !== l).map(m => misdirected(gw, plan, l, m, a.memo));
    configs.push({ name: chain, virtualHosts: [...ownHosts(plan, l, a), ...foreign].sort(byName) });
    listener.filterChains.push({
      name: chain,
      serverNames: l.hostname ? [l.hostname] : [],
      certificateSecrets: l.certificates.map(c => c.name).sort(),
      routeConfigName: chain,
    });
  }
  return { listener, configs };
}

/** The first item of each name (callers iterate in a deterministic order), sorted by name. */
function dedupe<T extends { name: string }>(lists: Iterable<readonly T[]>): T[] {
  const out = new Map<string, T>();
  for (const items of lists) for (const item of items) if (!out.has(item.name)) out.set(item.name, item);
  return [...out.keys()].sort().map(k => out.get(k) as T);
}

/**
 * The IR of one accepted Gateway. `attached`: listener name → routes attached to it. With a
 * memo, virtual hosts built from the same inputs as in the memo's previous assembly are reused.
 */
export function assembleGateway(
  gw: GatewayModel,
  attached: ReadonlyMap<string, AttachedRoute[]>,
  order: RouteOrdering,
  memo: Memo = NO_MEMO,
): AssembledGateway {
  const byPort = new Map<number, ListenerModel[]>();
  for (const l of gw.listeners) {
    if (!l.programmed.ok) continue;
    const list = byPort.get(l.port);
    if (list) list.push(l);
    else byPort.set(l.port, [l]);
  }
  const served = new Set<AttachedRoute>();
  const assembly: Assembly = { order, memo, served };
  const listeners: ListenerIR[] = [];
  const routeConfigs: RouteConfigIR[] = [];
  for (const port of [...byPort.keys()].sort((a, b) => a - b)) {
    const { listener, configs } = assemblePort(gw, planPort(port, byPort.get(port)!, attached), assembly);
    listeners.push(listener);
    routeConfigs.push(...configs);
  }
  // One translation per route, in the (deterministic) order the routes were served.
  const translations = new Set([...served].map(r => r.translation));
  const clusters: ClusterIR[] = dedupe([...translations].map(t => t.clusters));
  const certs = gw.listeners.filter(l => l.programmed.ok).map(l => l.certificates);
  const secrets: SecretIR[] = dedupe<SecretIR>([...certs, ...[...translations].map(t => t.secrets)]);
  const ir: GatewayIR = {
    key: gw.key,
    namespace: gw.namespace,
    name: gw.name,
    listeners,
    routeConfigs: routeConfigs.sort(byName),
    clusters,
    secrets,
    infrastructure: gw.infrastructure,
    addresses: gw.addresses.map(a => a.value),
  };
  const policies = [...new Set([...translations].flatMap(t => t.backendTLSPolicies))].sort();
  return { ir, policies };
}
