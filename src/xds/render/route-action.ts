/**
 * The action of one route: forward (RouteAction), redirect (RedirectAction) or a direct response.
 *
 * - Backends: one valid backend → `cluster`; otherwise `weighted_clusters`. The share of invalid
 *   backendRefs becomes a weighted entry for INVALID_BACKEND_CLUSTER, a cluster that is never
 *   defined, with `cluster_not_found_response_code: INTERNAL_SERVER_ERROR`: Envoy answers 500 for
 *   exactly that share. No valid backend at all → a direct 500.
 * - URL rewrite: hostname → host_rewrite_literal; ReplaceFullPath → regex_rewrite of the whole
 *   path; ReplacePrefixMatch → see prefixRewrite below. Envoy rewrites the path only, never the
 *   query string.
 * - Mirrors: request_mirror_policies, the percentage as a FractionalPercent (per hundred when it
 *   is whole, per million otherwise); 100% has no runtime_fraction.
 * - Timeouts: request → route `timeout` (0 disables). backendRequest → the retry policy's
 *   per_try_timeout when the route retries; without retries there is one try, so the route
 *   timeout becomes the smaller of the two (Envoy Gateway also falls back to the route timeout).
 * - Retries: retry_on connect-failure and refused-stream, plus retriable-status-codes when codes
 *   are given (otherwise reset); num_retries and an optional base backoff interval.
 * - WebSocket: a route-level upgrade config; Envoy enables an upgrade enabled on the route even
 *   when the connection manager does not list it.
 */
import type { ForwardActionIR, PathMatchIR, RedirectActionIR, RouteIR } from "../../ir/types";
import type { EnvoyMessage } from "../types";
import { durationMs, headerFields, quoteRegex, trimmedPrefix } from "./common";

/** The name of a cluster that never exists: requests sent to it get HTTP 500. */
export const INVALID_BACKEND_CLUSTER = "invalid-backend-cluster";

export function renderAction(route: RouteIR): EnvoyMessage {
  const action = route.action;
  switch (action.kind) {
    case "forward":
      return action.backends.length === 0 ? directResponse(500) : { route: routeAction(action, route.match.path) };
    case "redirect":
      return { redirect: redirectAction(action, route.match.path) };
    default:
      return directResponse(action.status, action.body);
  }
}

function directResponse(status: number, body?: string): EnvoyMessage {
  const out: EnvoyMessage = { status };
  if (body !== undefined && body !== "") out.body = { inlineString: body };
  return { directResponse: out };
}

function routeAction(action: ForwardActionIR, path: PathMatchIR): EnvoyMessage {
  const out: EnvoyMessage = { ...clusterSpecifier(action) };
  if (action.rewrite?.hostname) out.hostRewriteLiteral = action.rewrite.hostname;
  if (action.rewrite?.path) {
    const rw = action.rewrite.path;
    Object.assign(out, rw.type === "ReplaceFullPath" ? fullPathRewrite(rw.value) : prefixRewrite(path, rw.value));
  }
  const timeout = routeTimeoutMs(action);
  if (timeout !== undefined) out.timeout = durationMs(timeout);
  if (action.retry) out.retryPolicy = retryPolicy(action);
  if (action.mirrors.length > 0) out.requestMirrorPolicies = action.mirrors.map(mirrorPolicy);
  if (action.websocket) out.upgradeConfigs = [{ upgradeType: "websocket" }];
  return out;
}

function clusterSpecifier(action: ForwardActionIR): EnvoyMessage {
  const [first] = action.backends;
  const simple = action.backends.length === 1 && action.invalidWeight <= 0 && !first.requestHeaders && !first.responseHeaders;
  if (simple) return { cluster: first.clusterName };
  const clusters: EnvoyMessage[] = action.backends.map(b => {
    const entry: EnvoyMessage = { name: b.clusterName, weight: { value: b.weight } };
    const req = headerFields(b.requestHeaders);
    const res = headerFields(b.responseHeaders);
    if (req.toAdd) entry.requestHeadersToAdd = req.toAdd;
    if (req.toRemove) entry.requestHeadersToRemove = req.toRemove;
    if (res.toAdd) entry.responseHeadersToAdd = res.toAdd;
    if (res.toRemove) entry.responseHeadersToRemove = res.toRemove;
    return entry;
  });
  if (action.invalidWeight <= 0) return { weightedClusters: { clusters } };
  clusters.push({ name: INVALID_BACKEND_CLUSTER, weight: { value: action.invalidWeight } });
  return { weightedClusters: { clusters }, clusterNotFoundResponseCode: "INTERNAL_SERVER_ERROR" };
}

