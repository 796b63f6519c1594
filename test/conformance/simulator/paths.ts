/**
 * Path and host rewriting for forwarded requests (RouteAction prefix_rewrite, regex_rewrite,
 * host_rewrite_literal) and the Location of redirects (RedirectAction), following Envoy's
 * RouteEntryImplBase::newUri and its request-host port handling.
 */
import { portStart } from "./domains";
import type { PathMatch } from "./match";
import { splitPath } from "./match";
import { type Msg, num, obj, str } from "./msg";
import { regexReplaceAll } from "./strings";

function withQuery(path: string, query: string): string {
  return query === "" ? path : `${path}?${query}`;
}

/** The path after prefix_rewrite or regex_rewrite (the query string is kept). */
export function rewritePath(action: Msg, fullPath: string, matched: PathMatch): string {
  if (typeof action.prefixRewrite === "string") {
    const { path, query } = splitPath(fullPath);
    return withQuery(action.prefixRewrite + path.slice(matched.matched.length), query);
  }
  const regex = obj(action.regexRewrite);
  if (regex) {
    const { path, query } = splitPath(fullPath);
    const pattern = str(obj(regex.pattern)?.regex) ?? "";
    return withQuery(regexReplaceAll(pattern, str(regex.substitution) ?? "", path), query);
  }
  if (action.pathRewritePolicy !== undefined) throw new Error("path_rewrite_policy is not simulated");
  return fullPath;
}

const REDIRECT_CODES: Record<string, number> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

export function redirectStatus(redirect: Msg): number {
  const code = str(redirect.responseCode) ?? "MOVED_PERMANENTLY";
  const status = REDIRECT_CODES[code];
  if (status === undefined) throw new Error(`unknown redirect response_code ${code}`);
  return status;
}

/** The request's host for a redirect without host_redirect: its port dropped when Envoy would. */
function requestHost(authority: string, newScheme: string, requestScheme: string, newPort: string): string {
  const at = portStart(authority);
  if (at < 0) return authority;
  const port = authority.slice(at);
  let removePort = newPort !== "";
  if (newScheme !== requestScheme) {
    removePort ||= requestScheme === "https" && port === ":443";
    removePort ||= requestScheme === "http" && port === ":80";
  }
  return removePort ? authority.slice(0, at) : authority;
}

function redirectPath(redirect: Msg, fullPath: string, matched: PathMatch): { path: string; keepQuery: boolean } {
  if (typeof redirect.pathRedirect === "string") {
    const target = redirect.pathRedirect;
    if (target.includes("?")) return { path: target, keepQuery: true };
    const { query } = splitPath(fullPath);
    return { path: withQuery(target, query), keepQuery: false };
  }
  if (typeof redirect.prefixRewrite === "string" || obj(redirect.regexRewrite)) {
    return { path: rewritePath(redirect, fullPath, matched), keepQuery: false };
  }
  return { path: fullPath, keepQuery: false };
}

/** The Location header of a redirect. `scheme` is the request's x-forwarded-proto. */
export function redirectLocation(redirect: Msg, req: { scheme: string; authority: string; path: string }, matched: PathMatch): string {
  let scheme = req.scheme;
  if (typeof redirect.schemeRedirect === "string" && redirect.schemeRedirect !== "") scheme = redirect.schemeRedirect;
  else if (redirect.httpsRedirect === true) scheme = "https";
  const portValue = num(redirect.portRedirect);
  const port = portValue ? `:${portValue}` : "";
  const host =
    typeof redirect.hostRedirect === "string" && redirect.hostRedirect !== ""
      ? redirect.hostRedirect
      : requestHost(req.authority, scheme, req.scheme, port);
  const { path: rawPath, keepQuery } = redirectPath(redirect, req.path, matched);
  let path = rawPath.startsWith("/") ? rawPath : `/${rawPath}`;
  if (!keepQuery && redirect.stripQuery === true) path = splitPath(path).path;
  return `${scheme}://${host}${port}${path}`;
}

/** The authority Envoy forwards: host_rewrite_literal (weighted cluster level first), else unchanged. */
export function rewriteHost(action: Msg, weighted: Msg | undefined, authority: string): string {
  const fromCluster = str(weighted?.hostRewriteLiteral);
  if (fromCluster) return fromCluster;
  const literal = str(action.hostRewriteLiteral);
  if (literal) return literal;
  if (action.autoHostRewrite !== undefined || action.hostRewriteHeader !== undefined || action.hostRewritePathRegex !== undefined) {
    throw new Error("host rewrites other than host_rewrite_literal are not simulated");
  }
  return authority;
}
