/**
 * URL → what is asked for: a discovery document, or a resource (group, version, namespace,
 * plural, name, subresource), including the deprecated /watch/ path prefix.
 */
import type { Target } from "./cluster";
import { ApiError } from "./errors";
import type { Registry } from "./registry";

export type Route =
  | { kind: "core-versions" }
  | { kind: "core-resources" }
  | { kind: "groups" }
  | { kind: "group"; group: string }
  | { kind: "group-resources"; group: string; version: string }
  | { kind: "resource"; target: Target; watchPath: boolean }
  | { kind: "plain"; body: string; code: number }
  | { kind: "openapi"; rest: string };

export function notServed(): ApiError {
  return new ApiError(404, "NotFound", "the server could not find the requested resource", {});
}

const PLAIN: Record<string, string> = { "/healthz": "ok", "/livez": "ok", "/readyz": "ok" };

export function route(path: string, reg: Registry): Route | "version" {
  if (path in PLAIN) return { kind: "plain", body: PLAIN[path], code: 200 };
  if (path === "/version") return "version";
  if (path === "/openapi/v3" || path.startsWith("/openapi/v3/")) return { kind: "openapi", rest: path.slice("/openapi/v3".length) };
  const segs = path.split("/").filter((s) => s !== "").map(decodeURIComponent);
  if (segs[0] === "api") {
    if (segs.length === 1) return { kind: "core-versions" };
    if (segs[1] !== "v1") throw notServed();
    if (segs.length === 2) return { kind: "core-resources" };
    return resourceRoute(reg, "", "v1", segs.slice(2));
  }
  if (segs[0] === "apis") {
    if (segs.length === 1) return { kind: "groups" };
    if (segs.length === 2) return { kind: "group", group: segs[1] };
    if (!reg.servesGroupVersion(segs[1], segs[2])) throw notServed();
    if (segs.length === 3) return { kind: "group-resources", group: segs[1], version: segs[2] };
    return resourceRoute(reg, segs[1], segs[2], segs.slice(3));
  }
  throw notServed();
}

function resourceRoute(reg: Registry, group: string, version: string, rest: string[]): Route {
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  const nsSubresource = group === "" && rest.length === 3 && ["status", "finalize"].includes(rest[2]);
  if (rest[0] === "namespaces" && rest.length >= 3 && !nsSubresource) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) throw notServed();
  const [plural, name, subresource] = rest;
  const type = reg.lookup(group, version, plural);
  if (!type) throw notServed();
  if (namespace !== undefined && !type.namespaced) throw notServed();
  if (type.namespaced && namespace === undefined && name !== undefined) throw notServed();
  return { kind: "resource", target: { type, version, namespace, name, subresource }, watchPath };
}
