import { describe, expect, it } from "vitest";
import type { ForwardActionIR } from "../../../src/ir/types";
import { translateHTTPRoute } from "../../../src/translate/httproute";
import { ctxOf, route, service } from "./route-fixtures";

const svcA = service("a", [{ name: "http", port: 80 }]);
const svcB = service("b", [{ name: "http", port: 80 }]);
const ctx = ctxOf([svcA, svcB]);
const A = "service/default/a/80";
const B = "service/default/b/80";

const translate = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}) => translateHTTPRoute(ctx, route(spec, meta));
const forward = (t: ReturnType<typeof translate>, i = 0) => t.routes[i].ir.action as ForwardActionIR;

describe("route names, sources and ranks", () => {
  it("names one route per rule × match and ranks them", () => {
    const t = translate({
      rules: [
        { matches: [{ path: { type: "Exact", value: "/x" } }, { path: { value: "/y/" }, method: "GET", headers: [{ name: "h", value: "v" }] }], backendRefs: [{ name: "a", port: 80 }] },
        { backendRefs: [{ name: "b", port: 80 }] },
      ],
    }, { creationTimestamp: "2024-05-01T00:00:00Z" });
    expect(t.key).toBe("default/r");
    expect(t.routes.map(r => r.ir.name)).toEqual(["httproute/default/r/rule/0/match/0", "httproute/default/r/rule/0/match/1", "httproute/default/r/rule/1/match/0"]);
    expect(t.routes[1].rank).toEqual({
      pathType: "PathPrefix",
      pathLength: 2,
      hasMethod: true,
      headerCount: 1,
      queryCount: 0,
      createdAt: "2024-05-01T00:00:00Z",
      routeKey: "default/r",
      rule: 0,
      match: 1,
    });
    expect(t.routes[2].ir.match.path).toEqual({ type: "PathPrefix", value: "/" });
  });

  it("keeps the indexes as written when a rule is dropped", () => {
    const t = translate({ rules: [{ filters: [{ type: "Nope" }] }, { backendRefs: [{ name: "a", port: 80 }] }] });
    expect(t.routes.map(r => r.ir.name)).toEqual(["httproute/default/r/rule/1/match/0"]);
  });

  it("gives a route without rules the CRD default rule (every path), which answers 500 without backends", () => {
    const t = translate({});
    expect(t.routes.map(r => [r.ir.match.path, r.ir.action])).toEqual([[{ type: "PathPrefix", value: "/" }, { kind: "direct", status: 500 }]]);
  });

  it("is deterministic and independent of key order in the input", () => {
    const spec = { rules: [{ backendRefs: [{ name: "b", port: 80 }, { name: "a", port: 80, weight: 2 }], matches: [{ path: { value: "/p", type: "PathPrefix" } }] }] };
    const reordered = { rules: [{ matches: [{ path: { type: "PathPrefix", value: "/p" } }], backendRefs: [{ port: 80, name: "b" }, { weight: 2, port: 80, name: "a" }] }] };
    expect(JSON.stringify(translate(spec))).toBe(JSON.stringify(translate(reordered)));
  });
});

describe("weights and failing backends", () => {
  it("sends an invalid backendRef's weight to 500 and keeps the valid ones", () => {
    const t = translate({ rules: [{ backendRefs: [{ name: "a", port: 80, weight: 3 }, { name: "missing", port: 80, weight: 2 }, { name: "b", port: 80, weight: 0 }] }] });
    expect(forward(t).backends).toEqual([{ clusterName: A, weight: 3 }]);
    expect(forward(t).invalidWeight).toBe(2);
    expect(t.resolvedRefs).toMatchObject({ status: "False", reason: "BackendNotFound" });
    // the weight-0 backend is valid: its cluster exists, it just gets no traffic
    expect(t.clusters.map(c => c.name)).toEqual([A, B]);
  });

  it("answers 500 when every backend has weight 0 (httproute-all-backends-weight-zero), refs resolved", () => {
    const t = translate({ rules: [{ backendRefs: [{ name: "a", port: 80, weight: 0 }, { name: "b", port: 80, weight: 0 }] }] });
    expect(t.routes[0].ir.action).toEqual({ kind: "direct", status: 500 });
    expect(t.resolvedRefs.status).toBe("True");
  });

  it("answers 500 when every backendRef is invalid", () => {
    const t = translate({ rules: [{ backendRefs: [{ name: "x", port: 80 }, { kind: "Pod", name: "y" }] }] });
    expect(t.routes[0].ir.action).toEqual({ kind: "direct", status: 500 });
    expect(t.resolvedRefs.reason).toBe("BackendNotFound");
    expect(t.resolvedRefs.message).toBe(
      'spec.rules[0].backendRefs[0]: Service default/x not found; spec.rules[0].backendRefs[1]: kind "Pod" is not supported; refer to a Service, or a Backend of gateway.envoyproxy.io',
    );
  });

  it("shares one cluster between rules that use the same Service port", () => {
    const t = translate({ rules: [{ matches: [{ path: { value: "/1" } }], backendRefs: [{ name: "a", port: 80 }] }, { backendRefs: [{ name: "a", port: 80 }] }] });
    expect(t.clusters.map(c => c.name)).toEqual([A]);
  });

  it("drops a rule with a weight the CRD forbids", () => {
    const t = translate({ rules: [{ backendRefs: [{ name: "a", port: 80, weight: -1 }] }, { backendRefs: [{ name: "b", port: 80 }] }] });
    expect(t.partiallyInvalid?.message).toMatch(/^Dropped Rule 0: spec\.rules\[0\]\.backendRefs\[0\]\.weight -1 must be a whole number/);
  });
});

