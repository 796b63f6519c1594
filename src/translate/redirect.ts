/**
 * RequestRedirect and URLRewrite filters, and the listener-dependent part of a redirect.
 *
 * A redirect's Location port depends on the listener a route is served on, which route-level
 * translation does not know; bindRouteToListener fills it in per listener (RequestRedirect.port
 * in the spec):
 *
 * - port set: that port;
 * - port unset, scheme set: the scheme's well-known port (http 80, https 443);
 * - port unset, scheme unset: the listener's port.
 *
 * After binding, a redirect action always carries the effective `scheme` (the filter's, or the
 * listener's protocol) and `port`, and `omitPort` when the Location should carry no port (see
 * RedirectActionIR.omitPort).
 */
import { isRecord, quote } from "../policy/report";
import type { ForwardActionIR, RedirectActionIR, RouteIR } from "../ir/types";
import type { Checked } from "./matches";

const STATUS_CODES = new Set([301, 302, 303, 307, 308]);
const SCHEMES = new Set(["http", "https"]);
const WELL_KNOWN_PORT: Record<string, number> = { http: 80, https: 443 };
/** PreciseHostname in the CRD. */
const HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_PATH = 1024;

export type PathModifier = NonNullable<RedirectActionIR["path"]>;

function hostnameOf(value: unknown, field: string): Checked<string | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== "string" || value.length > 253 || !HOSTNAME.test(value)) {
    return { ok: false, message: `${field} ${quote(value)} is not a valid hostname (lower-case DNS name, no wildcard, no port)` };
  }
  return { ok: true, value };
}

/** HTTPPathModifier: ReplaceFullPath or ReplacePrefixMatch with its value. */
export function pathModifier(value: unknown, field: string): Checked<PathModifier | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (!isRecord(value)) return { ok: false, message: `${field} must be an object` };
  const type = value.type;
  if (type !== "ReplaceFullPath" && type !== "ReplacePrefixMatch") {
    return { ok: false, message: `${field}.type ${quote(type)} is not supported (use ReplaceFullPath or ReplacePrefixMatch)` };
  }
  const key = type === "ReplaceFullPath" ? "replaceFullPath" : "replacePrefixMatch";
  const text = value[key];
  if (typeof text !== "string" || text.length > MAX_PATH) return { ok: false, message: `${field}.${key} must be set to a path of at most ${MAX_PATH} characters` };
  return { ok: true, value: { type, value: text } };
}

export function translateRedirect(config: unknown, field: string): Checked<RedirectActionIR> {
  if (!isRecord(config)) return { ok: false, message: `${field} must be an object` };
  const out: RedirectActionIR = { kind: "redirect", statusCode: 302 };
  const code = config.statusCode ?? 302;
  if (typeof code !== "number" || !STATUS_CODES.has(code)) return { ok: false, message: `${field}.statusCode ${quote(code)} is not supported (use 301, 302, 303, 307 or 308)` };
  out.statusCode = code as RedirectActionIR["statusCode"];
  if (config.scheme !== undefined && config.scheme !== null) {
    if (typeof config.scheme !== "string" || !SCHEMES.has(config.scheme)) return { ok: false, message: `${field}.scheme ${quote(config.scheme)} is not supported (use http or https)` };
    out.scheme = config.scheme;
  }
  const host = hostnameOf(config.hostname, `${field}.hostname`);
  if (!host.ok) return host;
  if (host.value !== undefined) out.hostname = host.value;
  if (config.port !== undefined && config.port !== null) {
    const p = config.port;
    if (typeof p !== "number" || !Number.isInteger(p) || p < 1 || p > 65535) return { ok: false, message: `${field}.port ${quote(p)} must be a port number from 1 to 65535` };
    out.port = p;
  }
  const path = pathModifier(config.path, `${field}.path`);
  if (!path.ok) return path;
  if (path.value) out.path = path.value;
  return { ok: true, value: out };
}

export function translateRewrite(config: unknown, field: string): Checked<NonNullable<ForwardActionIR["rewrite"]>> {
  if (!isRecord(config)) return { ok: false, message: `${field} must be an object` };
  const out: NonNullable<ForwardActionIR["rewrite"]> = {};
  const host = hostnameOf(config.hostname, `${field}.hostname`);
  if (!host.ok) return host;
  if (host.value !== undefined) out.hostname = host.value;
  const path = pathModifier(config.path, `${field}.path`);
  if (!path.ok) return path;
  if (path.value) out.path = path.value;
  return { ok: true, value: out };
}

/**
 * The route as served on a listener: a redirect gets its effective scheme and port (see the
 * file comment). Other routes are returned as they are (the same object).
 */
export function bindRouteToListener(route: RouteIR, listener: { port: number; protocol: "HTTP" | "HTTPS" }): RouteIR {
  const action = route.action;
  if (action.kind !== "redirect") return route;
  const scheme = action.scheme ?? (listener.protocol === "HTTPS" ? "https" : "http");
  const port = action.port ?? (action.scheme !== undefined ? (WELL_KNOWN_PORT[action.scheme] ?? listener.port) : listener.port);
  const listenerScheme = listener.protocol === "HTTPS" ? "https" : "http";
  const omitPort = isWellKnownPort(scheme, port) && isWellKnownPort(listenerScheme, listener.port) ? true : undefined;
  if (action.scheme === scheme && action.port === port && action.omitPort === omitPort) return route;
  const bound: RedirectActionIR = { ...action, scheme, port };
  if (omitPort) bound.omitPort = true;
  else delete bound.omitPort;
  return { ...route, action: bound };
}

/** Whether a Location with this scheme and port should leave the port out (80 for http, 443 for https). */
export function isWellKnownPort(scheme: string, port: number): boolean {
  return WELL_KNOWN_PORT[scheme] === port;
}
