/**
 * HTTPRouteMatch → RouteMatchIR. The IR keeps Gateway API semantics:
 *
 * - path Exact: the whole path; PathPrefix: element-wise (`/foo` matches `/foo` and `/foo/bar`,
 *   never `/foobar`), stored without its trailing `/` (the spec ignores it; `/` stays `/`), so
 *   render can map it to Envoy's path_separated_prefix; RegularExpression: RE2, whole path.
 * - headers: names lower-cased (HTTP header names are case-insensitive); when several entries
 *   name the same header, only the first counts (spec). Query parameters: names are exact, and
 *   again only the first entry for a name counts.
 * - method: one of the CRD's methods.
 *
 * A match the CRD would not admit (bad path, bad header name, a regex RE2 rejects ...) makes its
 * rule invalid; the reason is returned as text and never thrown.
 */
import { re2Error } from "../policy/regex";
import { isRecord, quote } from "../policy/report";
import type { HeaderMatchIR, PathMatchIR, RouteMatchIR } from "../ir/types";

/** List limits of the v1 HTTPRoute CRD. */
export const MATCH_LIMITS = { matches: 64, headers: 16, queryParams: 16 } as const;

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]);
/** RFC 7230 token: the CRD's pattern for header and query parameter names. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** The CRD's character set for Exact and PathPrefix values. */
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;
const PATH_FORBIDDEN = ["//", "/./", "/../", "%2f", "%2F", "#"];

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

/** The match a rule without matches gets: every request. */
export function defaultMatch(): RouteMatchIR {
  return { path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [] };
}

/** Drops the trailing `/` of a prefix (the spec ignores it), keeping `/` itself. */
export function normalizePrefix(value: string): string {
  let out = value;
  while (out.length > 1 && out.endsWith("/")) out = out.slice(0, -1);
  return out;
}

function pathProblem(value: string): string | undefined {
  if (!value.startsWith("/")) return "must start with /";
  const bad = PATH_FORBIDDEN.find(s => value.includes(s));
  if (bad) return `must not contain ${quote(bad)}`;
  if (value.endsWith("/..") || value.endsWith("/.")) return "must not end with /. or /..";
  if (!PATH_CHARS.test(value)) return "contains characters a path may not (percent-encode them)";
  return undefined;
}

function regexProblem(value: string): string | undefined {
  const err = re2Error(value);
  return err ? `${quote(value)} is not a valid RE2 regular expression (${err})` : undefined;
}

export function translatePath(path: unknown, field: string): Checked<PathMatchIR> {
  if (path === undefined || path === null) return { ok: true, value: { type: "PathPrefix", value: "/" } };
  if (!isRecord(path)) return fail(`${field} must be an object`);
  const type = path.type ?? "PathPrefix";
  const value = path.value ?? "/";
  if (typeof value !== "string") return fail(`${field}.value must be a string`);
  if (type === "RegularExpression") {
    const problem = regexProblem(value);
    return problem ? fail(`${field}.value: ${problem}`) : { ok: true, value: { type, value } };
  }
  if (type !== "Exact" && type !== "PathPrefix") return fail(`${field}.type ${quote(type)} is not supported (use Exact, PathPrefix or RegularExpression)`);
  const problem = pathProblem(value);
  if (problem) return fail(`${field}.value ${quote(value)} ${problem}`);
  return { ok: true, value: { type, value: type === "PathPrefix" ? normalizePrefix(value) : value } };
}

/** Header or query parameter matchers; `fold` lower-cases names (headers). */
function translateNamed(list: unknown, field: string, max: number, fold: boolean): Checked<HeaderMatchIR[]> {
  if (list === undefined || list === null) return { ok: true, value: [] };
  if (!Array.isArray(list)) return fail(`${field} must be a list`);
  if (list.length > max) return fail(`${field} has ${list.length} entries, more than ${max}`);
  const out: HeaderMatchIR[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const at = `${field}[${i}]`;
    const item: unknown = list[i];
    if (!isRecord(item)) return fail(`${at} must be an object`);
    const { name, value } = item;
    const type = item.type ?? "Exact";
    if (typeof name !== "string" || !TOKEN.test(name)) return fail(`${at}.name ${quote(name)} is not a valid name`);
    if (typeof value !== "string" || value === "") return fail(`${at}.value must be a non-empty string`);
    if (type !== "Exact" && type !== "RegularExpression") return fail(`${at}.type ${quote(type)} is not supported (use Exact or RegularExpression)`);
    if (type === "RegularExpression") {
      const problem = regexProblem(value);
      if (problem) return fail(`${at}.value: ${problem}`);
    }
    const key = fold ? name.toLowerCase() : name;
    if (seen.has(key)) continue; // only the first entry for a name counts
    seen.add(key);
    out.push({ name: key, type, value });
  }
  return { ok: true, value: out };
}

export function translateMatch(match: unknown, field: string): Checked<RouteMatchIR> {
  if (!isRecord(match)) return fail(`${field} must be an object`);
  const path = translatePath(match.path, `${field}.path`);
  if (!path.ok) return path;
  const headers = translateNamed(match.headers, `${field}.headers`, MATCH_LIMITS.headers, true);
  if (!headers.ok) return headers;
  const queryParams = translateNamed(match.queryParams, `${field}.queryParams`, MATCH_LIMITS.queryParams, false);
  if (!queryParams.ok) return queryParams;
  const out: RouteMatchIR = { path: path.value, headers: headers.value, queryParams: queryParams.value };
  if (match.method !== undefined && match.method !== null) {
    if (typeof match.method !== "string" || !METHODS.has(match.method)) return fail(`${field}.method ${quote(match.method)} is not an HTTP method the API allows`);
    out.method = match.method;
  }
  return { ok: true, value: out };
}

/** The matches of a rule (the default match when it lists none). */
export function translateMatches(matches: unknown, field: string): Checked<RouteMatchIR[]> {
  if (matches === undefined || matches === null) return { ok: true, value: [defaultMatch()] };
  if (!Array.isArray(matches)) return fail(`${field} must be a list`);
  if (matches.length > MATCH_LIMITS.matches) return fail(`${field} has ${matches.length} entries, more than ${MATCH_LIMITS.matches}`);
  if (matches.length === 0) return { ok: true, value: [defaultMatch()] };
  const out: RouteMatchIR[] = [];
  for (let i = 0; i < matches.length; i++) {
    const m = translateMatch(matches[i], `${field}[${i}]`);
    if (!m.ok) return m;
    out.push(m.value);
  }
  return { ok: true, value: out };
}
