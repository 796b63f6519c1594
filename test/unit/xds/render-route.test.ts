/**
 * Route rendering: matches, actions and filters, each expectation written from Envoy's v3 API
 * reference (route_components.proto) and the Gateway API HTTPRoute spec, not from output.
 */
import { describe, expect, it } from "vitest";
import { INVALID_BACKEND_CLUSTER, renderRoute, renderRouteConfig } from "../../../src/xds/render";
import { prefixRewrite } from "../../../src/xds/render/route-action";
import { renderMatch } from "../../../src/xds/render/route";
import type { ForwardActionIR, RouteIR } from "../../../src/ir/types";
import { route } from "./render-fixtures";

const forward = (patch: Partial<ForwardActionIR>): ForwardActionIR => ({
  kind: "forward",
  backends: [{ clusterName: "a", weight: 1 }],
  invalidWeight: 0,
  mirrors: [],
  websocket: false,
  ...patch,
});

const actionOf = (patch: Partial<ForwardActionIR>, r: Partial<RouteIR> = {}) =>
  renderRoute(route("r", { ...r, action: forward(patch) })).route as Record<string, unknown>;

describe("path matches", () => {
  it("Exact is Envoy's path (whole path, case-sensitive)", () => {
    expect(renderMatch({ path: { type: "Exact", value: "/a/b" }, headers: [], queryParams: [] })).toEqual({ path: "/a/b" });
  });

  it("PathPrefix is segment-wise: path_separated_prefix without the trailing slash", () => {
    expect(renderMatch({ path: { type: "PathPrefix", value: "/api" }, headers: [], queryParams: [] })).toEqual({ pathSeparatedPrefix: "/api" });
    // Gateway API: a trailing slash in a PathPrefix value is ignored; Envoy rejects it in path_separated_prefix.
    expect(renderMatch({ path: { type: "PathPrefix", value: "/api/" }, headers: [], queryParams: [] })).toEqual({ pathSeparatedPrefix: "/api" });
  });

  it("PathPrefix / matches every path: prefix /", () => {
    expect(renderMatch({ path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [] })).toEqual({ prefix: "/" });
  });

  it("RegularExpression is safe_regex (RE2) without the deprecated google_re2 field", () => {
    expect(renderMatch({ path: { type: "RegularExpression", value: "/v[0-9]+/.*" }, headers: [], queryParams: [] })).toEqual({
      safeRegex: { regex: "/v[0-9]+/.*" },
    });
  });

  it("headers lowercased with string_match, method as :method, query params keep their case", () => {
    const m = renderMatch({
      path: { type: "PathPrefix", value: "/" },
      headers: [{ name: "X-Env", type: "Exact", value: "Prod" }, { name: "x-id", type: "RegularExpression", value: "[0-9]+" }],
      queryParams: [{ name: "Page", type: "Exact", value: "2" }],
      method: "PATCH",
    });
    expect(m.headers).toEqual([
      { name: "x-env", stringMatch: { exact: "Prod" } },
      { name: "x-id", stringMatch: { safeRegex: { regex: "[0-9]+" } } },
      { name: ":method", stringMatch: { exact: "PATCH" } },
    ]);
    expect(m.queryParameters).toEqual([{ name: "Page", stringMatch: { exact: "2" } }]);
  });
});

