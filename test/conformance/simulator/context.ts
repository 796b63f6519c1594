/**
 * What the router knows once a route has been chosen, and the replies and header mutation levels
 * that depend on it.
 */
import type { Header, SimRequest, SimResponse, UpstreamModel } from "./types";
import type { XdsConfig } from "./xds";
import type { PathMatch } from "./match";
import { type MutationLevel, applyLevels, level } from "./headers";
import { type CorsDecision, applyCorsHeaders } from "./cors";
import { type Msg, str } from "./msg";

/** Everything known once a route has been chosen. */
export interface RouteContext {
  config: XdsConfig;
  request: SimRequest;
  authority: string;
  headers: Header[];
  routeConfig: Msg;
  vhost: Msg;
  route: Msg;
  matched: PathMatch;
  cors: CorsDecision;
  model: UpstreamModel;
}

export function reply(status: number, reason: string, extra: Partial<SimResponse> = {}): SimResponse {
  return { status, headers: [], source: status === 0 ? "none" : "envoy", reason, mirrors: [], ...extra };
}

/** Response header levels in Envoy's order: weighted cluster, route, virtual host, route config. */
export function responseLevels(ctx: RouteContext, weighted?: Msg): MutationLevel[] {
  const levels = [
    level(weighted?.responseHeadersToAdd, weighted?.responseHeadersToRemove),
    level(ctx.route.responseHeadersToAdd, ctx.route.responseHeadersToRemove),
    level(ctx.vhost.responseHeadersToAdd, ctx.vhost.responseHeadersToRemove),
    level(ctx.routeConfig.responseHeadersToAdd, ctx.routeConfig.responseHeadersToRemove),
  ];
  return ctx.routeConfig.mostSpecificHeaderMutationsWins === true ? levels.reverse() : levels;
}

export function requestLevels(ctx: RouteContext, weighted?: Msg): MutationLevel[] {
  const levels = [
    level(weighted?.requestHeadersToAdd, weighted?.requestHeadersToRemove),
    level(ctx.route.requestHeadersToAdd, ctx.route.requestHeadersToRemove),
    level(ctx.vhost.requestHeadersToAdd, ctx.vhost.requestHeadersToRemove),
    level(ctx.routeConfig.requestHeadersToAdd, ctx.routeConfig.requestHeadersToRemove),
  ];
  return ctx.routeConfig.mostSpecificHeaderMutationsWins === true ? levels.reverse() : levels;
}

/** A reply Envoy generates after routing: route response mutations, then the CORS encoder. */
export function routedLocalReply(ctx: RouteContext, status: number, reason: string, headers: Header[] = [], body?: string): SimResponse {
  const mutated = applyCorsHeaders(applyLevels(headers, responseLevels(ctx)), ctx.cors);
  return reply(status, reason, { headers: mutated, body, virtualHost: str(ctx.vhost.name), route: str(ctx.route.name) });
}

