import { describe, expect, it } from "vitest";
import { Store } from "../../../src/store";
import {
  NamespaceLabels,
  namespaceAllowed,
  namespacePolicy,
  parseSelector,
  routeKinds,
  selectorMatches,
} from "../../../src/translate/allowedroutes";
import type { GatewayListener } from "../../../src/apis";
import { gateway, gatewayClass, http, listenerStatus, namespace, parents, pathRoute, run, sr } from "./helpers";

const listener = (extra: Record<string, unknown>): GatewayListener => ({ name: "l", port: 80, protocol: "HTTP", ...extra }) as GatewayListener;

describe("route kinds", () => {
  it("HTTP and HTTPS listeners support HTTPRoute by default; other protocols support nothing", () => {
    expect(routeKinds(listener({})).supported).toEqual([{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }]);
    expect(routeKinds(listener({ protocol: "HTTPS" })).supported).toHaveLength(1);
    expect(routeKinds(listener({ protocol: "TCP" }))).toEqual({ supported: [], invalid: [] });
  });

  it("splits named kinds into supported and invalid, group defaulting to the Gateway API group", () => {
    const kinds = routeKinds(listener({ allowedRoutes: { kinds: [{ kind: "InvalidRoute" }, { kind: "HTTPRoute" }, { group: "", kind: "HTTPRoute" }] } }));
    expect(kinds.supported).toEqual([{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }]);
    expect(kinds.invalid).toEqual([
      { group: "gateway.networking.k8s.io", kind: "InvalidRoute" },
      { group: "", kind: "HTTPRoute" },
    ]);
  });

  it("a TLSRoute-only TLS listener names a kind we do not support", () => {
    expect(routeKinds(listener({ protocol: "TLS", allowedRoutes: { kinds: [{ kind: "TLSRoute" }] } })).invalid).toHaveLength(1);
  });
});

describe("label selectors", () => {
  const labels = { team: "a", env: "prod" };
  it.each([
    [{ matchLabels: { team: "a" } }, true],
    [{ matchLabels: { team: "b" } }, false],
    [{ matchExpressions: [{ key: "env", operator: "In", values: ["prod", "dev"] }] }, true],
    [{ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, false],
    [{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["x"] }] }, true],
    [{ matchExpressions: [{ key: "team", operator: "Exists" }] }, true],
    [{ matchExpressions: [{ key: "team", operator: "DoesNotExist" }] }, false],
    [{ matchLabels: { team: "a" }, matchExpressions: [{ key: "zone", operator: "Exists" }] }, false],
    [{}, true], // an empty selector selects everything
  ])("%j → %s", (selector, want) => {
    const sel = parseSelector(selector);
    expect(sel.problem).toBeUndefined();
    expect(selectorMatches(sel, labels)).toBe(want);
  });

  it.each([
    [{ matchExpressions: [{ key: "a", operator: "Equals", values: ["x"] }] }, /not valid/],
    [{ matchExpressions: [{ key: "a", operator: "In" }] }, /needs values/],
    [{ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }, /takes no values/],
    [undefined, /required/],
  ])("%j cannot be evaluated and selects nothing", (selector, message) => {
    const sel = parseSelector(selector);
    expect(sel.problem).toMatch(message);
    expect(selectorMatches(sel, {})).toBe(false);
  });
});

describe("namespaces", () => {
  const store = Store.of([{ kind: "Namespace", object: namespace("web", { "gateway-conformance": "backend" }) }]);
  const labels = new NamespaceLabels(store);

  it("adds the kubernetes.io/metadata.name label, also for namespaces missing from the input", () => {
    expect(labels.of("web")).toEqual({ "gateway-conformance": "backend", "kubernetes.io/metadata.name": "web" });
    expect(labels.of("ghost")).toEqual({ "kubernetes.io/metadata.name": "ghost" });
  });

  it("Same (the default), All and Selector", () => {
    const same = namespacePolicy(listener({}));
    const all = namespacePolicy(listener({ allowedRoutes: { namespaces: { from: "All" } } }));
    const sel = namespacePolicy(listener({ allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { "gateway-conformance": "backend" } } } } }));
    if ("problem" in same || "problem" in all || "problem" in sel) throw new Error("unexpected problem");
    expect(namespaceAllowed(same, "infra", "infra", labels)).toBe(true);
    expect(namespaceAllowed(same, "infra", "web", labels)).toBe(false);
    expect(namespaceAllowed(all, "infra", "web", labels)).toBe(true);
    expect(namespaceAllowed(sel, "infra", "web", labels)).toBe(true);
    expect(namespaceAllowed(sel, "infra", "infra", labels)).toBe(false);
  });

  it("an unknown from value is a problem", () => {
    expect(namespacePolicy(listener({ allowedRoutes: { namespaces: { from: "None" } } }))).toHaveProperty("problem");
  });
});

describe("allowedRoutes in translation", () => {
  const objects = (from: Record<string, unknown>, routeNs: string) => [
    gatewayClass(),
    namespace("web", { team: "web" }),
    gateway("eg", [http("http", 80, { allowedRoutes: { namespaces: from } })]),
    { ...pathRoute("r", [{ name: "eg", namespace: "default" }], "/"), metadata: { name: "r", namespace: routeNs } },
  ];

  it("a route from a selected namespace attaches (matchExpressions)", () => {
    const result = run(objects({ from: "Selector", selector: { matchExpressions: [{ key: "team", operator: "In", values: ["web"] }] } }, "web"));
    expect(sr(parents(result, "web/r")[0].conditions, "Accepted")).toBe("True/Accepted");
    expect(listenerStatus(result, "http").attachedRoutes).toBe(1);
  });

  it("a route from another namespace is NotAllowedByListeners under Same", () => {
    const result = run(objects({ from: "Same" }, "web"));
    expect(sr(parents(result, "web/r")[0].conditions, "Accepted")).toBe("False/NotAllowedByListeners");
    expect(listenerStatus(result, "http").attachedRoutes).toBe(0);
  });

  it("an invalid selector makes the listener not accepted (UnsupportedValue) and admits no route", () => {
    const result = run(objects({ from: "Selector", selector: { matchExpressions: [{ key: "team", operator: "Is" }] } }, "web"));
    expect(sr(listenerStatus(result, "http").conditions, "Accepted")).toBe("False/UnsupportedValue");
    expect(sr(parents(result, "web/r")[0].conditions, "Accepted")).toBe("False/NotAllowedByListeners");
  });
});
