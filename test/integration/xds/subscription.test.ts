/** Subscriptions: the xDS protocol's wildcard rules, SotW and delta, as its examples state them. */
import { describe, expect, it } from "vitest";
import { Subscription } from "../../../src/xds/server/subscription";
import { TypeUrl } from "../../../src/xds/types";

const state = (s: Subscription) => ({ wildcard: s.wildcard, names: [...s.names].sort() });

describe("SotW subscriptions", () => {
  it("follow the legacy wildcard example", () => {
    const s = new Subscription(TypeUrl.Listener);
    expect(s.applySotw([])).toBe(true);
    expect(state(s)).toEqual({ wildcard: true, names: [] });
    expect(s.applySotw([])).toBe(false); // still wildcard: nothing changed
    expect(s.applySotw(["*", "A"])).toBe(true);
    expect(state(s)).toEqual({ wildcard: true, names: ["A"] });
    expect(s.applySotw(["A", "*"])).toBe(false);
    expect(s.applySotw(["A"])).toBe(true);
    expect(state(s)).toEqual({ wildcard: false, names: ["A"] });
    expect(s.applySotw([])).toBe(true); // not a wildcard any more: unsubscribes from everything
    expect(state(s)).toEqual({ wildcard: false, names: [] });
  });

  it("never treat an empty list as a wildcard for other types", () => {
    const s = new Subscription(TypeUrl.Endpoint);
    expect(s.applySotw([])).toBe(true);
    expect(state(s)).toEqual({ wildcard: false, names: [] });
    expect(s.applySotw(["a", "b"])).toBe(true);
    expect(s.applySotw(["b", "a"])).toBe(false);
    expect(s.applySotw(["a", "c"])).toBe(true);
    expect(s.covers("c")).toBe(true);
    expect(s.covers("b")).toBe(false);
  });
});

describe("delta subscriptions", () => {
  it("follow the legacy wildcard example", () => {
    const s = new Subscription(TypeUrl.Cluster);
    expect(s.applyDelta([], [])).toEqual({ added: ["*"], removed: [] });
    expect(s.applyDelta(["A"], [])).toEqual({ added: ["A"], removed: [] });
    expect(state(s)).toEqual({ wildcard: true, names: ["A"] });
    expect(s.applyDelta([], ["*"])).toEqual({ added: [], removed: [] });
    expect(state(s)).toEqual({ wildcard: false, names: ["A"] });
    expect(s.applyDelta([], ["A"])).toEqual({ added: [], removed: ["A"] });
    expect(state(s)).toEqual({ wildcard: false, names: [] });
    expect(s.applyDelta([], [])).toEqual({ added: [], removed: [] }); // not a wildcard again
    expect(state(s)).toEqual({ wildcard: false, names: [] });
  });

  it("start named when the first request names resources", () => {
    const s = new Subscription(TypeUrl.Listener);
    expect(s.applyDelta(["www.example.com"], [])).toEqual({ added: ["www.example.com"], removed: [] });
    expect(s.wildcard).toBe(false);
    expect(s.applyDelta(["www.example.com", "*"], [])).toEqual({ added: ["*"], removed: [] });
    expect(s.wildcard).toBe(true);
  });
});

describe("shared name sets", () => {
  const many = (prefix: string, n = 100): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  it("a long frozen list (a shared request) becomes one set, copied by the first stream that changes it", () => {
    const list = Object.freeze(many("c"));
    const a = new Subscription(TypeUrl.Endpoint);
    const b = new Subscription(TypeUrl.Endpoint);
    expect(a.applyDelta(list, []).added).toEqual(list);
    expect(b.applyDelta(list, []).added).toEqual(list);
    expect(a.names).toBe(b.names);
    expect([a.namesShared, b.namesShared]).toEqual([true, true]);
    expect(a.applyDelta(["extra"], ["c-1"])).toEqual({ added: ["extra"], removed: ["c-1"] });
    expect(a.namesShared).toBe(false);
    expect([a.covers("c-1"), a.covers("extra"), a.names.size]).toEqual([false, true, 100]);
    expect([b.covers("c-1"), b.covers("extra"), b.names.size]).toEqual([true, false, 100]);
  });

  it("is not used for short or unfrozen lists, nor when the subscription already names resources", () => {
    const short = new Subscription(TypeUrl.Endpoint);
    short.applyDelta(Object.freeze(many("s", 10)), []);
    const unfrozen = new Subscription(TypeUrl.Endpoint);
    unfrozen.applyDelta(many("u"), []);
    const named = new Subscription(TypeUrl.Endpoint);
    named.applyDelta(["first"], []);
    expect(named.applyDelta(Object.freeze(many("n")), []).added).toHaveLength(100);
    expect([short.namesShared, unfrozen.namesShared, named.namesShared]).toEqual([false, false, false]);
    expect(named.names.size).toBe(101);
  });

  it("keeps the wildcard and duplicates right", () => {
    const list = Object.freeze(["*", ...many("w"), "w-0"]);
    const s = new Subscription(TypeUrl.Endpoint);
    const { added } = s.applyDelta(list, []);
    expect(added).toEqual(["*", ...many("w")]);
    expect([s.wildcard, s.names.size, s.namesShared]).toEqual([true, 100, true]);
  });

  it("SotW: the same frozen list again changes nothing; another list replaces the shared set", () => {
    const list = Object.freeze(many("e"));
    const s = new Subscription(TypeUrl.Endpoint);
    expect(s.applySotw(list)).toBe(true);
    expect(s.namesShared).toBe(true);
    expect(s.applySotw(list)).toBe(false);
    expect(s.applySotw([...list])).toBe(false); // same names, not the shared request: compared by name
    expect(s.applySotw(many("e", 99))).toBe(true);
    expect([s.namesShared, s.names.size, s.covers("e-99")]).toEqual([false, 99, false]);
    expect(s.applySotw([])).toBe(true);
    expect(state(s)).toEqual({ wildcard: false, names: [] });
  });
});
