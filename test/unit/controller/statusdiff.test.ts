import { describe, expect, it } from "vitest";
import type { ComputedCondition, ParentStatusData, StatusData } from "../../../src/ir/status";
import {
  mergeConditions,
  mergeSharedList,
  statusPatch,
  withdrawalPatch,
  isUnchanged,
} from "../../../src/controller/statusdiff";

const OURS = "pepr.dev/envoy-gateway";
const THEIRS = "example.com/other";
const T0 = "2026-01-01T00:00:00Z";
const T1 = "2026-01-02T00:00:00Z";

const cond = (type: string, status: "True" | "False", reason = type, gen = 1): ComputedCondition => ({
  type,
  status,
  reason,
  message: `${type} is ${status}`,
  observedGeneration: gen,
});

const parent = (name: string, conditions: ComputedCondition[], sectionName?: string): ParentStatusData => ({
  parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name, ...(sectionName ? { sectionName } : {}) },
  controllerName: OURS,
  conditions,
});

const opts = { controllerName: OURS, objectNamespace: "apps", now: T1 };

describe("mergeConditions", () => {
  it("keeps lastTransitionTime when status is unchanged, even if reason or message change", () => {
    const held = [{ type: "Accepted", status: "True", reason: "Accepted", message: "old", lastTransitionTime: T0, observedGeneration: 1 }];
    const out = mergeConditions(held, [cond("Accepted", "True", "Accepted", 2)], T1);
    expect(out).toEqual([{ type: "Accepted", status: "True", reason: "Accepted", message: "Accepted is True", observedGeneration: 2, lastTransitionTime: T0 }]);
  });

  it("stamps now when the status flips or the condition is new", () => {
    const held = [{ type: "Accepted", status: "True", reason: "Accepted", message: "", lastTransitionTime: T0 }];
    const out = mergeConditions(held, [cond("Accepted", "False", "NotAllowedByListeners"), cond("ResolvedRefs", "True")], T1);
    expect(out.map(c => c.lastTransitionTime)).toEqual([T1, T1]);
  });

  it("drops conditions no longer computed and tolerates garbage in the held status", () => {
    expect(mergeConditions("nonsense", [cond("Accepted", "True")], T1)).toHaveLength(1);
    expect(mergeConditions([null, 3, { type: "Old", status: "True" }], [], T1)).toEqual([]);
  });
});

