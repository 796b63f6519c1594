/**
 * The simulator's route actions on hand-written Envoy configuration. Expected values follow
 * Envoy's documentation: RedirectAction (scheme/host/port/path rewriting, response_code,
 * strip_query, the request's port dropped when the scheme changes from its default), RouteAction
 * prefix_rewrite/regex_rewrite/host_rewrite_literal, weighted_clusters, cluster_not_found_response_code,
 * request_mirror_policies, and custom headers ("weighted cluster level headers, route level headers,
 * virtual host level headers and finally global route configuration level headers", removals
 * before additions, append_action).
 */
import { describe, expect, it } from "vitest";
import { only, simulate } from "./simulator";
import { EchoModel, config, get, routeConfig, vhost } from "./simulator/fixtures";

const redirectTo = (redirect: Record<string, unknown>, match: Record<string, unknown> = { prefix: "/" }) => ({ match, redirect });

function location(redirect: Record<string, unknown>, request = get("/a/b?x=1", "example.com"), match?: Record<string, unknown>) {
  const cfg = config({ vhosts: [vhost("v", ["*"], [redirectTo(redirect, match)])] });
  const response = only(simulate(cfg, request, new EchoModel()));
  return { status: response.status, location: response.headers.find(([n]) => n === "location")?.[1] };
}

describe("redirects", () => {
  it.each([
    [{}, 301, "http://example.com/a/b?x=1"],
    [{ responseCode: "FOUND" }, 302, "http://example.com/a/b?x=1"],
    [{ responseCode: "SEE_OTHER" }, 303, "http://example.com/a/b?x=1"],
    [{ responseCode: "TEMPORARY_REDIRECT" }, 307, "http://example.com/a/b?x=1"],
    [{ responseCode: "PERMANENT_REDIRECT" }, 308, "http://example.com/a/b?x=1"],
    [{ httpsRedirect: true }, 301, "https://example.com/a/b?x=1"],
    [{ schemeRedirect: "https" }, 301, "https://example.com/a/b?x=1"],
    [{ hostRedirect: "example.org" }, 301, "http://example.org/a/b?x=1"],
    [{ portRedirect: 8083 }, 301, "http://example.com:8083/a/b?x=1"],
    [{ hostRedirect: "example.org", portRedirect: 8083 }, 301, "http://example.org:8083/a/b?x=1"],
    [{ pathRedirect: "/full" }, 301, "http://example.com/full?x=1"],
    [{ pathRedirect: "/full?y=2" }, 301, "http://example.com/full?y=2"],
    [{ stripQuery: true }, 301, "http://example.com/a/b"],
    [{ regexRewrite: { pattern: { regex: "^/a/(.*)$" }, substitution: "/z/\\1" } }, 301, "http://example.com/z/b?x=1"],
  ])("%j → %i %s", (redirect, status, expected) => {
    expect(location(redirect)).toEqual({ status, location: expected });
  });

  it("prefix_rewrite replaces the matched prefix", () => {
    expect(location({ prefixRewrite: "/new" }, get("/old/lemon"), { prefix: "/old" }).location).toBe("http://example.com/new/lemon");
  });

  it("keeps a non-default port of the request when only the path changes", () => {
    expect(location({ pathRedirect: "/p" }, get("/", "example.com:8080", [], { port: 80 })).location).toBe("http://example.com:8080/p");
  });

  it("drops :80 when the scheme changes from http", () => {
    expect(location({ schemeRedirect: "https" }, get("/", "example.com:80")).location).toBe("https://example.com/");
  });

  it("keeps a non-default port when the scheme changes", () => {
    expect(location({ schemeRedirect: "https" }, get("/", "example.com:8080")).location).toBe("https://example.com:8080/");
  });

  it("replaces the request port with port_redirect", () => {
    expect(location({ portRedirect: 9090 }, get("/", "example.com:8080")).location).toBe("http://example.com:9090/");
  });
});

