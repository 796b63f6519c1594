import { describe, expect, it } from "vitest";
import { Store } from "../../../src/store";
import { inputKindOf, storeFromObjects } from "../../../src/store/objects";

const route = (ns: string, name: string) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { namespace: ns, name },
});

describe("Store", () => {
  it("lists objects of a kind in namespace/name order, optionally by namespace", () => {
    const store = Store.of([
      { kind: "HTTPRoute", object: route("b", "x") },
      { kind: "HTTPRoute", object: route("a", "z") },
      { kind: "HTTPRoute", object: route("a", "y") },
    ]);
    expect(store.list("HTTPRoute").map(o => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual(["a/y", "a/z", "b/x"]);
    expect(store.list("HTTPRoute", "b")).toHaveLength(1);
    expect(store.list("Gateway")).toEqual([]);
  });

  it("is immutable: with/without return new stores and bump only the changed kind's version", () => {
    const s0 = Store.of([{ kind: "HTTPRoute", object: route("a", "r") }]);
    const s1 = s0.with("HTTPRoute", route("a", "s"));
    const s2 = s1.without("HTTPRoute", "a", "r");
    expect(s0.size("HTTPRoute")).toBe(1);
    expect(s1.size("HTTPRoute")).toBe(2);
    expect(s2.size("HTTPRoute")).toBe(1);
    expect(s2.get("HTTPRoute", "a", "s")).toBeDefined();
    expect(s1.version("HTTPRoute")).toBeGreaterThan(s0.version("HTTPRoute"));
    expect(s1.version("Gateway")).toBe(s0.version("Gateway"));
    expect(s2.without("HTTPRoute", "a", "missing")).toBe(s2);
  });
});

describe("storeFromObjects", () => {
  it("maps objects by API group and kind, in any served version, and ignores other kinds", () => {
    expect(inputKindOf(route("a", "b"))).toBe("HTTPRoute");
    expect(inputKindOf({ apiVersion: "gateway.networking.k8s.io/v1beta1", kind: "HTTPRoute" })).toBe("HTTPRoute");
    expect(inputKindOf({ apiVersion: "v1", kind: "Service" })).toBe("Service");
    expect(inputKindOf({ apiVersion: "apps/v1", kind: "Deployment" })).toBeUndefined();
    expect(inputKindOf({ apiVersion: "example.com/v1", kind: "Service" })).toBeUndefined();
    expect(inputKindOf(null)).toBeUndefined();
    expect(inputKindOf("HTTPRoute")).toBeUndefined();
  });

  it("defaults the namespace of namespaced objects only, and skips nameless objects", () => {
    const { store, ignored } = storeFromObjects([
      { apiVersion: "v1", kind: "Service", metadata: { name: "svc" } },
      { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "gc" } },
      { apiVersion: "v1", kind: "Service", metadata: {} },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } },
    ]);
    expect(store.get("Service", "default", "svc")).toBeDefined();
    expect(store.get("GatewayClass", undefined, "gc")?.metadata?.namespace).toBeUndefined();
    expect(ignored).toHaveLength(2);
  });
});