function fullPathRewrite(value: string): EnvoyMessage {
  return { regexRewrite: { pattern: { regex: "^/.*$" }, substitution: value } };
}

/**
 * ReplacePrefixMatch (Gateway API HTTPPathModifier): the matched prefix P is replaced by R, and a
 * trailing `/` of either never produces `//`: with P `/foo`, R `/xyz` or `/xyz/` maps `/foo/bar` to
 * `/xyz/bar` and `/foo` to `/xyz`; R `/` or empty maps `/foo/bar` to `/bar` and `/foo` to `/`.
 * - P a real prefix, R not just `/`: prefix_rewrite with R less its trailing slash (Envoy swaps
 *   the path_separated_prefix it matched, which is P less its trailing slash).
 * - R `/` or empty: regex_rewrite `^P/*` → `/`.
 * - P `/`: regex_rewrite `^/` → R less its trailing slash, then `/`.
 * Only PathPrefix and Exact matches have a prefix to replace; a regex match is left as is.
 */
export function prefixRewrite(path: PathMatchIR, replacement: string): EnvoyMessage {
  if (path.type === "RegularExpression") return {};
  const prefix = trimmedPrefix(path.value);
  const repl = trimmedPrefix(replacement);
  if (prefix === "") {
    return repl === "" ? {} : { regexRewrite: { pattern: { regex: "^/" }, substitution: `${repl}/` } };
  }
  if (repl === "") return { regexRewrite: { pattern: { regex: `^${quoteRegex(prefix)}/*` }, substitution: "/" } };
  return { prefixRewrite: repl };
}

function routeTimeoutMs(action: ForwardActionIR): number | undefined {
  const request = action.timeoutMs;
  const backend = action.retry ? undefined : action.backendTimeoutMs;
  if (backend === undefined || backend <= 0) return request;
  if (request === undefined || request <= 0) return backend;
  return Math.min(request, backend);
}

function retryPolicy(action: ForwardActionIR): EnvoyMessage {
  const retry = action.retry!;
  const out: EnvoyMessage = {
    retryOn: retry.codes.length > 0 ? "connect-failure,refused-stream,retriable-status-codes" : "connect-failure,refused-stream,reset",
    numRetries: { value: Math.max(0, Math.floor(retry.attempts)) },
  };
  if (retry.codes.length > 0) out.retriableStatusCodes = [...retry.codes];
  if (action.backendTimeoutMs !== undefined && action.backendTimeoutMs > 0) out.perTryTimeout = durationMs(action.backendTimeoutMs);
  if (retry.backoffMs !== undefined && retry.backoffMs > 0) out.retryBackOff = { baseInterval: durationMs(retry.backoffMs) };
  return out;
}

function mirrorPolicy(mirror: { clusterName: string; percent: number }): EnvoyMessage {
  const out: EnvoyMessage = { cluster: mirror.clusterName };
  const percent = Math.min(100, Math.max(0, mirror.percent));
  if (percent >= 100) return out;
  const whole = Number.isInteger(percent);
  out.runtimeFraction = {
    defaultValue: whole
      ? { numerator: percent, denominator: "HUNDRED" }
      : { numerator: Math.round(percent * 10_000), denominator: "MILLION" },
  };
  return out;
}

const REDIRECT_CODES: Record<RedirectActionIR["statusCode"], string> = {
  301: "MOVED_PERMANENTLY",
  302: "FOUND",
  303: "SEE_OTHER",
  307: "TEMPORARY_REDIRECT",
  308: "PERMANENT_REDIRECT",
};

function redirectAction(action: RedirectActionIR, path: PathMatchIR): EnvoyMessage {
  const out: EnvoyMessage = {};
  if (action.scheme) out.schemeRedirect = action.scheme;
  if (action.hostname) out.hostRedirect = action.hostname;
  if (action.port !== undefined && !action.omitPort) out.portRedirect = action.port;
  if (action.path?.type === "ReplaceFullPath") out.pathRedirect = action.path.value;
  else if (action.path) Object.assign(out, prefixRewrite(path, action.path.value));
  out.responseCode = REDIRECT_CODES[action.statusCode] ?? "FOUND";
  return out;
}
