/**
 * The router's forwarding action (RouteAction): the cluster or each weighted cluster as a branch,
 * the request as sent upstream (header mutations level by level, host and path rewrites,
 * x-forwarded-proto), request mirrors, upstream TLS, attempts with timeouts and retries, and the
 * response with its mutations. A cluster missing from the snapshot answers with
 * cluster_not_found_response_code (503 by default); a cluster without a usable endpoint with 503.
 */
import type { ForwardedRequest, Header, MirrorResult, SimBranch, SimResponse, SimResult } from "./types";
import { type RouteContext, requestLevels, responseLevels, routedLocalReply } from "./context";
import { applyLevels, set } from "./headers";
import { rewriteHost, rewritePath } from "./paths";
import { applyCorsHeaders } from "./cors";
import { type Msg, boolValue, list, num, obj, str, uintValue } from "./msg";
import { UpstreamFailure, hostWithoutPort, pickEndpoint, retryPlan, runAttempts, upstreamProtocol, upstreamTls } from "./upstream";

const NOT_FOUND_CODES: Record<string, number> = { SERVICE_UNAVAILABLE: 503, NOT_FOUND: 404, INTERNAL_SERVER_ERROR: 500 };

interface Target {
  cluster: string;
  weight: number;
  weighted?: Msg;
}

function targets(action: Msg): Target[] {
  if (typeof action.cluster === "string") return [{ cluster: action.cluster, weight: 1 }];
  const weighted = obj(action.weightedClusters);
  if (weighted) {
    const all = list(weighted.clusters).map(c => ({ cluster: str(c.name) ?? "", weight: uintValue(c.weight, 0), weighted: c }));
    const total = all.reduce((sum, t) => sum + t.weight, 0);
    if (total === 0) throw new Error("weighted_clusters with a total weight of 0 (Envoy would reject the route)");
    return all.filter(t => t.weight > 0);
  }
  throw new Error("route action without cluster or weighted_clusters is not simulated");
}

/** The request as Envoy sends it to one target. */
function forwardedRequest(ctx: RouteContext, action: Msg, target: Target): ForwardedRequest {
  const plain = ctx.headers.filter(([n]) => !n.startsWith(":"));
  let headers: Header[] = [[":authority", ctx.authority], ...plain];
  headers = applyLevels(headers, requestLevels(ctx, target.weighted));
  const authority = headers.find(([n]) => n === ":authority")?.[1] ?? ctx.authority;
  headers = set(headers.filter(([n]) => n !== ":authority"), "x-forwarded-proto", ctx.request.scheme);
  return {
    method: ctx.request.method,
    authority: rewriteHost(action, target.weighted, authority),
    path: rewritePath(action, ctx.request.path, ctx.matched),
    scheme: ctx.request.scheme,
    headers,
    upgrade: ctx.request.upgrade,
  };
}

function mirrorPercent(policy: Msg): number {
  const fraction = obj(obj(policy.runtimeFraction)?.defaultValue);
  if (!fraction) return 100;
  const denominators: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10000, MILLION: 1000000 };
  const denominator = denominators[str(fraction.denominator) ?? "HUNDRED"] ?? 100;
  return ((num(fraction.numerator) ?? 0) * 100) / denominator;
}

function mirrors(ctx: RouteContext, action: Msg, request: ForwardedRequest): MirrorResult[] {
  return list(action.requestMirrorPolicies).map(policy => {
    const name = str(policy.cluster) ?? "";
    const cluster = ctx.config.clusters.get(name);
    const { host, port } = hostWithoutPort(request.authority);
    const suffix = boolValue(policy.disableShadowHostSuffixAppend, false) ? "" : "-shadow";
    return {
      cluster: name,
      percent: mirrorPercent(policy),
      endpoint: cluster ? pickEndpoint(ctx.config, cluster) : undefined,
      request: { ...request, authority: `${host}${suffix}${port}` },
    };
  });
}

function clusterNotFound(ctx: RouteContext, action: Msg, name: string): SimResponse {
  const code = NOT_FOUND_CODES[str(action.clusterNotFoundResponseCode) ?? "SERVICE_UNAVAILABLE"] ?? 503;
  return routedLocalReply(ctx, code, `cluster_not_found: ${name}`);
}

function toTarget(ctx: RouteContext, action: Msg, target: Target): SimResponse {
  const request = forwardedRequest(ctx, action, target);
  const shadows = mirrors(ctx, action, request);
  const cluster = ctx.config.clusters.get(target.cluster);
  if (!cluster) return { ...clusterNotFound(ctx, action, target.cluster), mirrors: shadows };
  const endpoint = pickEndpoint(ctx.config, cluster);
  if (!endpoint) return { ...routedLocalReply(ctx, 503, `no_healthy_upstream: ${target.cluster}`), mirrors: shadows };
  let tls;
  try {
    tls = upstreamTls(ctx.config, cluster, endpoint, request, ctx.model);
  } catch (e) {
    if (!(e instanceof UpstreamFailure)) throw e;
    return { ...routedLocalReply(ctx, 503, `upstream_connect_failure: ${e.message}`), mirrors: shadows };
  }
  const protocol = upstreamProtocol(cluster);
  const plan = retryPlan(action, ctx.vhost);
  const outcome = runAttempts(plan, attempt =>
    ctx.model.handle({ cluster: target.cluster, endpoint, protocol, tls, request, attempt }),
  );
  const upstream = { cluster: target.cluster, endpoint, request, protocol, tls, attempts: outcome.attempts };
  if (outcome.kind === "local") {
    return { ...routedLocalReply(ctx, outcome.status, outcome.reason), upstream, mirrors: shadows };
  }
  const headers = applyCorsHeaders(applyLevels(outcome.reply.headers, responseLevels(ctx, target.weighted)), ctx.cors);
  return {
    status: outcome.reply.status,
    headers,
    body: outcome.reply.body,
    source: "upstream",
    reason: "forwarded",
    upstream,
    mirrors: shadows,
    virtualHost: str(ctx.vhost.name),
    route: str(ctx.route.name),
  };
}

export function forward(ctx: RouteContext): SimResult {
  const action = obj(ctx.route.route) as Msg;
  const branches: SimBranch[] = targets(action).map(target => ({ weight: target.weight, response: toTarget(ctx, action, target) }));
  return { branches };
}
