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

/** Header mutation levels in Envoy's order: weighted cluster, route, virtual host, route config. */
function mutationLevels(ctx: RouteContext, direction: "request" | "response", weighted?: Msg): MutationLevel[] {
  const levels = [weighted, ctx.route, ctx.vhost, ctx.routeConfig].map(m => level(m?.[`${direction}HeadersToAdd`], m?.[`${direction}HeadersToRemove`]));
  return ctx.routeConfig.mostSpecificHeaderMutationsWins === true ? levels.reverse() : levels;
}

export function responseLevels(ctx: RouteContext, weighted?: Msg): MutationLevel[] {
  return mutationLevels(ctx, "response", weighted);
}

export function requestLevels(ctx: RouteContext, weighted?: Msg): MutationLevel[] {
  return mutationLevels(ctx, "request", weighted);
}

/** A reply Envoy generates after routing: route response mutations, then the CORS encoder. */
export function routedLocalReply(ctx: RouteContext, status: number, reason: string, headers: Header[] = [], body?: string): SimResponse {
  const mutated = applyCorsHeaders(applyLevels(headers, responseLevels(ctx)), ctx.cors);
  return reply(status, reason, { headers: mutated, body, virtualHost: str(ctx.vhost.name), route: str(ctx.route.name) });
}

