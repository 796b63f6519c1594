/**
 * The route-level outcome of the Gateway API conformance inputs: the ResolvedRefs/Accepted
 * conditions the upstream assertions expect, and where requests go (checked by matching requests
 * against the translated routes in precedence order).
 */
import { describe, expect, it } from "vitest";
import type { ForwardActionIR } from "../../../src/ir/types";
import { translateHTTPRoute } from "../../../src/translate/httproute";
import { sortByPrecedence } from "../../../src/translate/precedence";
import type { RouteTranslation } from "../../../src/translate/types";
import { INFRA, conformanceObjects, ctxOf, firstMatch, target } from "./route-fixtures";

function translated(file: string, name: string, namespace = INFRA): RouteTranslation {
  const ctx = ctxOf(conformanceObjects("base", file));
  const r = ctx.store.get("HTTPRoute", namespace, name);
  if (!r) throw new Error(`no HTTPRoute ${namespace}/${name} in ${file}`);
  return translateHTTPRoute(ctx, r as never);
}

const svc = (name: string, port = 8080, ns = INFRA) => `service/${ns}/${name}/${port}`;
const go = (t: RouteTranslation, path: string, headers?: Record<string, string>) => target(firstMatch(sortByPrecedence(t.routes), { path, headers }));

describe("invalid backendRefs: ResolvedRefs=False with the suite's reason, route accepted, traffic 500", () => {
  it.each([
    ["httproute-invalid-backendref-unknown-kind", "invalid-backend-ref-unknown-kind", "InvalidKind"],
    ["httproute-invalid-nonexistent-backendref", "invalid-nonexistent-backend-ref", "BackendNotFound"],
    ["httproute-invalid-cross-namespace-backend-ref", "invalid-cross-namespace-backend-ref", "RefNotPermitted"],
    ["httproute-invalid-reference-grant", "reference-grant", "RefNotPermitted"],
  ])("%s", (file, name, reason) => {
    const t = translated(file, name);
    expect(t.notAccepted).toBeUndefined();
    expect(t.resolvedRefs).toMatchObject({ type: "ResolvedRefs", status: "False", reason });
    expect(t.clusters).toEqual([]);
    expect(go(t, "/v2")).toBe("500");
  });

  it("httproute-partially-invalid-via-invalid-reference-grant: only the refused rule answers 500", () => {
    const t = translated("httproute-partially-invalid-via-invalid-reference-grant", "invalid-reference-grant");
    expect(t.notAccepted).toBeUndefined();
    expect(t.resolvedRefs).toMatchObject({ status: "False", reason: "RefNotPermitted" });
    expect(go(t, "/v2")).toBe("500");
    expect(go(t, "/")).toBe(svc("app-backend-v1", 8080, "gateway-conformance-app-backend"));
  });

  it("httproute-reference-grant: a granted cross-namespace Service resolves", () => {
    const t = translated("httproute-reference-grant", "reference-grant");
    expect(t.resolvedRefs).toMatchObject({ status: "True", reason: "ResolvedRefs" });
    expect(go(t, "/")).toBe(svc("web-backend", 8080, "gateway-conformance-web-backend"));
  });
});

describe("rules without backends", () => {
  it("httproute-omitted-backendrefs: omitted or empty backendRefs answer 500, refs stay resolved", () => {
    const t = translated("httproute-omitted-backendrefs", "omitted-backendrefs");
    expect(t.notAccepted).toBeUndefined();
    expect(t.resolvedRefs.status).toBe("True");
    expect(go(t, "/omitted-no-forward")).toBe("500");
    expect(go(t, "/empty-no-forward")).toBe("500");
    expect(go(t, "/forward")).toBe(svc("infra-backend-v1"));
  });
});