describe("direct responses", () => {
  it("answers with the configured status and body", () => {
    const cfg = config({ vhosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, directResponse: { status: 500, body: { inlineString: "no" } } }])] });
    const response = only(simulate(cfg, get("/"), new EchoModel()));
    expect([response.status, response.body, response.source]).toEqual([500, "no", "envoy"]);
  });
});

describe("forwarding", () => {
  function forwarded(action: Record<string, unknown>, request = get("/prefix/one/two?q=1"), match: Record<string, unknown> = { prefix: "/prefix" }) {
    const cfg = config({ clusterNames: ["c"], vhosts: [vhost("v", ["*"], [{ match, route: { cluster: "c", ...action } }])] });
    return only(simulate(cfg, request, new EchoModel())).upstream?.request;
  }

  it("prefix_rewrite swaps the matched prefix and keeps the query", () => {
    expect(forwarded({ prefixRewrite: "/x" })?.path).toBe("/x/one/two?q=1");
  });

  it("prefix_rewrite of \"/\" leaves a double slash (Envoy does not normalise it)", () => {
    expect(forwarded({ prefixRewrite: "/" })?.path).toBe("//one/two?q=1");
  });

  it("regex_rewrite substitutes on the path without the query", () => {
    expect(forwarded({ regexRewrite: { pattern: { regex: "^/prefix/*" }, substitution: "/" } })?.path).toBe("/one/two?q=1");
  });

  it("host_rewrite_literal replaces :authority", () => {
    expect(forwarded({ hostRewriteLiteral: "one.example.org" })?.authority).toBe("one.example.org");
  });

  it("sets x-forwarded-proto", () => {
    expect(forwarded({})?.headers).toContainEqual(["x-forwarded-proto", "http"]);
  });
});

describe("header mutations", () => {
  const add = (key: string, value: string, appendAction?: string) => ({ header: { key, value }, ...(appendAction ? { appendAction } : {}) });

  function headersAfter(route: Record<string, unknown>, vhostExtra: Record<string, unknown> = {}, rcExtra: Record<string, unknown> = {}) {
    const cfg = config({
      clusterNames: ["c"],
      routes: [routeConfig([vhost("v", ["*"], [{ match: { prefix: "/" }, route: { cluster: "c" }, ...route }], vhostExtra)], rcExtra)],
    });
    const request = get("/", "h", [["x-set", "old"], ["x-add", "old"], ["x-gone", "v"]]);
    return only(simulate(cfg, request, new EchoModel())).upstream?.request.headers ?? [];
  }

  it("applies append actions and removals", () => {
    const headers = headersAfter({
      requestHeadersToAdd: [add("X-Set", "new", "OVERWRITE_IF_EXISTS_OR_ADD"), add("x-add", "more"), add("x-absent", "a", "ADD_IF_ABSENT"), add("x-set", "no", "ADD_IF_ABSENT"), add("x-none", "z", "OVERWRITE_IF_EXISTS")],
      requestHeadersToRemove: ["X-Gone"],
    });
    expect(headers.filter(([n]) => n.startsWith("x-") && n !== "x-forwarded-proto")).toEqual([
      ["x-add", "old"],
      ["x-set", "new"],
      ["x-add", "more"],
      ["x-absent", "a"],
    ]);
  });

  it("the deprecated append=false overwrites", () => {
    const headers = headersAfter({ requestHeadersToAdd: [{ header: { key: "x-add", value: "v" }, append: { value: false } }] });
    expect(headers.filter(([n]) => n === "x-add")).toEqual([["x-add", "v"]]);
  });

  it("route level is applied before virtual host level, which then wins an overwrite", () => {
    const headers = headersAfter(
      { requestHeadersToAdd: [add("x-level", "route", "OVERWRITE_IF_EXISTS_OR_ADD")] },
      { requestHeadersToAdd: [add("x-level", "vhost", "OVERWRITE_IF_EXISTS_OR_ADD")] },
    );
    expect(headers.filter(([n]) => n === "x-level")).toEqual([["x-level", "vhost"]]);
  });

  it("most_specific_header_mutations_wins reverses the order", () => {
    const headers = headersAfter(
      { requestHeadersToAdd: [add("x-level", "route", "OVERWRITE_IF_EXISTS_OR_ADD")] },
      { requestHeadersToAdd: [add("x-level", "vhost", "OVERWRITE_IF_EXISTS_OR_ADD")] },
      { mostSpecificHeaderMutationsWins: true },
    );
    expect(headers.filter(([n]) => n === "x-level")).toEqual([["x-level", "route"]]);
  });

  it("mutates response headers from the upstream", () => {
    const cfg = config({
      clusterNames: ["c"],
      vhosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, route: { cluster: "c" }, responseHeadersToAdd: [add("x-r", "1")], responseHeadersToRemove: ["x-served-by"] }])],
    });
    expect(only(simulate(cfg, get("/"), new EchoModel())).headers).toEqual([["x-r", "1"]]);
  });
});

