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
