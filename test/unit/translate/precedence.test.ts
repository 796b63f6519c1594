import { describe, expect, it } from "vitest";
import type { HTTPRoute } from "../../../src/apis";
import type { RouteIR } from "../../../src/ir/types";
import { comparePrecedence, sortByPrecedence } from "../../../src/translate/precedence";
import { translateHTTPRoute } from "../../../src/translate/httproute";
import type { PrecedenceKey, RankedRoute } from "../../../src/translate/types";
import { INFRA, conformanceObjects, ctxOf, firstMatch, target } from "./route-fixtures";

function key(over: Partial<PrecedenceKey>): PrecedenceKey {
  return { pathType: "PathPrefix", pathLength: 1, hasMethod: false, headerCount: 0, queryCount: 0, createdAt: "", routeKey: "default/r", rule: 0, match: 0, ...over };
}

function ranked(name: string, over: Partial<PrecedenceKey>): RankedRoute {
  const ir = { name } as RouteIR;
  return { ir, rank: key(over) };
}

const order = (routes: RankedRoute[]) => sortByPrecedence(routes).map(r => r.name);

describe("sortByPrecedence: the HTTPRouteRule criteria, in order", () => {
  it.each([
    ["an Exact path before a longer PathPrefix", { pathType: "Exact", pathLength: 2 }, { pathType: "PathPrefix", pathLength: 20 }],
    ["the longest PathPrefix first", { pathLength: 9 }, { pathLength: 4 }],
    ["a method match before more headers", { hasMethod: true }, { headerCount: 5 }],
    ["more headers before more query params", { headerCount: 2 }, { headerCount: 1, queryCount: 9 }],
    ["more query params first", { queryCount: 2 }, { queryCount: 1 }],
    ["the older route on a tie", { createdAt: "2024-01-01T00:00:00Z", routeKey: "z/z" }, { createdAt: "2024-01-02T00:00:00Z", routeKey: "a/a" }],
    ["a route with a timestamp before one without", { createdAt: "2030-01-01T00:00:00Z", routeKey: "z/z" }, { createdAt: "", routeKey: "a/a" }],
    ["namespace/name alphabetically on equal age", { routeKey: "a/z" }, { routeKey: "b/a" }],
    ["the first rule within a route", { rule: 0, match: 5 }, { rule: 1, match: 0 }],
    ["the first match within a rule", { match: 0 }, { match: 1 }],
    // implementation-specific: RegularExpression between Exact and PathPrefix (as Envoy Gateway)
    ["an Exact path before a RegularExpression", { pathType: "Exact", pathLength: 1 }, { pathType: "RegularExpression", pathLength: 50 }],
    ["a RegularExpression before a PathPrefix", { pathType: "RegularExpression", pathLength: 1 }, { pathType: "PathPrefix", pathLength: 50 }],
  ] as Array<[string, Partial<PrecedenceKey>, Partial<PrecedenceKey>]>)("puts %s", (_what, first, second) => {
    expect(order([ranked("second", second), ranked("first", first)])).toEqual(["first", "second"]);
    expect(order([ranked("first", first), ranked("second", second)])).toEqual(["first", "second"]);
    expect(comparePrecedence(key(first), key(second))).toBeLessThan(0);
  });

  it("compares timestamps as instants, not as text", () => {
    const a = key({ createdAt: "2024-01-01T10:00:00+02:00", routeKey: "z/z" }); // 08:00Z
    const b = key({ createdAt: "2024-01-01T09:00:00Z", routeKey: "a/a" });
    expect(comparePrecedence(a, b)).toBeLessThan(0);
  });

  it("returns a new array and leaves the input as it was", () => {
    const input = [ranked("b", { pathLength: 1 }), ranked("a", { pathLength: 2 })];
    const names = input.map(r => r.ir.name);
    expect(order(input)).toEqual(["a", "b"]);
    expect(input.map(r => r.ir.name)).toEqual(names);
  });
});

function routesOf(files: string[]): RouteIR[] {
  const ctx = ctxOf(conformanceObjects("base", ...files));
  const all = ctx.store.list<HTTPRoute>("HTTPRoute").flatMap(r => translateHTTPRoute(ctx, r).routes);
  return sortByPrecedence(all);
}

const svc = (name: string) => `service/${INFRA}/${name}/8080`;

describe("precedence on the conformance inputs (requests and backends as the suite expects)", () => {
  it("httproute-path-match-order: exact paths, then the longest prefix", () => {
    const routes = routesOf(["httproute-path-match-order"]);
    const cases: Array<[string, string]> = [
      ["/match/exact/one", "infra-backend-v3"],
      ["/match/exact", "infra-backend-v2"],
      ["/match", "infra-backend-v1"],
      ["/match/prefix/one/any", "infra-backend-v2"],
      ["/match/prefix/any", "infra-backend-v1"],
      ["/match/any", "infra-backend-v3"],
    ];
    for (const [path, backend] of cases) expect(target(firstMatch(routes, { path })), path).toBe(svc(backend));
  });

  it("httproute-matching: a header match wins over the same path without one", () => {
    const routes = routesOf(["httproute-matching"]);
    const cases: Array<[string, Record<string, string>, string]> = [
      ["/", {}, "infra-backend-v1"],
      ["/example", {}, "infra-backend-v1"],
      ["/", { version: "one" }, "infra-backend-v1"],
      ["/v2", {}, "infra-backend-v2"],
      ["/v2/example", {}, "infra-backend-v2"],
      ["/", { version: "two" }, "infra-backend-v2"],
      ["/v2x", {}, "infra-backend-v1"],
    ];
    for (const [path, headers, backend] of cases) expect(target(firstMatch(routes, { path, headers })), `${path} ${JSON.stringify(headers)}`).toBe(svc(backend));
  });

  it("httproute-matching-across-routes: the same ordering holds across two routes", () => {
    const routes = routesOf(["httproute-matching-across-routes"]);
    expect(target(firstMatch(routes, { path: "/v2/example" }))).toBe(svc("infra-backend-v2"));
    expect(target(firstMatch(routes, { path: "/", headers: { Version: "two" } }))).toBe(svc("infra-backend-v2"));
    expect(target(firstMatch(routes, { path: "/", headers: { version: "one" } }))).toBe(svc("infra-backend-v1"));
    expect(target(firstMatch(routes, { path: "/foo" }))).toBe(svc("infra-backend-v1"));
  });
});
