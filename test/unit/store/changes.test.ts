/**
 * What lets translation skip untouched work: per-kind tokens, the keys that changed between two
 * snapshots (through the edit history or by comparison), values derived from some kinds only,
 * and key order kept by edits.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/apis";
import { Store } from "../../../src/store";

const svc = (ns: string, name: string, port = 80): KubeObject => ({ apiVersion: "v1", kind: "Service", metadata: { namespace: ns, name }, spec: { ports: [{ port }] } }) as KubeObject;

describe("Store.token", () => {
  it("stays while a kind's objects are the same, changes with them, and is shared by kinds without objects", () => {
    const s0 = Store.of([{ kind: "Service", object: svc("a", "x") }]);
    const s1 = s0.with("HTTPRoute", { metadata: { namespace: "a", name: "r" } } as KubeObject);
    expect(s1.token("Service")).toBe(s0.token("Service"));
    expect(s1.token("HTTPRoute")).not.toBe(s0.token("HTTPRoute"));
    expect(Store.empty().token("Gateway")).toBe(s1.token("Gateway"));
    const s2 = s1.without("HTTPRoute", "a", "r");
    expect(s2.token("HTTPRoute")).toBe(Store.empty().token("HTTPRoute"));
    expect(s1.with("Service", svc("a", "y")).token("Service")).not.toBe(s1.token("Service"));
  });
});

describe("Store.changes", () => {
  it("names the keys added, replaced and removed, sorted, and none for an unchanged kind", () => {
    const s0 = Store.of([{ kind: "Service", object: svc("a", "x") }, { kind: "Service", object: svc("a", "y") }]);
    const s1 = s0.with("Service", svc("b", "z")).with("Service", svc("a", "x", 81)).without("Service", "a", "y");
    expect(s1.changes("Service", s0)).toEqual(["a/x", "a/y", "b/z"]);
    expect(s0.changes("Service", s1)).toEqual(["a/x", "a/y", "b/z"]);
    expect(s1.changes("Gateway", s0)).toEqual([]);
    expect(s1.changes("Service", s1)).toEqual([]);
  });

  it("leaves out a key edited back to the object it had", () => {
    const original = svc("a", "x");
    const s0 = Store.of([{ kind: "Service", object: original }]);
    const s2 = s0.with("Service", svc("a", "x", 81)).with("Service", original);
    expect(s2.changes("Service", s0)).toEqual([]);
    expect(s2.token("Service")).not.toBe(s0.token("Service"));
  });

  it("is exact for any two snapshots: related by a few edits, many edits, or none", () => {
    const op = fc.record({ name: fc.constantFrom("a", "b", "c", "d"), port: fc.nat(3), remove: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), fc.nat(150), (ops, at) => {
        const stores = [Store.empty()];
        for (const o of ops) {
          const last = stores[stores.length - 1];
          stores.push(o.remove ? last.without("Service", "ns", o.name) : last.with("Service", svc("ns", o.name, o.port)));
        }
        const older = stores[Math.min(at, stores.length - 1)];
        const newer = stores[stores.length - 1];
        const unrelated = Store.of(newer.list("Service").map(object => ({ kind: "Service" as const, object })));
        for (const [a, b] of [[newer, older], [older, newer], [unrelated, older], [newer, unrelated]]) {
          const expected = ["a", "b", "c", "d"].filter(n => a.get("Service", "ns", n) !== b.get("Service", "ns", n)).map(n => `ns/${n}`);
          expect(a.changes("Service", b)).toEqual(expected);
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe("Store.list after edits", () => {
  it("keeps key order through adds and removes", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name: fc.string({ minLength: 1, maxLength: 3 }), remove: fc.boolean() }), { maxLength: 40 }), ops => {
        let store = Store.of([{ kind: "Service", object: svc("m", "m") }]);
        store.list("Service"); // sorted keys computed, then carried over by each edit
        for (const o of ops) store = o.remove ? store.without("Service", "ns", o.name) : store.with("Service", svc("ns", o.name));
        const keys = store.list("Service").map(s => `${s.metadata?.namespace}/${s.metadata?.name}`);
        expect(keys).toEqual([...keys].sort());
        expect(keys.length).toBe(store.size("Service"));
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});

describe("Store.derived", () => {
  it("computes once per set of objects of the kinds named, whatever else changes", () => {
    const slot = {};
    let builds = 0;
    const count = (s: Store) => s.derived(slot, ["Service", "EndpointSlice"], () => ++builds);
    const s0 = Store.of([{ kind: "Service", object: svc("a", "x") }]);
    expect(count(s0)).toBe(1);
    const s1 = s0.with("HTTPRoute", { metadata: { namespace: "a", name: "r" } } as KubeObject);
    expect(count(s1)).toBe(1);
    const s2 = s1.with("Service", svc("a", "y"));
    expect(count(s2)).toBe(2);
    expect(count(s0)).toBe(1);
    expect(s0.derived({}, ["Service"], () => "other slot")).toBe("other slot");
  });
});
