/**
 * Envoy's CORS filter (envoy.filters.http.cors), which acts only when the connection manager has
 * the filter and the chosen route forwards (a route entry, not a redirect or direct response).
 *
 * Policies: the CorsPolicy of typed_per_filter_config at route, virtual host and route
 * configuration level, the most specific first; each setting is taken from the first policy that
 * sets it. Without any typed policy, the legacy `cors` fields of the route action and virtual host
 * are used. filter_enabled is that of the most specific policy (on by default).
 *
 * A request with a non-empty Origin is a CORS request; the origin is allowed when a matcher
 * matches "*" or the origin. A preflight is an OPTIONS with a non-empty
 * Access-Control-Request-Method:
 * - origin allowed, or not allowed with forward_not_matching_preflights false: Envoy answers 200
 *   itself, with allow-origin (the request's origin, only when allowed), allow-credentials when
 *   enabled, allow-methods (the requested method when configured as "*"), allow-headers (the
 *   requested headers when "*"), max-age;
 * - origin not allowed (and forwarding on, the default): the preflight goes upstream.
 * Any response to a request from an allowed origin then gets allow-origin, allow-credentials when
 * enabled and expose-headers when configured.
 */
import type { Header } from "./types";
import { joined, set } from "./headers";
import { type Msg, anyType, boolValue, list, obj, str } from "./msg";
import { stringMatch } from "./strings";

export const CORS_FILTER = "envoy.filters.http.cors";
const CORS_POLICY = "envoy.extensions.filters.http.cors.v3.CorsPolicy";

export interface CorsDecision {
  /** The preflight response Envoy sends itself, if any. */
  preflight?: { status: number; headers: Header[] };
  /** Headers the encoder sets on whatever response the request gets. */
  responseHeaders: Header[];
}

function typedPolicy(holder: Msg | undefined): Msg | undefined {
  const typed = obj(obj(holder?.typedPerFilterConfig)?.[CORS_FILTER]);
  return typed && anyType(typed) === CORS_POLICY ? typed : undefined;
}

/** The CorsPolicies in effect, most specific first. */
export function corsPolicies(route: Msg, vhost: Msg, routeConfig: Msg): Msg[] {
  const typed = [typedPolicy(route), typedPolicy(vhost), typedPolicy(routeConfig)].filter((p): p is Msg => p !== undefined);
  if (typed.length > 0) return typed;
  return [obj(obj(route.route)?.cors), obj(vhost.cors)].filter((p): p is Msg => p !== undefined);
}

function first<T>(policies: Msg[], pick: (p: Msg) => T | undefined): T | undefined {
  for (const p of policies) {
    const v = pick(p);
    if (v !== undefined) return v;
  }
  return undefined;
}

function enabled(policy: Msg): boolean {
  const fraction = obj(obj(policy.filterEnabled)?.defaultValue);
  return !fraction || Number(fraction.numerator ?? 0) > 0;
}

const nonEmpty = (s: unknown) => (typeof s === "string" && s !== "" ? s : undefined);

export function corsDecision(policies: Msg[], method: string, headers: readonly Header[]): CorsDecision {
  const none: CorsDecision = { responseHeaders: [] };
  if (policies.length === 0 || !enabled(policies[0])) return none;
  const origin = joined(headers, "origin");
  if (!origin) return none;
  const matchers = first(policies, p => (list(p.allowOriginStringMatch).length > 0 ? list(p.allowOriginStringMatch) : undefined)) ?? [];
  const allowed = matchers.some(m => stringMatch(m, "*") || stringMatch(m, origin));
  const credentials = first(policies, p => (p.allowCredentials !== undefined ? boolValue(p.allowCredentials, false) : undefined)) ?? false;
  const expose = first(policies, p => nonEmpty(p.exposeHeaders));
  const encode: Header[] = [];
  if (allowed) {
    encode.push(["access-control-allow-origin", origin]);
    if (credentials) encode.push(["access-control-allow-credentials", "true"]);
    if (expose) encode.push(["access-control-expose-headers", expose]);
  }
  const requestedMethod = joined(headers, "access-control-request-method") ?? "";
  if (method !== "OPTIONS" || requestedMethod === "") return { responseHeaders: encode };
  const forward = first(policies, p => (p.forwardNotMatchingPreflights !== undefined ? boolValue(p.forwardNotMatchingPreflights, true) : undefined)) ?? true;
  if (!allowed && forward) return none;
  const preflight: Header[] = [];
  if (allowed) preflight.push(["access-control-allow-origin", origin]);
  if (credentials) preflight.push(["access-control-allow-credentials", "true"]);
  const methods = first(policies, p => nonEmpty(p.allowMethods));
  if (methods) preflight.push(["access-control-allow-methods", methods === "*" ? requestedMethod : methods]);
  const allowHeaders = first(policies, p => nonEmpty(p.allowHeaders));
  if (allowHeaders) preflight.push(["access-control-allow-headers", allowHeaders === "*" ? joined(headers, "access-control-request-headers") ?? "" : allowHeaders]);
  const maxAge = first(policies, p => nonEmpty(str(p.maxAge)));
  if (maxAge) preflight.push(["access-control-max-age", maxAge]);
  return { preflight: { status: 200, headers: preflight }, responseHeaders: encode };
}

/** The encoder step: CORS headers set on the response (replacing any the upstream sent). */
export function applyCorsHeaders(response: Header[], decision: CorsDecision): Header[] {
  let out = response;
  for (const [name, value] of decision.responseHeaders) out = set(out, name, value);
  return out;
}
