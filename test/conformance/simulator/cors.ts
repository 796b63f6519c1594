/**
 * Envoy's CORS filter (envoy.filters.http.cors). It acts only when the connection manager has the
 * filter and the route (or, failing that, the virtual host) carries a CorsPolicy, either as
 * typed_per_filter_config or as the legacy `cors` field. A request is a CORS request when it has an
 * Origin header; it is a preflight when it is also an OPTIONS with Access-Control-Request-Method.
 *
 * - Origin allowed (a matcher matches "*" or the origin): a preflight is answered by Envoy with 200
 *   and allow-origin (the request's origin), allow-credentials, allow-methods, allow-headers,
 *   max-age; a simple request is forwarded.
 * - Origin not allowed: the request is forwarded untouched (forward_not_matching_preflights defaults
 *   to true), and no CORS header is added.
 * - On every response to an allowed CORS request, the encoder adds allow-origin (the origin),
 *   allow-credentials when enabled, and expose-headers when configured.
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
  /** Headers the encoder adds to whatever response the request gets. */
  responseHeaders: Header[];
}

function policyOf(holder: Msg | undefined): Msg | undefined {
  if (!holder) return undefined;
  const typed = obj(obj(holder.typedPerFilterConfig)?.[CORS_FILTER]);
  if (typed && anyType(typed) === CORS_POLICY) return typed;
  if (obj(holder.cors)) return holder.cors as Msg;
  const action = obj(holder.route);
  if (action && obj(action.cors)) return action.cors as Msg;
  return undefined;
}

/** The most specific CorsPolicy: the route's, else the virtual host's. */
export function corsPolicy(route: Msg | undefined, vhost: Msg | undefined): Msg | undefined {
  return policyOf(route) ?? policyOf(vhost);
}

function originAllowed(policy: Msg, origin: string): boolean {
  return list(policy.allowOriginStringMatch).some(m => stringMatch(m, "*") || stringMatch(m, origin));
}

function enabled(policy: Msg): boolean {
  const fraction = obj(obj(policy.filterEnabled)?.defaultValue);
  if (!fraction) return true;
  return Number(fraction.numerator ?? 0) > 0;
}

function maxAge(policy: Msg): string | undefined {
  return str(policy.maxAge) || undefined;
}

export function corsDecision(policy: Msg | undefined, method: string, headers: readonly Header[]): CorsDecision {
  const none: CorsDecision = { responseHeaders: [] };
  if (!policy || !enabled(policy)) return none;
  const origin = joined(headers, "origin");
  if (!origin || !originAllowed(policy, origin)) return none;
  const credentials = boolValue(policy.allowCredentials, false);
  let encode: Header[] = [["access-control-allow-origin", origin]];
  if (credentials) encode = set(encode, "access-control-allow-credentials", "true");
  const expose = str(policy.exposeHeaders);
  if (expose) encode = set(encode, "access-control-expose-headers", expose);
  const isPreflight = method === "OPTIONS" && (joined(headers, "access-control-request-method") ?? "") !== "";
  if (!isPreflight) return { responseHeaders: encode };
  const preflight: Header[] = [["access-control-allow-origin", origin]];
  if (credentials) preflight.push(["access-control-allow-credentials", "true"]);
  const methods = str(policy.allowMethods);
  if (methods) preflight.push(["access-control-allow-methods", methods]);
  const allowHeaders = str(policy.allowHeaders);
  if (allowHeaders) preflight.push(["access-control-allow-headers", allowHeaders]);
  const age = maxAge(policy);
  if (age) preflight.push(["access-control-max-age", age]);
  return { preflight: { status: 200, headers: preflight }, responseHeaders: encode };
}

/** The encoder step: CORS headers set on the response (replacing any the upstream sent). */
export function applyCorsHeaders(response: Header[], decision: CorsDecision): Header[] {
  let out = response;
  for (const [name, value] of decision.responseHeaders) out = set(out, name, value);
  return out;
}