describe("statusPatch", () => {
  it("returns undefined when the object already has the computed conditions", () => {
    const data: StatusData = { kind: "conditions", conditions: [cond("Accepted", "True")] };
    const first = statusPatch(undefined, data, opts)!;
    expect(first).toBeDefined();
    expect(statusPatch(first, data, { ...opts, now: "2030-01-01T00:00:00Z" })).toBeUndefined();
  });

  it("writes when only observedGeneration changes", () => {
    const data: StatusData = { kind: "conditions", conditions: [cond("Accepted", "True", "Accepted", 1)] };
    const held = statusPatch(undefined, data, opts)!;
    const next: StatusData = { kind: "conditions", conditions: [cond("Accepted", "True", "Accepted", 2)] };
    const patch = statusPatch(held, next, opts)!;
    expect((patch.conditions as Array<{ observedGeneration: number; lastTransitionTime: string }>)[0]).toMatchObject({ observedGeneration: 2, lastTransitionTime: T1 });
  });

  it("merges Gateway listeners by name and treats absent and empty addresses alike", () => {
    const data: StatusData = {
      kind: "gateway",
      conditions: [cond("Accepted", "True"), cond("Programmed", "True")],
      listeners: [{ name: "http", supportedKinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }], attachedRoutes: 2, conditions: [cond("Accepted", "True")] }],
      addresses: [],
    };
    const written = statusPatch({ addresses: undefined }, data, { ...opts, now: T0 })!;
    const held = { ...written };
    delete held.addresses;
    expect(statusPatch(held, data, opts)).toBeUndefined();
    const more = { ...data, listeners: [{ ...data.listeners[0], attachedRoutes: 3 }] };
    const patch = statusPatch(held, more, opts)!;
    const listener = (patch.listeners as Array<{ attachedRoutes: number; conditions: Array<{ lastTransitionTime: string }> }>)[0];
    expect(listener.attachedRoutes).toBe(3);
    expect(listener.conditions[0].lastTransitionTime).toBe(T0);
  });

  it("HTTPRoute: keeps other controllers' entries and their position, replaces ours in place", () => {
    const theirs = { parentRef: { name: "other-gw" }, controllerName: THEIRS, conditions: [{ type: "Accepted", status: "False" }] };
    const oursHeld = {
      parentRef: { name: "eg" },
      controllerName: OURS,
      conditions: [{ type: "Accepted", status: "True", reason: "Accepted", message: "Accepted is True", observedGeneration: 1, lastTransitionTime: T0 }],
    };
    const current = { parents: [oursHeld, theirs] };
    // Same content, parentRef written with defaults: nothing to do.
    expect(statusPatch(current, { kind: "parents", parents: [parent("eg", [cond("Accepted", "True")])] }, opts)).toBeUndefined();
    const patch = statusPatch(current, { kind: "parents", parents: [parent("eg", [cond("Accepted", "False", "NoMatchingParent")])] }, opts)!;
    const list = patch.parents as Array<Record<string, unknown>>;
    expect(list[1]).toBe(theirs);
    expect(list[0]).toMatchObject({ controllerName: OURS, conditions: [{ status: "False", lastTransitionTime: T1 }] });
  });

  it("HTTPRoute: removes our entries for parents no longer computed and appends new ones", () => {
    const current = {
      parents: [
        { parentRef: { name: "a" }, controllerName: OURS, conditions: [] },
        { parentRef: { name: "x" }, controllerName: THEIRS, conditions: [] },
      ],
    };
    const patch = statusPatch(current, { kind: "parents", parents: [parent("b", [cond("Accepted", "True")])] }, opts)!;
    expect((patch.parents as Array<{ parentRef: { name: string } }>).map(p => p.parentRef.name)).toEqual(["x", "b"]);
  });

  it("distinguishes parentRefs by sectionName and namespace defaults", () => {
    const shape = { refField: "parentRef" as const, objectNamespace: "apps", controllerName: OURS };
    const held = [{ parentRef: { name: "eg", namespace: "apps", sectionName: "http" }, controllerName: OURS, conditions: [] }];
    const merged = mergeSharedList(held, [parent("eg", [cond("Accepted", "True")], "http"), parent("eg", [cond("Accepted", "True")], "https")], shape, T1);
    expect(merged).toHaveLength(2);
    // The held reference means the same as ours: it stays as written.
    expect(merged[0].parentRef).toEqual({ name: "eg", namespace: "apps", sectionName: "http" });
    expect(merged[1].parentRef).toEqual({ group: "gateway.networking.k8s.io", kind: "Gateway", name: "eg", sectionName: "https" });
  });

  it("BackendTLSPolicy ancestors use ancestorRef", () => {
    const patch = statusPatch({}, { kind: "ancestors", ancestors: [parent("eg", [cond("Accepted", "True")])] }, opts)!;
    expect(patch.ancestors).toEqual([expect.objectContaining({ ancestorRef: expect.objectContaining({ name: "eg" }), controllerName: OURS })]);
  });
});

describe("withdrawalPatch", () => {
  it("removes only our entries, and is undefined when there are none", () => {
    const current = { parents: [{ controllerName: THEIRS }, { controllerName: OURS }] };
    expect(withdrawalPatch(current, "parents", OURS)).toEqual({ parents: [{ controllerName: THEIRS }] });
    expect(withdrawalPatch({ parents: [{ controllerName: THEIRS }] }, "parents", OURS)).toBeUndefined();
    expect(withdrawalPatch(undefined, "ancestors", OURS)).toBeUndefined();
  });
});

describe("isUnchanged", () => {
  it("compares only the fields of the patch", () => {
    expect(isUnchanged({ conditions: [], other: 1 }, { conditions: [] })).toBe(true);
    expect(isUnchanged({ conditions: [] }, { conditions: [{ type: "A" }] })).toBe(false);
  });
});