describe("weighted clusters, missing clusters and mirrors", () => {
  const weighted = (clusters: unknown[], extra: Record<string, unknown> = {}) =>
    config({ clusterNames: ["a", "b"], vhosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, route: { weightedClusters: { clusters }, ...extra } }])] });

  it("yields one branch per cluster with weight > 0, each with its own header mutations", () => {
    const cfg = weighted([
      { name: "a", weight: { value: 70 }, requestHeadersToAdd: [{ header: { key: "backend", value: "a" } }] },
      { name: "b", weight: { value: 30 }, requestHeadersToAdd: [{ header: { key: "backend", value: "b" } }] },
      { name: "c", weight: { value: 0 } },
    ]);
    const result = simulate(cfg, get("/"), new EchoModel());
    expect(result.branches.map(b => [b.weight, b.response.upstream?.cluster, b.response.upstream?.request.headers.find(([n]) => n === "backend")?.[1]])).toEqual([
      [70, "a", "a"],
      [30, "b", "b"],
    ]);
  });

  it.each([
    [undefined, 503],
    ["NOT_FOUND", 404],
    ["INTERNAL_SERVER_ERROR", 500],
  ])("a cluster missing from CDS answers cluster_not_found_response_code %s → %i", (code, status) => {
    const cfg = config({ vhosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, route: { cluster: "nope", ...(code ? { clusterNotFoundResponseCode: code } : {}) } }])] });
    expect(only(simulate(cfg, get("/"), new EchoModel())).status).toBe(status);
  });

  it("a weighted cluster missing from CDS fails only its share", () => {
    const cfg = weighted([{ name: "a", weight: { value: 1 } }, { name: "missing", weight: { value: 1 } }], { clusterNotFoundResponseCode: "INTERNAL_SERVER_ERROR" });
    expect(simulate(cfg, get("/"), new EchoModel()).branches.map(b => b.response.status)).toEqual([200, 500]);
  });

  it("reports request mirrors with their share and the -shadow host", () => {
    const cfg = config({
      clusterNames: ["a", "b"],
      vhosts: [
        vhost("v", ["*"], [
          {
            match: { prefix: "/" },
            route: {
              cluster: "a",
              requestMirrorPolicies: [{ cluster: "b" }, { cluster: "b", runtimeFraction: { defaultValue: { numerator: 25, denominator: "TEN_THOUSAND" } } }],
            },
          },
        ]),
      ],
    });
    const mirrors = only(simulate(cfg, get("/", "example.com:8080"), new EchoModel())).mirrors;
    expect(mirrors.map(m => [m.cluster, m.percent, m.endpoint?.address, m.request.authority])).toEqual([
      ["b", 100, "b.test", "example.com-shadow:8080"],
      ["b", 0.25, "b.test", "example.com-shadow:8080"],
    ]);
  });
});
