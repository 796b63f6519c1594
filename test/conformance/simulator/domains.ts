/**
 * Virtual host selection as Envoy's RouteMatcher does it: the Host header lower-cased (port
 * dropped first when the route configuration sets ignore_port_in_host_matching), then an exact
 * domain, then the longest `*suffix` wildcard, then the longest `prefix*` wildcard, then `*`.
 * A wildcard never matches an empty remainder (`*.foo.com` does not match `.foo.com`).
 */
import { type Msg, list, strings } from "./msg";

export interface DomainIndex {
  exact: Map<string, Msg>;
  suffixes: Array<[suffix: string, vhost: Msg]>;
  prefixes: Array<[prefix: string, vhost: Msg]>;
  fallback?: Msg;
  /** Problems Envoy would reject the configuration for (duplicate domains...). */
  problems: string[];
}

export function indexDomains(routeConfig: Msg): DomainIndex {
  const index: DomainIndex = { exact: new Map(), suffixes: [], prefixes: [], problems: [] };
  const seen = new Set<string>();
  for (const vhost of list(routeConfig.virtualHosts)) {
    for (const raw of strings(vhost.domains)) {
      const domain = raw.toLowerCase();
      if (seen.has(domain)) index.problems.push(`domain "${domain}" appears in more than one virtual host`);
      seen.add(domain);
      if (domain === "*") index.fallback = vhost;
      else if (domain.startsWith("*")) index.suffixes.push([domain.slice(1), vhost]);
      else if (domain.endsWith("*")) index.prefixes.push([domain.slice(0, -1), vhost]);
      else index.exact.set(domain, vhost);
    }
  }
  index.suffixes.sort((a, b) => b[0].length - a[0].length);
  index.prefixes.sort((a, b) => b[0].length - a[0].length);
  return index;
}

/** The port separator index of a Host value (IPv6 literals in brackets handled), or -1. */
export function portStart(host: string): number {
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    return close >= 0 && host[close + 1] === ":" ? close + 1 : -1;
  }
  const colon = host.lastIndexOf(":");
  return colon >= 0 && /^\d+$/.test(host.slice(colon + 1)) ? colon : -1;
}

export function findVirtualHost(routeConfig: Msg, authority: string): Msg | undefined {
  const index = indexDomains(routeConfig);
  let host = authority;
  if (routeConfig.ignorePortInHostMatching === true) {
    const at = portStart(host);
    if (at >= 0) host = host.slice(0, at);
  }
  host = host.toLowerCase();
  const exact = index.exact.get(host);
  if (exact) return exact;
  for (const [suffix, vhost] of index.suffixes) {
    if (host.length > suffix.length && host.endsWith(suffix)) return vhost;
  }
  for (const [prefix, vhost] of index.prefixes) {
    if (host.length > prefix.length && host.startsWith(prefix)) return vhost;
  }
  return index.fallback;
}
