/**
 * Route precedence within a virtual host, as the HTTPRouteRule documentation orders matches
 * (Envoy takes the first route that matches, so the IR lists routes in this order):
 *
 *   1. an Exact path match;
 *   2. a PathPrefix match with the most characters;
 *   3. a method match;
 *   4. the most header matches;
 *   5. the most query parameter matches;
 *   then, across routes: the oldest creationTimestamp, then `namespace/name` alphabetically;
 *   within a route: the first rule, then the first match.
 *
 * RegularExpression paths are implementation-specific. As Envoy Gateway does, they sort after
 * Exact and before PathPrefix matches, and among themselves by the length of the expression
 * (longest first), then by the criteria 3-5 above. Path length also orders Exact matches among
 * themselves, which changes nothing (two different exact paths never match the same request)
 * but keeps the order total and deterministic.
 *
 * A route without a creationTimestamp (e.g. read from a file) counts as the newest; routes that
 * all lack one are ordered by `namespace/name`.
 */
import type { RouteIR } from "../ir/types";
import { compareStrings, compareTimes } from "./age";
import type { PrecedenceKey, RankedRoute } from "./types";

const TYPE_ORDER: Record<PrecedenceKey["pathType"], number> = { Exact: 0, RegularExpression: 1, PathPrefix: 2 };

/** Negative when `a` takes precedence over `b`. */
export function comparePrecedence(a: PrecedenceKey, b: PrecedenceKey): number {
  return (
    TYPE_ORDER[a.pathType] - TYPE_ORDER[b.pathType] ||
    b.pathLength - a.pathLength ||
    Number(b.hasMethod) - Number(a.hasMethod) ||
    b.headerCount - a.headerCount ||
    b.queryCount - a.queryCount ||
    compareTimes(a.createdAt, b.createdAt) ||
    compareStrings(a.routeKey, b.routeKey) ||
    a.rule - b.rule ||
    a.match - b.match
  );
}

/** The routes' IR in precedence order (a new array; the input is not modified). */
export function sortByPrecedence(routes: readonly RankedRoute[]): RouteIR[] {
  return [...routes].sort((x, y) => comparePrecedence(x.rank, y.rank)).map(r => r.ir);
}
