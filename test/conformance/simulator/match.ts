/**
 * Route matching (envoy.config.route.v3.RouteMatch): the path specifier (prefix, path,
 * path_separated_prefix, safe_regex; case_sensitive defaults to true; the query string is not part
 * of the path), then every header matcher, then every query parameter matcher. Envoy takes the
 * first route of the virtual host whose match succeeds.
 */
import type { Header } from "./types";
import { headerMatches } from "./headers";
import { type Msg, boolValue, list, obj, str } from "./msg";
import { regexFullMatch, stringMatch } from "./strings";

export function splitPath(path: string): { path: string; query: string } {
  const hash = path.indexOf("#");
  const noFragment = hash >= 0 ? path.slice(0, hash) : path;
  const q = noFragment.indexOf("?");
  return q >= 0 ? { path: noFragment.slice(0, q), query: noFragment.slice(q + 1) } : { path: noFragment, query: "" };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Query parameters in order, names and values percent-decoded. */
export function queryParams(query: string): Array<[string, string]> {
  if (query === "") return [];
  return query.split("&").map(pair => {
    const eq = pair.indexOf("=");
    return eq >= 0 ? [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))] : [decode(pair), ""];
  });
}

/** The part of the path the route's path specifier matched (what prefix_rewrite replaces). */
export interface PathMatch {
  matched: string;
}

export function pathMatches(match: Msg, fullPath: string): PathMatch | undefined {
  const { path } = splitPath(fullPath);
  const caseSensitive = boolValue(match.caseSensitive, true);
  const fold = (s: string) => (caseSensitive ? s : s.toLowerCase());
  if (typeof match.prefix === "string") {
    return fold(path).startsWith(fold(match.prefix)) ? { matched: path.slice(0, match.prefix.length) } : undefined;
  }
  if (typeof match.path === "string") {
    return fold(path) === fold(match.path) ? { matched: path } : undefined;
  }
  if (typeof match.pathSeparatedPrefix === "string") {
    const prefix = match.pathSeparatedPrefix;
    const p = fold(path);
    const ok = p === fold(prefix) || p.startsWith(`${fold(prefix)}/`);
    return ok ? { matched: path.slice(0, prefix.length) } : undefined;
  }
  if (match.safeRegex !== undefined) {
    return regexFullMatch(match.safeRegex, path) ? { matched: path } : undefined;
  }
  if (match.connectMatcher !== undefined) return undefined;
  if (match.pathMatchPolicy !== undefined) throw new Error("path_match_policy (URI templates) is not simulated");
  throw new Error("RouteMatch without a path specifier (Envoy would reject the configuration)");
}

function queryMatches(matcher: Msg, params: Array<[string, string]>): boolean {
  const name = str(matcher.name) ?? "";
  const first = params.find(([n]) => n === name);
  if (!first) return false;
  if (matcher.presentMatch === true) return true;
  const sm = obj(matcher.stringMatch);
  return sm ? stringMatch(sm, first[1]) : true;
}

export function routeMatches(route: Msg, headers: readonly Header[], fullPath: string): PathMatch | undefined {
  const match = obj(route.match);
  if (!match) return undefined;
  const pm = pathMatches(match, fullPath);
  if (!pm) return undefined;
  for (const h of list(match.headers)) if (!headerMatches(h, headers)) return undefined;
  const params = queryParams(splitPath(fullPath).query);
  for (const q of list(match.queryParameters)) if (!queryMatches(q, params)) return undefined;
  if (match.grpc !== undefined) {
    const ct = headers.find(([n]) => n === "content-type")?.[1] ?? "";
    if (!ct.startsWith("application/grpc")) return undefined;
  }
  return pm;
}
