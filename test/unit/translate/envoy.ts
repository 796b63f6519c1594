/**
 * How Envoy picks a route for a request, reduced to what the IR expresses: the listener by port,
 * the filter chain by SNI (exact server name, then the longest wildcard, then a chain without
 * server names), the virtual host by Host (exact domain, then the longest `*.suffix`, then `*`; the
 * port is stripped first), and the first route whose path prefix (segment-wise) or exact path
 * matches. Used to check listener isolation end to end on the IR.
 */
import type { GatewayIR, RouteConfigIR, VirtualHostIR } from "../../../src/ir/types";

export interface Request {
  port: number;
  host: string;
  path: string;
  sni?: string;
}

/** The name of the route chosen, or the status Envoy answers with ("404", "421", "no-chain"). */
export function pick(gw: GatewayIR, req: Request): string {
  const listener = gw.listeners.find(l => l.port === req.port);
  if (!listener) return "no-listener";
  const chain =
    listener.protocol === "HTTP" ? listener.filterChains[0] : bestByName(listener.filterChains, c => c.serverNames, req.sni ?? "");
  if (!chain) return "no-chain";
  const config = gw.routeConfigs.find(c => c.name === chain.routeConfigName) as RouteConfigIR;
  const host = req.host.replace(/:\d+$/, "");
  const vhost = bestByName<VirtualHostIR>(config.virtualHosts, v => v.domains, host, true);
  if (!vhost) return "404";
  for (const r of vhost.routes) {
    const p = r.match.path;
    const hit =
      p.type === "Exact"
        ? req.path === p.value
        : p.value === "/" || req.path === p.value.replace(/\/$/, "") || req.path.startsWith(p.value.replace(/\/$/, "") + "/");
    if (!hit) continue;
    return r.action.kind === "direct" ? String(r.action.status) : r.name;
  }
  return "404";
}

function bestByName<T>(items: T[], names: (t: T) => string[], value: string, star = false): T | undefined {
  const exact = items.find(i => names(i).includes(value));
  if (exact) return exact;
  let best: { item: T; len: number } | undefined;
  for (const item of items) {
    for (const n of names(item)) {
      if (n.startsWith("*.") && value.endsWith(n.slice(1)) && value.length > n.length - 1) {
        if (!best || n.length > best.len) best = { item, len: n.length };
      }
    }
  }
  if (best) return best.item;
  return star ? items.find(i => names(i).includes("*")) : items.find(i => names(i).length === 0);
}
