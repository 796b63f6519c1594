/**
 * The simulator's virtual host and route matching on hand-written Envoy configuration. Expected
 * results follow Envoy's documentation: VirtualHost.domains search order (exact, longest suffix
 * wildcard, longest prefix wildcard, "*"), RouteMatch path specifiers, HeaderMatcher and
 * QueryParameterMatcher semantics, and "the first route that matches is used".
 */
import { describe, expect, it } from "vitest";
import { only, simulate } from "./simulator";
import { EchoModel, config, get, listener, routeConfig, toCluster, vhost } from "./simulator/fixtures";
import { rejections } from "./simulator/validate";

function servedBy(cfg: ReturnType<typeof config>, request: ReturnType<typeof get>): string {
  const response = only(simulate(cfg, request, new EchoModel()));
  return response.upstream?.cluster ?? `${response.status} ${response.reason}`;
}

describe("virtual host selection", () => {
  const cfg = config({
    clusterNames: ["exact", "suffix-long", "suffix-short", "prefix", "any", "port"],
    vhosts: [
      vhost("exact", ["foo.example.com"], [toCluster("exact")]),
      vhost("suffix-long", ["*.bar.example.com"], [toCluster("suffix-long")]),
      vhost("suffix-short", ["*.example.com"], [toCluster("suffix-short")]),
      vhost("prefix", ["api.*"], [toCluster("prefix")]),
      vhost("port", ["ported.example.org:8080"], [toCluster("port")]),
      vhost("any", ["*"], [toCluster("any")]),
    ],
  });

  it.each([
    ["foo.example.com", "exact"],
    ["FOO.Example.COM", "exact"],
    ["x.bar.example.com", "suffix-long"],
    ["a.b.bar.example.com", "suffix-long"],
    ["bar.example.com", "suffix-short"],
    ["x.example.com", "suffix-short"],
    ["api.internal", "prefix"],
    ["example.com", "any"],
    ["192.0.2.1", "any"],
    ["ported.example.org:8080", "port"],
    ["ported.example.org", "any"],
    ["foo.example.com:8080", "any"],
  ])("Host %s goes to %s", (host, expected) => {
    expect(servedBy(cfg, get("/", host))).toBe(expected);
  });

  it("a suffix wildcard does not match the bare suffix", () => {
    const c = config({ clusterNames: ["w"], vhosts: [vhost("w", ["*.example.com"], [toCluster("w")])] });
    expect(servedBy(c, get("/", ".example.com"))).toBe("404 route_not_found: no virtual host");
  });

  it("ignore_port_in_host_matching drops the port before matching", () => {
    const c = config({
      clusterNames: ["exact"],
      routes: [routeConfig([vhost("exact", ["foo.example.com"], [toCluster("exact")])], { ignorePortInHostMatching: true })],
    });
    expect(servedBy(c, get("/", "foo.example.com:1234"))).toBe("exact");
  });

  it("strip_any_host_port removes the port from the Host header before routing and forwarding", () => {
    const c = config({
      clusterNames: ["exact"],
      listeners: [listener(80, { stripAnyHostPort: true })],
      vhosts: [vhost("exact", ["foo.example.com"], [toCluster("exact")])],
    });
    const response = only(simulate(c, get("/", "foo.example.com:1234"), new EchoModel()));
    expect(response.upstream?.request.authority).toBe("foo.example.com");
  });

  it("a domain in two virtual hosts is a configuration Envoy rejects", () => {
    const c = config({ clusterNames: ["a"], vhosts: [vhost("a", ["x.com"], [toCluster("a")]), vhost("b", ["x.com"], [toCluster("a")])] });
    expect(() => simulate(c, get("/", "x.com"), new EchoModel())).toThrow(/more than one virtual host/);
    expect(rejections(c)).toEqual(['route configuration rc: domain "x.com" appears in more than one virtual host']);
  });
});

