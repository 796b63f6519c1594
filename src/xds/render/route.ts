/**
 * RouteConfigIR → envoy.config.route.v3.RouteConfiguration: virtual hosts in IR order (sorted by
 * name; Envoy picks the most specific domain, whatever the order), routes in IR order (already in
 * Gateway API precedence; Envoy takes the first match).
 *
 * Matching:
 * - Exact → `path`; PathPrefix → `path_separated_prefix` (segment-wise: `/foo` matches `/foo` and
 *   `/foo/bar`, never `/foobar`), with a trailing `/` ignored as Gateway API specifies, and
 *   `prefix: "/"` for `/`; RegularExpression → `safe_regex` (RE2, Envoy's default engine; the
 *   deprecated google_re2 field is not written).
 * - Header names are lowercased (Envoy stores them lowercased); query parameter names keep their
 *   case (they are case-sensitive). The method is a `:method` header match.
 *
 * The route configuration leaves validate_clusters off (the RDS default, written out): a share of
 * traffic for an invalid backendRef points at a cluster that deliberately does not exist.
 * ignore_port_in_host_matching lets `Host: example.com:8080` match domain `example.com`.
 */
import type { CorsIR, PathMatchIR, RouteConfigIR, RouteIR, RouteMatchIR, VirtualHostIR } from "../../ir/types";
import type { EnvoyMessage } from "../types";
import { CORS_FILTER_NAME, headerFields, quoteRegex, stringMatcher, trimmedPrefix, typed } from "./common";
import { renderAction } from "./route-action";

const CORS_POLICY = "envoy.extensions.filters.http.cors.v3.CorsPolicy";

/** `virtualHost` renders one virtual host (a memoising caller passes its own; same result). */
export function renderRouteConfig(rc: RouteConfigIR, virtualHost: (vh: VirtualHostIR) => EnvoyMessage = renderVirtualHost): EnvoyMessage {
  return {
    name: rc.name,
    virtualHosts: rc.virtualHosts.map(vh => virtualHost(vh)),
    validateClusters: { value: false },
    ignorePortInHostMatching: true,
  };
}

/** True when some route of the configuration needs the CORS filter. */
export function usesCors(rc: RouteConfigIR): boolean {
  return rc.virtualHosts.some(vh => vh.routes.some(r => r.cors !== undefined));
}

export function renderVirtualHost(vh: VirtualHostIR): EnvoyMessage {
  return { name: vh.name, domains: [...vh.domains], routes: vh.routes.map(renderRoute) };
}

export function renderRoute(route: RouteIR): EnvoyMessage {
  const out: EnvoyMessage = { name: route.name, match: renderMatch(route.match), ...renderAction(route) };
  const req = headerFields(route.requestHeaders);
  const res = headerFields(route.responseHeaders);
  if (req.toAdd) out.requestHeadersToAdd = req.toAdd;
  if (req.toRemove) out.requestHeadersToRemove = req.toRemove;
  if (res.toAdd) out.responseHeadersToAdd = res.toAdd;
  if (res.toRemove) out.responseHeadersToRemove = res.toRemove;
  if (route.cors) out.typedPerFilterConfig = { [CORS_FILTER_NAME]: typed(CORS_POLICY, corsPolicy(route.cors)) };
  return out;
}

export function renderPathMatch(path: PathMatchIR): EnvoyMessage {
  switch (path.type) {
    case "Exact":
      return { path: path.value };
    case "RegularExpression":
      return { safeRegex: { regex: path.value } };
    default: {
      const prefix = trimmedPrefix(path.value);
      return prefix === "" ? { prefix: "/" } : { pathSeparatedPrefix: prefix };
    }
  }
}

export function renderMatch(match: RouteMatchIR): EnvoyMessage {
  const out: EnvoyMessage = renderPathMatch(match.path);
  const headers: EnvoyMessage[] = match.headers.map(h => ({ name: h.name.toLowerCase(), stringMatch: stringMatcher(h.type, h.value) }));
  if (match.method) headers.push({ name: ":method", stringMatch: { exact: match.method } });
  if (headers.length > 0) out.headers = headers;
  if (match.queryParams.length > 0) {
    out.queryParameters = match.queryParams.map(q => ({ name: q.name, stringMatch: stringMatcher(q.type, q.value) }));
  }
  return out;
}

/**
 * Gateway API CORS → Envoy CorsPolicy. An origin with `*` becomes an RE2 pattern where `*` stands
 * for any run of characters (`*` alone allows every origin); other origins match exactly. A
 * preflight request from an origin that does not match is not forwarded to the backend
 * (forward_not_matching_preflights false; Envoy forwards it by default).
 */
function corsPolicy(cors: CorsIR): EnvoyMessage {
  const out: EnvoyMessage = {
    allowOriginStringMatch: cors.allowOrigins.map(origin =>
      origin.includes("*") ? { safeRegex: { regex: origin.split("*").map(quoteRegex).join(".*") } } : { exact: origin },
    ),
  };
  if (cors.allowMethods.length > 0) out.allowMethods = cors.allowMethods.join(", ");
  if (cors.allowHeaders.length > 0) out.allowHeaders = cors.allowHeaders.join(", ");
  if (cors.exposeHeaders.length > 0) out.exposeHeaders = cors.exposeHeaders.join(", ");
  if (cors.maxAgeSeconds !== undefined) out.maxAge = String(cors.maxAgeSeconds);
  if (cors.allowCredentials) out.allowCredentials = { value: true };
  // a preflight from an origin that is not allowed is answered here, never sent on to the backend
  out.forwardNotMatchingPreflights = { value: false };
  return out;
}
