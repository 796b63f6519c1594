/**
 * Hostnames as Gateway API uses them on listeners and HTTPRoutes: exact names and `*.suffix`
 * wildcards (a wildcard matches one or more labels to its left, never the bare suffix). `"*"` stands
 * for "any hostname" (a listener or route without hostnames) and is only produced here.
 *
 * - `covers(p, q)`: every host matched by q is matched by p.
 * - `intersect(a, b)`: the more specific of the two when one covers the other (Gateway API hostname
 *   intersection: `*.example.com` ∩ `foo.example.com` = `foo.example.com`).
 * - `compareSpecificity`: exact names first, then wildcards with more labels, then `*` — the order
 *   in which Gateway API matches listeners and Envoy matches virtual host domains.
 */

export const ANY = "*";

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const HOSTNAME = new RegExp(`^(\\*\\.)?${LABEL}(\\.${LABEL})*$`);

/** A hostname the Gateway API schemas allow: RFC 1123, lower case, optional leading `*.` label. */
export function isValidHostname(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= 253 && HOSTNAME.test(value);
}

export function isWildcard(host: string): boolean {
  return host.startsWith("*.");
}

/** True when every host that q matches is also matched by p. */
export function covers(p: string, q: string): boolean {
  if (p === ANY || p === q) return true;
  if (q === ANY || !isWildcard(p)) return false;
  const suffix = p.slice(1); // ".example.com"
  if (isWildcard(q)) return q.slice(1).endsWith(suffix);
  return q.length > suffix.length && q.endsWith(suffix);
}

/** The hostname both patterns match (the more specific one), or undefined when they are disjoint. */
export function intersect(a: string, b: string): string | undefined {
  if (covers(a, b)) return b;
  if (covers(b, a)) return a;
  return undefined;
}

function labels(host: string): number {
  return host.split(".").length;
}

/** Negative when a is more specific than b; ties broken by code point order, so sorting is total. */
export function compareSpecificity(a: string, b: string): number {
  const rank = (h: string) => (h === ANY ? 2 : isWildcard(h) ? 1 : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) {
    const byLabels = labels(b) - labels(a);
    if (byLabels !== 0) return byLabels;
    if (a.length !== b.length) return b.length - a.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What an HTTPRoute's spec.hostnames asks for: any hostname (none given), or the valid ones given.
 * Invalid entries are ignored; a route that gave only invalid ones matches no listener.
 */
export interface RouteHostnames {
  any: boolean;
  hosts: string[];
}

export function routeHostnames(value: unknown): RouteHostnames {
  if (!Array.isArray(value) || value.length === 0) return { any: true, hosts: [] };
  return { any: false, hosts: [...new Set(value.filter(isValidHostname))] };
}

/**
 * The hostnames a route serves on a listener: the intersections of the listener hostname
 * (undefined = any) with each route hostname, deduplicated and sorted by specificity. Empty when
 * the route names hostnames and none intersects the listener's.
 */
export function effectiveHostnames(listenerHost: string | undefined, route: RouteHostnames): string[] {
  const listener = listenerHost ?? ANY;
  if (route.any) return [listener];
  const out = new Set<string>();
  for (const host of route.hosts) {
    const common = intersect(listener, host);
    if (common !== undefined) out.add(common);
  }
  return [...out].sort(compareSpecificity);
}

/**
 * Envoy virtual host domains for a hostname: the hostname alone. The Host header's port must not
 * take part in matching (HTTPRoute spec.hostnames), and a port-qualified form cannot be written for
 * wildcards: the rendered route configuration ignores the port when matching
 * (ignore_port_in_host_matching), and the Host header reaches the backend unchanged.
 */
export function domainsFor(host: string): string[] {
  return [host];
}