describe("acceptance: invalid rules", () => {
  it("keeps the route accepted with PartiallyInvalid when some rules are invalid", () => {
    const t = translate({ rules: [{ backendRefs: [{ name: "a", port: 80 }] }, { filters: [{ type: "Frobnicate" }] }, { matches: [{ method: "BREW" }] }] });
    expect(t.notAccepted).toBeUndefined();
    expect(t.partiallyInvalid).toMatchObject({ type: "PartiallyInvalid", status: "True", reason: "UnsupportedValue", observedGeneration: 3 });
    expect(t.partiallyInvalid?.message).toMatch(/^Dropped Rules 1, 2: spec\.rules\[1\]\.filters\[0\]\.type "Frobnicate" is not a filter type/);
    expect(t.routes).toHaveLength(1);
  });

  it.each([
    ["an unknown filter type", { filters: [{ type: "Frobnicate" }] }, "UnsupportedValue"],
    ["RequestRedirect with URLRewrite", { filters: [{ type: "RequestRedirect", requestRedirect: {} }, { type: "URLRewrite", urlRewrite: {} }] }, "IncompatibleFilters"],
    ["RequestRedirect with backendRefs", { filters: [{ type: "RequestRedirect", requestRedirect: {} }], backendRefs: [{ name: "a", port: 80 }] }, "UnsupportedValue"],
    ["a bad duration", { timeouts: { request: "1d" }, backendRefs: [{ name: "a", port: 80 }] }, "UnsupportedValue"],
    ["a regex RE2 rejects", { matches: [{ path: { type: "RegularExpression", value: "(?!x)" } }] }, "UnsupportedValue"],
  ])("does not accept a route whose only rule has %s", (_what, rule, reason) => {
    const t = translate({ rules: [rule] });
    expect(t.notAccepted).toMatchObject({ type: "Accepted", status: "False", reason, observedGeneration: 3 });
    expect(t.partiallyInvalid).toBeUndefined();
    expect(t.routes).toEqual([]);
  });

  it.each([["spec is a string", "x"], ["rules is an object", { rules: {} }], ["17 rules", { rules: Array.from({ length: 17 }, () => ({})) }]])(
    "does not accept a route when %s",
    (_what, spec) => {
      const r = { ...route({}), spec } as never;
      const t = translateHTTPRoute(ctx, r);
      expect(t.notAccepted).toMatchObject({ status: "False", reason: "UnsupportedValue" });
      expect(t.routes).toEqual([]);
    },
  );

  it("answers 500 for an unresolvable ExtensionRef, with ResolvedRefs=False InvalidKind, route still accepted", () => {
    const t = translate({ rules: [{ filters: [{ type: "ExtensionRef", extensionRef: { group: "example.net", kind: "Auth", name: "x" } }], backendRefs: [{ name: "a", port: 80 }] }] });
    expect(t.notAccepted).toBeUndefined();
    expect(t.routes[0].ir.action).toEqual({ kind: "direct", status: 500 });
    expect(t.resolvedRefs).toMatchObject({ status: "False", reason: "InvalidKind" });
  });
});

describe("conditions", () => {
  it("carry the route's generation", () => {
    expect(translate({ rules: [{ backendRefs: [{ name: "a", port: 80 }] }] }).resolvedRefs).toEqual({
      type: "ResolvedRefs",
      status: "True",
      reason: "ResolvedRefs",
      message: "Resolved all the Object references for the Route",
      observedGeneration: 3,
    });
  });

  it("list at most 8 failing references and count the rest", () => {
    const refs = Array.from({ length: 12 }, (_, i) => ({ name: `m${i}`, port: 80 }));
    const message = translate({ rules: [{ backendRefs: refs }] }).resolvedRefs.message;
    expect(message.split("; ")).toHaveLength(9);
    expect(message).toMatch(/; and 4 more$/);
  });
});

describe("mirrors", () => {
  it("mirrors to resolvable backends and reports the others", () => {
    const t = translate({
      rules: [
        {
          filters: [
            { type: "RequestMirror", requestMirror: { backendRef: { name: "b", port: 80 }, percent: 10 } },
            { type: "RequestMirror", requestMirror: { backendRef: { name: "gone", port: 80 } } },
          ],
          backendRefs: [{ name: "a", port: 80 }],
        },
      ],
    });
    expect(forward(t).mirrors).toEqual([{ clusterName: B, percent: 10 }]);
    expect(t.resolvedRefs).toMatchObject({ status: "False", reason: "BackendNotFound" });
    expect(t.resolvedRefs.message).toMatch(/^spec\.rules\[0\]\.filters\[1\]\.requestMirror\.backendRef: Service default\/gone not found$/);
  });
});