describe("path matching", () => {
  const cfg = config({
    clusterNames: ["exact", "sep", "regex", "prefix", "ci"],
    vhosts: [
      vhost("v", ["*"], [
        toCluster("exact", { path: "/exact" }),
        toCluster("sep", { pathSeparatedPrefix: "/sep" }),
        toCluster("regex", { safeRegex: { regex: "/re/[0-9]+" } }),
        toCluster("ci", { prefix: "/CI", caseSensitive: { value: false } }),
        toCluster("prefix", { prefix: "/p" }),
      ]),
    ],
  });

  it.each([
    ["/exact", "exact"],
    ["/exact?x=1", "exact"],
    ["/exact/", "404 route_not_found"],
    ["/Exact", "404 route_not_found"],
    ["/sep", "sep"],
    ["/sep/a", "sep"],
    ["/sepx", "404 route_not_found"],
    ["/re/123", "regex"],
    ["/re/123/x", "404 route_not_found"],
    ["/re/123?q=1", "regex"],
    ["/ci/x", "ci"],
    ["/Ci", "ci"],
    ["/path", "prefix"],
    ["/p", "prefix"],
    ["/x", "404 route_not_found"],
  ])("%s → %s", (path, expected) => {
    expect(servedBy(cfg, get(path))).toBe(expected);
  });

  it("takes the first matching route, not the longest", () => {
    const c = config({ clusterNames: ["short", "long"], vhosts: [vhost("v", ["*"], [toCluster("short", { prefix: "/" }), toCluster("long", { prefix: "/long" })])] });
    expect(servedBy(c, get("/long/x"))).toBe("short");
  });
});

describe("header and query parameter matching", () => {
  const cfg = config({
    clusterNames: ["exact", "regex", "present", "inverted", "query", "method", "fallback"],
    vhosts: [
      vhost("v", ["*"], [
        toCluster("exact", { prefix: "/", headers: [{ name: "version", stringMatch: { exact: "one" } }] }),
        toCluster("regex", { prefix: "/", headers: [{ name: "color", safeRegexMatch: { regex: "bl(ue|ack)" } }] }),
        toCluster("present", { prefix: "/", headers: [{ name: "x-present", presentMatch: true }] }),
        toCluster("inverted", { prefix: "/inv", headers: [{ name: "x-team", stringMatch: { exact: "a" }, invertMatch: true }] }),
        toCluster("query", { prefix: "/", queryParameters: [{ name: "animal", stringMatch: { exact: "whale" } }] }),
        toCluster("method", { prefix: "/", headers: [{ name: ":method", stringMatch: { exact: "POST" } }] }),
        toCluster("fallback", { prefix: "/" }),
      ]),
    ],
  });

  it.each([
    ["Version: one", get("/", "h", [["Version", "one"]]), "exact"],
    ["header names are case-insensitive, values are not", get("/", "h", [["version", "One"]]), "fallback"],
    ["regex must match the whole value", get("/", "h", [["color", "blue"]]), "regex"],
    ["regex partial match does not count", get("/", "h", [["color", "blueish"]]), "fallback"],
    ["present_match", get("/", "h", [["x-present", ""]]), "present"],
    ["invert_match with a different value", get("/inv", "h", [["x-team", "b"]]), "inverted"],
    ["invert_match with the header absent does not match", get("/inv"), "fallback"],
    ["query parameter", get("/?animal=whale"), "query"],
    ["query parameter names are case-sensitive", get("/?ANIMAL=whale"), "fallback"],
    ["the first value of a repeated parameter counts", get("/?animal=dolphin&animal=whale"), "fallback"],
    ["percent-encoded query values are decoded", get("/?animal=wh%61le"), "query"],
    [":method pseudo-header", get("/", "h", [], { method: "POST" }), "method"],
  ])("%s", (_label, request, expected) => {
    expect(servedBy(cfg, request)).toBe(expected);
  });

  it("a repeated header is matched on its values joined with commas", () => {
    const c = config({
      clusterNames: ["joined", "fallback"],
      vhosts: [vhost("v", ["*"], [toCluster("joined", { prefix: "/", headers: [{ name: "x", stringMatch: { exact: "a,b" } }] }), toCluster("fallback")])],
    });
    expect(servedBy(c, get("/", "h", [["x", "a"], ["x", "b"]]))).toBe("joined");
  });
});
