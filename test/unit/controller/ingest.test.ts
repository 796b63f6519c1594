import { describe, expect, it } from "vitest";
import { Ingest } from "../../../src/controller/ingest";
import { sanitize } from "../../../src/controller/sanitize";

const route = (name: string, rv: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { namespace: "apps", name, uid: `uid-${name}`, resourceVersion: rv, generation: 1 },
  spec: { parentRefs: [{ name: "eg" }] },
  ...extra,
});

function harness() {
  const changes: string[] = [];
  const ingest = new Ingest({ onChange: kind => changes.push(kind) });
  return { ingest, changes };
}

describe("sanitize", () => {
  it("drops managedFields and the last-applied annotation, keeps other annotations", () => {
    const out = sanitize("HTTPRoute", {
      metadata: {
        name: "r",
        managedFields: [{ manager: "kubectl" }],
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{...}", keep: "me" },
      },
      spec: {},
    })!;
    expect(out.metadata).toEqual({ name: "r", annotations: { keep: "me" } });
    expect(out.apiVersion).toBe("gateway.networking.k8s.io/v1");
    expect(out.kind).toBe("HTTPRoute");
  });

  it("keeps only certificate keys of Secrets and ConfigMaps", () => {
    const secret = sanitize("Secret", {
      kind: "Secret",
      apiVersion: "v1",
      type: "kubernetes.io/tls",
      metadata: { name: "s", annotations: { big: "x".repeat(1000) } },
      data: { "tls.crt": "Y2VydA==", "tls.key": "a2V5", other: "b3RoZXI=" },
    })!;
    expect(secret).toEqual({ apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls", metadata: { name: "s" }, data: { "tls.crt": "Y2VydA==", "tls.key": "a2V5" } });
    const cm = sanitize("ConfigMap", { metadata: { name: "c" }, data: { "ca.crt": "PEM", "app.properties": "x" } })!;
    expect(cm).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { "ca.crt": "PEM" } });
  });

  it("rejects what is not an object with a name", () => {
    expect(sanitize("Service", null)).toBeUndefined();
    expect(sanitize("Service", "x")).toBeUndefined();
    expect(sanitize("Service", { metadata: {} })).toBeUndefined();
    expect(sanitize("Service", { metadata: { name: "" } })).toBeUndefined();
  });
});