describe("forwarding", () => {
  it("one backend: cluster", () => {
    expect(actionOf({})).toEqual({ cluster: "a" });
  });

  it("several backends: weighted_clusters with UInt32Value weights, no deprecated total_weight", () => {
    const a = actionOf({ backends: [{ clusterName: "a", weight: 80 }, { clusterName: "b", weight: 20 }] });
    expect(a).toEqual({ weightedClusters: { clusters: [{ name: "a", weight: { value: 80 } }, { name: "b", weight: { value: 20 } }] } });
  });

  it("the invalid share goes to a cluster that does not exist, answered 500 (cluster_not_found_response_code)", () => {
    const a = actionOf({ backends: [{ clusterName: "a", weight: 1 }], invalidWeight: 3 });
    expect(a.weightedClusters).toEqual({ clusters: [{ name: "a", weight: { value: 1 } }, { name: INVALID_BACKEND_CLUSTER, weight: { value: 3 } }] });
    expect(a.clusterNotFoundResponseCode).toBe("INTERNAL_SERVER_ERROR");
  });

  it("no valid backend: a direct 500", () => {
    const r = renderRoute(route("r", { action: forward({ backends: [], invalidWeight: 1 }) }));
    expect(r.directResponse).toEqual({ status: 500 });
    expect(r.route).toBeUndefined();
  });

  it("per-backend header modifiers stay on the weighted entry", () => {
    const a = actionOf({ backends: [{ clusterName: "a", weight: 1, responseHeaders: { set: [], add: [{ name: "x-b", value: "1" }], remove: ["x-c"] } }] });
    expect(a.weightedClusters).toEqual({
      clusters: [
        {
          name: "a",
          weight: { value: 1 },
          responseHeadersToAdd: [{ header: { key: "x-b", value: "1" }, appendAction: "APPEND_IF_EXISTS_OR_ADD" }],
          responseHeadersToRemove: ["x-c"],
        },
      ],
    });
  });

  it("mirrors: 100% unconditional, whole percents per hundred, fractions per million", () => {
    const a = actionOf({ mirrors: [{ clusterName: "m1", percent: 100 }, { clusterName: "m2", percent: 50 }, { clusterName: "m3", percent: 33.3333 }] });
    expect(a.requestMirrorPolicies).toEqual([
      { cluster: "m1" },
      { cluster: "m2", runtimeFraction: { defaultValue: { numerator: 50, denominator: "HUNDRED" } } },
      { cluster: "m3", runtimeFraction: { defaultValue: { numerator: 333333, denominator: "MILLION" } } },
    ]);
  });

  it("request timeout is the route timeout; 0 disables it", () => {
    expect(actionOf({ timeoutMs: 5000 }).timeout).toEqual({ seconds: 5 });
    expect(actionOf({ timeoutMs: 0 }).timeout).toEqual({ seconds: 0 });
    expect(actionOf({}).timeout).toBeUndefined();
  });

  it("backendRequest without retries bounds the single try: the smaller of the two", () => {
    expect(actionOf({ backendTimeoutMs: 1500 }).timeout).toEqual({ seconds: 1, nanos: 500_000_000 });
    expect(actionOf({ timeoutMs: 1000, backendTimeoutMs: 3000 }).timeout).toEqual({ seconds: 1 });
  });

  it("backendRequest with retries is the per-try timeout", () => {
    const a = actionOf({ timeoutMs: 10_000, backendTimeoutMs: 2000, retry: { attempts: 2, codes: [503], backoffMs: 250 } });
    expect(a.timeout).toEqual({ seconds: 10 });
    expect(a.retryPolicy).toEqual({
      retryOn: "connect-failure,refused-stream,retriable-status-codes",
      numRetries: { value: 2 },
      retriableStatusCodes: [503],
      perTryTimeout: { seconds: 2 },
      retryBackOff: { baseInterval: { seconds: 0, nanos: 250_000_000 } },
    });
  });

  it("websocket: a route-level upgrade config", () => {
    expect(actionOf({ websocket: true }).upgradeConfigs).toEqual([{ upgradeType: "websocket" }]);
    expect(actionOf({}).upgradeConfigs).toBeUndefined();
  });
});

describe("URL rewrite", () => {
  it("hostname: host_rewrite_literal", () => {
    expect(actionOf({ rewrite: { hostname: "www.httpbin.org" } }).hostRewriteLiteral).toBe("www.httpbin.org");
  });

  it("ReplaceFullPath: regex_rewrite of the whole path", () => {
    expect(actionOf({ rewrite: { path: { type: "ReplaceFullPath", value: "/new" } } }).regexRewrite).toEqual({
      pattern: { regex: "^/.*$" },
      substitution: "/new",
    });
  });

  // Gateway API HTTPPathModifier: /foo + /xyz and /foo + /xyz/ map /foo/bar to /xyz/bar; /foo + / maps /foo/bar to /bar.
  it("ReplacePrefixMatch with a real replacement: prefix_rewrite without its trailing slash", () => {
    const p = { type: "PathPrefix" as const, value: "/foo" };
    expect(prefixRewrite(p, "/xyz")).toEqual({ prefixRewrite: "/xyz" });
    expect(prefixRewrite(p, "/xyz/")).toEqual({ prefixRewrite: "/xyz" });
    expect(prefixRewrite({ type: "PathPrefix", value: "/foo/" }, "/xyz")).toEqual({ prefixRewrite: "/xyz" });
  });

  it("ReplacePrefixMatch with / strips the prefix and any slashes after it, leaving one", () => {
    expect(prefixRewrite({ type: "PathPrefix", value: "/foo/" }, "/")).toEqual({ regexRewrite: { pattern: { regex: "^/foo/*" }, substitution: "/" } });
    expect(prefixRewrite({ type: "PathPrefix", value: "/a.b" }, "")).toEqual({ regexRewrite: { pattern: { regex: "^/a\\.b/*" }, substitution: "/" } });
  });

  it("ReplacePrefixMatch under prefix /: the replacement goes in front of the path", () => {
    expect(prefixRewrite({ type: "PathPrefix", value: "/" }, "/api")).toEqual({ regexRewrite: { pattern: { regex: "^/" }, substitution: "/api/" } });
    expect(prefixRewrite({ type: "PathPrefix", value: "/" }, "/")).toEqual({});
  });
});

