/**
 * What one Gateway's IR is made of (assembler.ts puts it together, and keeps it up to date):
 *
 * - One Envoy listener per port (listeners sharing a port are merged; they share a protocol, as
 *   conflicts were excluded before). Only programmed listeners take part.
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
 * - Routes in a virtual host are ordered by sortByPrecedence (the routes attached under that
 *   hostname, in route key order, each with its rules and matches); virtual hosts, route
 *   configurations, clusters and secrets are sorted by name; clusters and secrets (listener
 *   certificates, then those of the routes served) are deduplicated by name.
 */
import type { GatewayIR, ListenerIR, RouteIR, VirtualHostIR } from "../ir/types";
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

export const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
export const hostOf = (l: ListenerModel) => l.hostname ?? ANY;

export interface PortPlan {
  port: number;
  protocol: "HTTP" | "HTTPS";
  /** Programmed listeners on the port, sorted by name. */
  listeners: ListenerModel[];
  /** The listener that owns a hostname on this port (undefined: none covers it). */
  owner: (host: string) => ListenerModel | undefined;
  listener: ListenerIR;
}

/** The ports of a Gateway's programmed listeners, ascending. */
export function planPorts(gw: GatewayModel): PortPlan[] {
  const byPort = new Map<number, ListenerModel[]>();
  for (const l of gw.listeners) {
    if (!l.programmed.ok) continue;
    const list = byPort.get(l.port);
    if (list) list.push(l);
    else byPort.set(l.port, [l]);
  }
  return [...byPort.keys()]
    .sort((a, b) => a - b)
    .map(port => {
      const listeners = byPort.get(port)!;
      const protocol = listeners[0].protocol === "HTTPS" ? "HTTPS" : "HTTP";
      const bySpecificity = [...listeners].sort((a, b) => compareSpecificity(hostOf(a), hostOf(b)));
      const sorted = [...listeners].sort(byName);
      const hosts = bySpecificity.map(hostOf);
      const owner = (host: string) => {
        for (let i = 0; i < hosts.length; i++) if (covers(hosts[i], host)) return bySpecificity[i];
        return undefined;
      };
      return { port, protocol, listeners: sorted, owner, listener: listenerIR(gw, port, protocol, sorted) };
    });
}

/** The route configuration a listener's virtual hosts go in. */
export function configName(gw: GatewayModel, plan: PortPlan, l: ListenerModel): string {
  return plan.protocol === "HTTP" ? `${gw.key}/${plan.port}` : `${gw.key}/${plan.port}/${l.name}`;
}

function listenerIR(gw: GatewayModel, port: number, protocol: "HTTP" | "HTTPS", listeners: ListenerModel[]): ListenerIR {
  const name = `${gw.key}/${port}`;
  if (protocol === "HTTP") return { name, port, protocol, filterChains: [{ name, serverNames: [], certificateSecrets: [], routeConfigName: name }] };
  return {
    name,
    port,
    protocol,
    filterChains: listeners.map(l => ({
      name: `${name}/${l.name}`,
      serverNames: l.hostname ? [l.hostname] : [],
      certificateSecrets: l.certificates.map(c => c.name).sort(),
      routeConfigName: `${name}/${l.name}`,
    })),
  };
}

/** The virtual host of a domain: the routes served there (in route key order), by precedence. */
export function virtualHost(plan: PortPlan, domain: string, routes: readonly AttachedRoute[], order: RouteOrdering): VirtualHostIR {
  const listener = { port: plan.port, protocol: plan.protocol };
  const ranked: RankedRoute[] = [];
  for (const r of routes) for (const rr of r.translation.routes) ranked.push({ ir: order.bindRouteToListener(rr.ir, listener), rank: rr.rank });
  return { name: domain, domains: domainsFor(domain), routes: order.sortByPrecedence(ranked) };
}

/** HTTPS: the virtual host answering 421 on `self`'s configuration for `other`'s hostname. */
export function misdirected(gw: GatewayModel, plan: PortPlan, self: ListenerModel, other: ListenerModel): VirtualHostIR {
  const route: RouteIR = {
    name: `gateway/${gw.key}/${plan.port}/${self.name}/misdirected/${other.name}`,
    match: { path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [] },
    action: { kind: "direct", status: 421 },
    source: { namespace: gw.namespace, name: gw.name, rule: 0 },
  };
  const domain = hostOf(other);
  return { name: domain, domains: domainsFor(domain), routes: [route] };
}
