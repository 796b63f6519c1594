/**
 * Status merge and diff, pure: given what an object's status holds now and what translation
 * computed, the status fields to write, or undefined when nothing would change.
 *
 * - A condition whose status is unchanged keeps its lastTransitionTime; a changed one gets `now`.
 * - HTTPRoute `status.parents` and BackendTLSPolicy `status.ancestors` are shared with other
 *   controllers: their entries are kept as they are, ours are replaced in place, ours no longer
 *   computed are removed, new ones are appended. Order is preserved, so two controllers never
 *   fight over it. The lists are atomic: the result is the whole list, written whole.
 * - GatewayClass, Gateway and Backend conditions belong to us: the computed set replaces them.
 */
import type { Condition } from "../apis";
import type { ComputedCondition, ListenerStatusData, ParentStatusData, StatusData } from "../ir/status";
import { deepEqual } from "./equal";

type Json = Record<string, unknown>;
export type StatusPatch = Json;

const GATEWAY_GROUP = "gateway.networking.k8s.io";

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asObject(value: unknown): Json {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}

/** Computed conditions with lastTransitionTime carried over from `existing` when status is unchanged. */
export function mergeConditions(existing: unknown, computed: readonly ComputedCondition[], now: string): Condition[] {
  const held = asArray(existing).map(asObject);
  return computed.map(c => {
    const old = held.find(h => h.type === c.type);
    const keep = old && old.status === c.status && typeof old.lastTransitionTime === "string";
    const out: Condition = {
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      lastTransitionTime: keep ? (old.lastTransitionTime as string) : now,
    };
    if (c.observedGeneration !== undefined) out.observedGeneration = c.observedGeneration;
    return out;
  });
}

/** A parentRef with Gateway API defaults filled in, for matching entries. */
export function normalizeRef(ref: unknown, objectNamespace: string | undefined): string {
  const r = asObject(ref);
  return JSON.stringify([
    (r.group as string | undefined) ?? GATEWAY_GROUP,
    (r.kind as string | undefined) ?? "Gateway",
    (r.namespace as string | undefined) ?? objectNamespace ?? "",
    r.name ?? "",
    r.sectionName ?? "",
    r.port ?? "",
  ]);
}

interface ListShape {
  /** Field holding the reference in each entry: parentRef or ancestorRef. */
  refField: "parentRef" | "ancestorRef";
  objectNamespace?: string;
  controllerName: string;
}

function entryOf(shape: ListShape, data: ParentStatusData, held: Json | undefined, now: string): Json {
  // A held reference that means the same as ours stays as written (defaults filled in or not).
  return {
    [shape.refField]: held?.[shape.refField] ?? data.parentRef,
    controllerName: data.controllerName,
    conditions: mergeConditions(held?.conditions, data.conditions, now),
  };
}

/** Merges our computed entries into a shared list (status.parents or status.ancestors). */
export function mergeSharedList(existing: unknown, computed: readonly ParentStatusData[], shape: ListShape, now: string): Json[] {
  const pending = new Map<string, ParentStatusData[]>();
  for (const c of computed) {
    const k = normalizeRef(c.parentRef, shape.objectNamespace);
    pending.set(k, [...(pending.get(k) ?? []), c]);
  }
  const out: Json[] = [];
  for (const raw of asArray(existing)) {
    const held = asObject(raw);
    if (held.controllerName !== shape.controllerName) {
      out.push(held);
      continue;
    }
    const k = normalizeRef(held[shape.refField], shape.objectNamespace);
    const match = pending.get(k)?.shift();
    if (match) out.push(entryOf(shape, match, held, now));
  }
  for (const c of computed) {
    const k = normalizeRef(c.parentRef, shape.objectNamespace);
    const rest = pending.get(k);
    if (rest && rest[0] === c) {
      rest.shift();
      out.push(entryOf(shape, c, undefined, now));
    }
  }
  return out;
}

function mergeListeners(existing: unknown, computed: readonly ListenerStatusData[], now: string): Json[] {
  const held = asArray(existing).map(asObject);
  return computed.map(l => ({
    name: l.name,
    supportedKinds: l.supportedKinds,
    attachedRoutes: l.attachedRoutes,
    conditions: mergeConditions(held.find(h => h.name === l.name)?.conditions, l.conditions, now),
  }));
}

/** The status fields we would write for `data`, merged with the object's current status. */
export function desiredStatus(
  current: unknown,
  data: StatusData,
  opts: { controllerName: string; objectNamespace?: string; now: string },
): StatusPatch {
  const status = asObject(current);
  const { now } = opts;
  switch (data.kind) {
    case "conditions":
      return { conditions: mergeConditions(status.conditions, data.conditions, now) };
    case "gateway":
      return {
        conditions: mergeConditions(status.conditions, data.conditions, now),
        listeners: mergeListeners(status.listeners, data.listeners, now),
        addresses: data.addresses,
      };
    case "parents":
      return {
        parents: mergeSharedList(status.parents, data.parents, { refField: "parentRef", ...opts }, now),
      };
    case "ancestors":
      return {
        ancestors: mergeSharedList(status.ancestors, data.ancestors, { refField: "ancestorRef", ...opts }, now),
      };
  }
}

/** An absent list and an empty list say the same thing. */
function sameField(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  if (empty(a) && empty(b)) return true;
  return deepEqual(a, b);
}

/** True when writing `patch` would change nothing in `current`. */
export function isUnchanged(current: unknown, patch: StatusPatch): boolean {
  const status = asObject(current);
  return Object.keys(patch).every(k => sameField(status[k], patch[k]));
}

/** The status fields to write, or undefined when the object already says what we computed. */
export function statusPatch(
  current: unknown,
  data: StatusData,
  opts: { controllerName: string; objectNamespace?: string; now: string },
): StatusPatch | undefined {
  const patch = desiredStatus(current, data, opts);
  return isUnchanged(current, patch) ? undefined : patch;
}

/**
 * For an object translation no longer reports (e.g. a route detached from our Gateways): the
 * shared list without our entries, or undefined when it holds none of ours.
 */
export function withdrawalPatch(current: unknown, field: "parents" | "ancestors", controllerName: string): StatusPatch | undefined {
  const list = asArray(asObject(current)[field]);
  const kept = list.filter(e => asObject(e).controllerName !== controllerName);
  return kept.length === list.length ? undefined : { [field]: kept };
}