describe("redirects and direct responses", () => {
  it("every Gateway API status code maps to Envoy's RedirectResponseCode", () => {
    const codes = { 301: "MOVED_PERMANENTLY", 302: "FOUND", 303: "SEE_OTHER", 307: "TEMPORARY_REDIRECT", 308: "PERMANENT_REDIRECT" } as const;
    for (const [code, name] of Object.entries(codes)) {
      const r = renderRoute(route("r", { action: { kind: "redirect", statusCode: Number(code) as 301 } }));
      expect(r.redirect).toEqual({ responseCode: name });
    }
  });

  it("scheme, host, port and full path", () => {
    const r = renderRoute(route("r", { action: { kind: "redirect", scheme: "https", hostname: "example.org", port: 8443, path: { type: "ReplaceFullPath", value: "/x" }, statusCode: 302 } }));
    expect(r.redirect).toEqual({ schemeRedirect: "https", hostRedirect: "example.org", portRedirect: 8443, pathRedirect: "/x", responseCode: "FOUND" });
  });

  it("a well-known port marked omitPort is left out, so the Location carries none", () => {
    const r = renderRoute(route("r", { action: { kind: "redirect", scheme: "https", hostname: "example.org", port: 443, omitPort: true, statusCode: 301 } }));
    expect(r.redirect).toEqual({ schemeRedirect: "https", hostRedirect: "example.org", responseCode: "MOVED_PERMANENTLY" });
  });

  it("prefix replacement in a redirect follows the rewrite rules", () => {
    const r = renderRoute(route("r", { match: { path: { type: "PathPrefix", value: "/old" }, headers: [], queryParams: [] }, action: { kind: "redirect", path: { type: "ReplacePrefixMatch", value: "/new" }, statusCode: 301 } }));
    expect(r.redirect).toEqual({ prefixRewrite: "/new", responseCode: "MOVED_PERMANENTLY" });
  });

  it("direct response with an inline body", () => {
    expect(renderRoute(route("r", { action: { kind: "direct", status: 404, body: "nope" } })).directResponse).toEqual({ status: 404, body: { inlineString: "nope" } });
  });
});

describe("headers and CORS", () => {
  it("set overwrites, add appends, remove drops (route level)", () => {
    const r = renderRoute(route("r", { requestHeaders: { set: [{ name: "a", value: "1" }], add: [{ name: "b", value: "2" }], remove: ["c"] } }));
    expect(r.requestHeadersToAdd).toEqual([
      { header: { key: "a", value: "1" }, appendAction: "OVERWRITE_IF_EXISTS_OR_ADD" },
      { header: { key: "b", value: "2" }, appendAction: "APPEND_IF_EXISTS_OR_ADD" },
    ]);
    expect(r.requestHeadersToRemove).toEqual(["c"]);
  });

  it("CORS becomes a per-route CorsPolicy under the cors filter's name; preflights from other origins are not forwarded", () => {
    const r = renderRoute(route("r", { cors: { allowOrigins: ["*", "https://a.example"], allowMethods: ["GET"], allowHeaders: [], exposeHeaders: [], allowCredentials: false } }));
    expect(r.typedPerFilterConfig).toEqual({
      "envoy.filters.http.cors": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy",
        allowOriginStringMatch: [{ safeRegex: { regex: ".*" } }, { exact: "https://a.example" }],
        allowMethods: "GET",
        forwardNotMatchingPreflights: { value: false },
      },
    });
  });

  it("a route configuration keeps virtual host and route order and leaves cluster validation off", () => {
    const rc = renderRouteConfig({ name: "rc", virtualHosts: [{ name: "vh", domains: ["a.example", "*.b.example"], routes: [route("one"), route("two")] }] });
    expect(rc.validateClusters).toEqual({ value: false });
    expect(rc.ignorePortInHostMatching).toBe(true);
    const vhs = rc.virtualHosts as Array<Record<string, unknown>>;
    expect(vhs[0].domains).toEqual(["a.example", "*.b.example"]);
    expect((vhs[0].routes as Array<Record<string, unknown>>).map(r => r.name)).toEqual(["one", "two"]);
  });
});