describe("Ingest", () => {
  it("adds, updates and deletes objects in the store, signalling each real change", () => {
    const { ingest, changes } = harness();
    expect(ingest.event("HTTPRoute", "ADDED", route("a", "1"))).toBe("spec");
    expect(ingest.store.get("HTTPRoute", "apps", "a")).toBeDefined();
    expect(ingest.event("HTTPRoute", "MODIFIED", route("a", "2", { spec: { parentRefs: [] } }))).toBe("spec");
    expect((ingest.store.get("HTTPRoute", "apps", "a") as unknown as { spec: { parentRefs: unknown[] } }).spec.parentRefs).toEqual([]);
    expect(ingest.event("HTTPRoute", "DELETED", route("a", "3"))).toBe("spec");
    expect(ingest.store.get("HTTPRoute", "apps", "a")).toBeUndefined();
    expect(changes).toEqual(["HTTPRoute", "HTTPRoute", "HTTPRoute"]);
  });

  it("skips an event with the resourceVersion it already holds, or an older one", () => {
    const { ingest, changes } = harness();
    ingest.event("HTTPRoute", "ADDED", route("a", "5"));
    expect(ingest.event("HTTPRoute", "MODIFIED", route("a", "5"))).toBe("none");
    expect(ingest.event("HTTPRoute", "MODIFIED", route("a", "4", { spec: { parentRefs: [] } }))).toBe("none");
    expect(ingest.observed("HTTPRoute", "apps", "a")!.metadata!.resourceVersion).toBe("5");
    expect(changes).toHaveLength(1);
  });

  it("a status-only change is recorded but triggers no rebuild and leaves the Store alone", () => {
    const { ingest, changes } = harness();
    ingest.event("HTTPRoute", "ADDED", route("a", "1"));
    const before = ingest.store;
    const withStatus = route("a", "2", { status: { parents: [{ controllerName: "x" }] } });
    expect(ingest.event("HTTPRoute", "MODIFIED", withStatus)).toBe("status");
    expect(ingest.store).toBe(before);
    expect((ingest.observed("HTTPRoute", "apps", "a") as { status?: unknown }).status).toEqual({ parents: [{ controllerName: "x" }] });
    expect(changes).toHaveLength(1);
  });

  it("a Service status change is a change (translation reads load balancer addresses)", () => {
    const { ingest } = harness();
    const svc = (rv: string, status: unknown) => ({ kind: "Service", apiVersion: "v1", metadata: { namespace: "a", name: "s", uid: "u", resourceVersion: rv }, spec: {}, status });
    ingest.event("Service", "ADDED", svc("1", {}));
    expect(ingest.event("Service", "MODIFIED", svc("2", { loadBalancer: { ingress: [{ ip: "203.0.113.9" }] } }))).toBe("spec");
  });

  it("a new resourceVersion with the same kept content is no change (e.g. a Secret's other keys)", () => {
    const { ingest } = harness();
    const secret = (rv: string, other: string) => ({ metadata: { namespace: "a", name: "s", uid: "u", resourceVersion: rv }, data: { "tls.crt": "A", other } });
    ingest.event("Secret", "ADDED", secret("1", "x"));
    expect(ingest.event("Secret", "MODIFIED", secret("2", "y"))).toBe("none");
    expect(ingest.observed("Secret", "a", "s")!.metadata!.resourceVersion).toBe("2");
  });

  it("a late add or update of a deleted uid is turned away (separate watch streams)", () => {
    const { ingest } = harness();
    ingest.event("HTTPRoute", "DELETED", route("a", "3"));
    expect(ingest.event("HTTPRoute", "ADDED", route("a", "1"))).toBe("none");
    expect(ingest.event("HTTPRoute", "MODIFIED", route("a", "2"))).toBe("none");
    expect(ingest.store.get("HTTPRoute", "apps", "a")).toBeUndefined();
  });

  it("a delete of an older incarnation does not remove the recreated object", () => {
    const { ingest } = harness();
    const recreated = route("a", "9");
    recreated.metadata.uid = "uid-new";
    ingest.event("HTTPRoute", "ADDED", recreated);
    expect(ingest.event("HTTPRoute", "DELETED", route("a", "3"))).toBe("none");
    expect(ingest.store.get("HTTPRoute", "apps", "a")!.metadata!.uid).toBe("uid-new");
  });

  it("relist removes objects missing from the list and adds or updates the rest", () => {
    const { ingest, changes } = harness();
    ingest.event("HTTPRoute", "ADDED", route("gone", "1"));
    ingest.event("HTTPRoute", "ADDED", route("kept", "2"));
    const list = [{ ...route("kept", "2"), kind: undefined, apiVersion: undefined }, route("new", "7")];
    expect(ingest.relist("HTTPRoute", list, "10")).toBe("spec");
    expect(ingest.store.list("HTTPRoute").map(o => o.metadata!.name)).toEqual(["kept", "new"]);
    expect(ingest.store.get("HTTPRoute", "apps", "new")!.kind).toBe("HTTPRoute");
    expect(changes.length).toBe(3);
    expect(ingest.relist("HTTPRoute", list, "10")).toBe("none");
  });

  it("relist keeps objects newer than the list and ignores list items deleted since", () => {
    const { ingest } = harness();
    ingest.event("HTTPRoute", "ADDED", route("fresh", "12"));
    ingest.event("HTTPRoute", "DELETED", route("deleted", "11"));
    ingest.relist("HTTPRoute", [route("deleted", "4")], "10");
    expect(ingest.store.list("HTTPRoute").map(o => o.metadata!.name)).toEqual(["fresh"]);
  });

  it("coalesces a burst: the store is brought up to date once, when read", () => {
    const { ingest } = harness();
    for (let i = 0; i < 50; i++) ingest.event("HTTPRoute", "ADDED", route(`r${i}`, String(i + 1)));
    const store = ingest.store;
    expect(store.size("HTTPRoute")).toBe(50);
    expect(ingest.store).toBe(store);
  });

  it("ignores malformed objects without throwing, and says so", () => {
    const changes: string[] = [];
    const malformed: unknown[] = [];
    const ingest = new Ingest({ onChange: k => changes.push(k), onMalformed: (_k, raw) => malformed.push(raw) });
    for (const bad of [null, undefined, 42, "x", {}, { metadata: null }, { metadata: { name: 7 } }]) {
      expect(ingest.event("Gateway", "ADDED", bad)).toBe("none");
      expect(ingest.event("Gateway", "DELETED", bad)).toBe("none");
    }
    expect(ingest.relist("Gateway", [null, { metadata: {} }], "1")).toBe("none");
    expect(changes).toEqual([]);
    expect(malformed).toHaveLength(16);
  });

  it("forgets the oldest tombstones beyond the limit", () => {
    const ingest = new Ingest({ tombstoneLimit: 2 });
    for (const n of ["a", "b", "c"]) ingest.event("HTTPRoute", "DELETED", route(n, "1"));
    expect(ingest.event("HTTPRoute", "ADDED", route("a", "1"))).toBe("spec");
    expect(ingest.event("HTTPRoute", "ADDED", route("c", "1"))).toBe("none");
  });
});
