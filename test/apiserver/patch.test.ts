import { describe, expect, it } from "vitest";
import { jsonPatch, mergePatch, strategicMerge } from "./patch";

describe("JSON merge patch (RFC 7386)", () => {
  it("merges maps, deletes on null and replaces lists whole", () => {
    const target = { a: { b: 1, c: 2 }, l: [1, 2], keep: true };
    expect(mergePatch(target, { a: { b: null, d: 3 }, l: [3] })).toEqual({ a: { c: 2, d: 3 }, l: [3], keep: true });
    expect(target).toEqual({ a: { b: 1, c: 2 }, l: [1, 2], keep: true });
  });
});

describe("JSON patch (RFC 6902)", () => {
  it("adds, removes, replaces, moves, copies and tests", () => {
    const doc = { a: [1, 2], b: { c: "x" } };
    const out = jsonPatch(doc, [
      { op: "add", path: "/a/-", value: 3 },
      { op: "add", path: "/a/0", value: 0 },
      { op: "remove", path: "/a/1" },
      { op: "replace", path: "/b/c", value: "y" },
      { op: "copy", from: "/b/c", path: "/d" },
      { op: "move", from: "/d", path: "/e~1f" },
      { op: "test", path: "/e~1f", value: "y" },
    ]);
    expect(out).toEqual({ a: [0, 2, 3], b: { c: "y" }, "e/f": "y" });
  });

  it("fails as a whole on a failed test, a missing path or an index out of range", () => {
    expect(() => jsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: 2 }])).toThrow(/test failed/);
    expect(() => jsonPatch({ a: 1 }, [{ op: "replace", path: "/b", value: 2 }])).toThrow(/missing/);
    expect(() => jsonPatch({ a: [] }, [{ op: "add", path: "/a/2", value: 2 }])).toThrow(/invalid index/);
    expect(() => jsonPatch({ a: 1 }, [{ op: "remove", path: "/x/y" }])).toThrow();
  });
});

describe("strategic merge patch", () => {
  const pod = {
    containers: [
      { name: "a", image: "a:1", ports: [{ containerPort: 80 }], env: [{ name: "X", value: "1" }] },
      { name: "b", image: "b:1" },
    ],
    finalizers: ["f1"],
  };

  it("merges lists by their merge keys and keeps other items", () => {
    const out = strategicMerge(pod, { containers: [{ name: "a", env: [{ name: "Y", value: "2" }], ports: [{ containerPort: 80, name: "http" }] }] }) as typeof pod;
    expect(out.containers.map((c) => c.name)).toEqual(["a", "b"]);
    expect(out.containers[0].env).toEqual([{ name: "X", value: "1" }, { name: "Y", value: "2" }]);
    expect(out.containers[0].ports).toEqual([{ containerPort: 80, name: "http" }]);
  });

  it("honours $patch delete and replace, $setElementOrder, $retainKeys and $deleteFromPrimitiveList", () => {
    const deleted = strategicMerge(pod, { containers: [{ name: "a", $patch: "delete" }] }) as typeof pod;
    expect(deleted.containers.map((c) => c.name)).toEqual(["b"]);
    const replaced = strategicMerge(pod, { containers: [{ name: "z", image: "z" }, { $patch: "replace" }] }) as typeof pod;
    expect(replaced.containers).toEqual([{ name: "z", image: "z" }]);
    const ordered = strategicMerge(pod, { "$setElementOrder/containers": [{ name: "b" }, { name: "a" }], containers: [{ name: "b", image: "b:2" }] }) as typeof pod;
    expect(ordered.containers.map((c) => `${c.name}=${c.image}`)).toEqual(["b=b:2", "a=a:1"]);
    const retained = strategicMerge({ strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } }, { strategy: { $retainKeys: ["type"], type: "Recreate" } });
    expect(retained).toEqual({ strategy: { type: "Recreate" } });
    const dropped = strategicMerge({ finalizers: ["f1", "f2"] }, { "$deleteFromPrimitiveList/finalizers": ["f1"] });
    expect(dropped).toEqual({ finalizers: ["f2"] });
    const added = strategicMerge({ finalizers: ["f1"] }, { finalizers: ["f2"] });
    expect(added).toEqual({ finalizers: ["f1", "f2"] });
  });
});
