/**
 * An Envoy data-plane simulator over rendered xDS: what one request gets from a proxy running the
 * configuration. Connection (listener, filter chain, TLS) → HttpConnectionManager (host port
 * stripping, upgrades, CORS) → route configuration (virtual host, first matching route) → action
 * (direct response, redirect, or forwarding to a cluster or weighted clusters with header
 * mutations, rewrites, mirrors, timeouts and retries) → upstream (the caller's model).
 *
 * Weighted clusters yield one branch per cluster with its weight, so callers can check every
 * possible answer and the traffic split. Configuration Envoy would reject, and features this
 * simulator does not model, raise errors instead of guessing.
 */
import type { Header, SimRequest, SimResponse, SimResult, UpstreamModel } from "./types";
import type { XdsConfig } from "./xds";
import { type Connection, connect, hcmRouteConfig, httpFilters } from "./listener";
import { findVirtualHost, indexDomains, portStart } from "./domains";
import { type PathMatch, routeMatches } from "./match";
import { lower } from "./headers";
import { redirectLocation, redirectStatus } from "./paths";
import { CORS_FILTER, applyCorsHeaders, corsDecision, corsPolicies } from "./cors";
import { type Msg, boolValue, dataSource, list, num, obj, str } from "./msg";
import { forward } from "./forward";
import { type RouteContext, reply, routedLocalReply } from "./context";

export * from "./types";
export { configFromMessages, configFromSnapshot, type XdsConfig } from "./xds";

function single(response: SimResponse): SimResult {
  return { branches: [{ weight: 1, response }] };
}

/** The Host Envoy routes on: port stripped when the connection manager says so. */
function effectiveAuthority(hcm: Msg, request: SimRequest): string {
  const at = portStart(request.authority);
  if (at < 0) return request.authority;
  if (hcm.stripAnyHostPort === true) return request.authority.slice(0, at);
  if (hcm.stripMatchingHostPort === true && request.authority.slice(at + 1) === String(request.port)) {
    return request.authority.slice(0, at);
  }
  return request.authority;
}

function requestHeaders(request: SimRequest, authority: string): Header[] {
  return [
    [":method", request.method],
    [":path", request.path],
    [":authority", authority],
    [":scheme", request.scheme],
    ...lower(request.headers ?? []),
  ];
}

function upgradeAllowed(hcm: Msg, route: Msg, kind: string): boolean {
  const byRoute = list(obj(route.route)?.upgradeConfigs).find(u => str(u.upgradeType)?.toLowerCase() === kind);
  if (byRoute) return boolValue(byRoute.enabled, true);
  const byHcm = list(hcm.upgradeConfigs).find(u => str(u.upgradeType)?.toLowerCase() === kind);
  return byHcm !== undefined && boolValue(byHcm.enabled, true);
}

function act(ctx: RouteContext): SimResult {
  const { route } = ctx;
  const direct = obj(route.directResponse);
  if (direct) {
    return single(routedLocalReply(ctx, num(direct.status) ?? 0, "direct_response", [], dataSource(direct.body)));
  }
  const redirect = obj(route.redirect);
  if (redirect) {
    const location = redirectLocation(redirect, { scheme: ctx.request.scheme, authority: ctx.authority, path: ctx.request.path }, ctx.matched);
    return single(routedLocalReply(ctx, redirectStatus(redirect), "redirect", [["location", location]]));
  }
  if (obj(route.route)) return forward(ctx);
  throw new Error(`route ${str(route.name) ?? "(unnamed)"} has an action this simulator does not model`);
}

function routeRequest(config: XdsConfig, request: SimRequest, conn: Extract<Connection, { ok: true }>, model: UpstreamModel): SimResult {
  const { hcm } = conn;
  const { routeConfig, reason } = hcmRouteConfig(hcm, config);
  if (!routeConfig) return single(reply(0, `connection reset: ${reason}`));
  const problems = indexDomains(routeConfig).problems;
  if (problems.length > 0) throw new Error(`route configuration ${str(routeConfig.name)} would be rejected: ${problems.join("; ")}`);
  const authority = effectiveAuthority(hcm, request);
  const headers = requestHeaders(request, authority);
  const vhost = findVirtualHost(routeConfig, authority);
  if (!vhost) return single(reply(404, "route_not_found: no virtual host"));
  let matched: PathMatch | undefined;
  const route = list(vhost.routes).find(r => (matched = routeMatches(r, headers, request.path)) !== undefined);
  if (!route || !matched) return single(reply(404, "route_not_found", { virtualHost: str(vhost.name) }));
  const corsOn = httpFilters(hcm).includes(CORS_FILTER) && obj(route.route) !== undefined;
  const cors = corsDecision(corsOn ? corsPolicies(route, vhost, routeConfig) : [], request.method, headers);
  const ctx: RouteContext = { config, request, authority, headers, routeConfig, vhost, route, matched, cors, model };
  if (cors.preflight) {
    const pre = reply(cors.preflight.status, "cors_preflight", { headers: applyCorsHeaders(cors.preflight.headers, cors) });
    return single({ ...pre, virtualHost: str(vhost.name), route: str(route.name) });
  }
  if (request.upgrade && !upgradeAllowed(hcm, route, request.upgrade)) {
    return single(routedLocalReply(ctx, 403, "upgrade_failed"));
  }
  return act(ctx);
}

/** What the request gets from a proxy running `config`. */
export function simulate(config: XdsConfig, request: SimRequest, model: UpstreamModel): SimResult {
  const conn = connect(config, request);
  if (!conn.ok) return single(reply(0, `connection reset: ${conn.reason}`));
  return routeRequest(config, request, conn, model);
}

/** Convenience for callers that expect no weighted choice. */
export function only(result: SimResult): SimResponse {
  if (result.branches.length !== 1) throw new Error(`expected one outcome, got ${result.branches.length} weighted branches`);
  return result.branches[0].response;
}