describe("backends", () => {
  it("httproute-weight: weights 70/30, the weight-0 backend gets nothing", () => {
    const action = translated("httproute-weight", "weighted-backends").routes[0].ir.action as ForwardActionIR;
    expect(action.backends).toEqual([
      { clusterName: svc("infra-backend-v1"), weight: 70 },
      { clusterName: svc("infra-backend-v2"), weight: 30 },
    ]);
    expect(action.invalidWeight).toBe(0);
  });

  it("httproute-request-header-modifier-backend-weights: header modifiers per backendRef", () => {
    const action = translated("httproute-request-header-modifier-backend-weights", "request-header-modifier-backend-weights").routes[0].ir.action as ForwardActionIR;
    expect(action.backends.map(b => [b.clusterName, b.weight, b.requestHeaders?.set])).toEqual([
      [svc("infra-backend-v1"), 10, [{ name: "Backend", value: "infra-backend-v1" }]],
      [svc("infra-backend-v2"), 10, [{ name: "Backend", value: "infra-backend-v2" }]],
    ]);
  });

  it("httproute-backend-protocol-h2c and -websocket: appProtocol picks the upstream protocol", () => {
    const h2c = translated("httproute-backend-protocol-h2c", "backend-protocol-h2c");
    expect(h2c.clusters.map(c => [c.name, c.protocol])).toEqual([[svc("infra-backend-v1", 8081), "h2c"]]);
    const ws = translated("httproute-backend-protocol-websocket", "backend-protocol-ws");
    expect((ws.routes[0].ir.action as ForwardActionIR).websocket).toBe(true);
  });

  it("httproute-service-types: manual and headless Services resolve; slices without endpoints give empty clusters", () => {
    const t = translated("httproute-service-types", "service-types");
    expect(t.resolvedRefs.status).toBe("True");
    // sorted by code unit: "-" sorts before "/"
    expect(t.clusters.map(c => c.name)).toEqual([svc("headless-manual-endpointslices"), svc("headless"), svc("manual-endpointslices")]);
    expect(t.clusters.every(c => c.endpoints.kind === "eds")).toBe(true);
  });

  it("httproute-request-multiple-mirrors: both mirrors at 100%, mirror clusters listed", () => {
    const t = translated("httproute-request-multiple-mirrors", "request-multiple-mirrors");
    const action = t.routes[0].ir.action as ForwardActionIR;
    expect(action.mirrors).toEqual([
      { clusterName: svc("infra-backend-v2"), percent: 100 },
      { clusterName: svc("infra-backend-v3"), percent: 100 },
    ]);
    expect(t.clusters.map(c => c.name)).toEqual([svc("infra-backend-v1"), svc("infra-backend-v2"), svc("infra-backend-v3")]);
    expect(t.routes[1].ir.requestHeaders?.remove).toEqual(["X-Header-Remove"]);
  });

  it("httproute-request-percentage-mirror: percent and fraction", () => {
    const t = translated("httproute-request-percentage-mirror", "request-percentage-mirror");
    expect(t.routes.map(r => (r.ir.action as ForwardActionIR).mirrors[0].percent)).toEqual([20, 50, 35]);
  });
});

describe("timeouts, retries, rewrites and rule names", () => {
  it("httproute-timeout-request and -backend-request: durations in milliseconds, 0s disables", () => {
    const request = translated("httproute-timeout-request", "request-timeout").routes.map(r => (r.ir.action as ForwardActionIR).timeoutMs);
    expect(request).toEqual([500, 0]);
    const backend = translated("httproute-timeout-backend-request", "backend-request-timeout").routes.map(r => (r.ir.action as ForwardActionIR).backendTimeoutMs);
    expect(backend).toEqual([500, 0]);
  });

  it("httproute-retry: attempts and codes", () => {
    const t = translated("httproute-retry", "retries");
    expect(t.routes.map(r => (r.ir.action as ForwardActionIR).retry)).toEqual([
      { attempts: 3, codes: [500] },
      { attempts: 2, codes: [500, 502, 503, 504] },
    ]);
  });

  it("httproute-rewrite-path: prefix and full path rewrites (prefix stored without a trailing slash)", () => {
    const t = translated("httproute-rewrite-path", "rewrite-path");
    expect(t.routes.slice(0, 3).map(r => [r.ir.match.path.value, (r.ir.action as ForwardActionIR).rewrite?.path])).toEqual([
      ["/prefix/one", { type: "ReplacePrefixMatch", value: "/one" }],
      ["/strip-prefix", { type: "ReplacePrefixMatch", value: "/" }],
      ["/full/one", { type: "ReplaceFullPath", value: "/one" }],
    ]);
  });

  it("httproute-named-rule: the rule name travels with its routes", () => {
    const t = translated("httproute-named-rule", "http-named-rules");
    expect(t.routes.map(r => r.ir.source)).toEqual([
      { namespace: INFRA, name: "http-named-rules", rule: 0, ruleName: "named-rule" },
      { namespace: INFRA, name: "http-named-rules", rule: 1 },
    ]);
  });
});
