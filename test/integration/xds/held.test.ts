/** What a delta client holds: a shared snapshot map plus overrides, rebased without losing anything. */
import { describe, expect, it } from "vitest";
import { ABSENT, Held } from "../../../src/xds/server/held";
import type { EncodedResource } from "../../../src/xds/types";

const map = (entries: Record<string, string>): Map<string, EncodedResource> =>
  new Map(Object.entries(entries).map(([name, version]) => [name, { name, version } as EncodedResource]));

describe("Held", () => {
  it("holds a whole map without copying it, with exceptions", () => {
    const h = new Held();
    expect(h.empty()).toBe(true);
    const m1 = map({ a: "1", b: "1", c: "1" });
    h.holdAll(m1, ["c"]);
    expect([h.get("a"), h.get("b"), h.get("c"), h.get("z")]).toEqual(["1", "1", undefined, undefined]);
    expect(h.basedOn(m1)).toBe(true);
    h.set("z", ABSENT);
    h.forget("a");
    h.set("b", "1");
    expect(h.names().sort()).toEqual(["b", "z"]);
  });

  it("rebases onto the next map keeping every held value", () => {
    const h = new Held();
    const m1 = map({ a: "1", b: "1", c: "1", d: "1" });
    h.holdAll(m1);
    h.set("b", "0"); // e.g. a NACKed or older version
    h.forget("d");
    const m2 = map({ a: "2", b: "1", c: "1", d: "2", e: "1" });
    const before = ["a", "b", "c", "d", "e"].map(n => h.get(n));
    h.rebase(m2, ["a", "d", "e"]);
    expect(["a", "b", "c", "d", "e"].map(n => h.get(n))).toEqual(before);
    expect(h.basedOn(m2)).toBe(true);
    h.set("a", "2");
    expect(h.get("a")).toBe("2");
    h.keepOnly(new Set(["a", "q"]));
    expect([h.get("a"), h.get("b"), h.get("q"), h.hasBase()]).toEqual(["2", undefined, undefined, false]);
  });
});
