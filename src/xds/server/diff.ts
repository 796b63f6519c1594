/**
 * What changed between two snapshots of one Gateway, per type: computed once per pair and shared
 * by every stream, so that pushing a change costs each stream work proportional to the change.
 */
import { type EncodedResource, type Snapshot, type TypeUrl, PUSH_ORDER } from "../types";

export interface TypeDiff {
  /** Added resources and resources whose version changed. */
  changed: EncodedResource[];
  /** Names present before and gone now. */
  removed: string[];
}

export type SnapshotDiff = ReadonlyMap<TypeUrl, TypeDiff>;

/**
 * Keyed by `prev`; `next` is held weakly, so that whoever still holds an old snapshot does not
 * keep every later one alive through this chain (a diff holds only the resources that changed).
 */
const diffs = new WeakMap<Snapshot, { next: WeakRef<Snapshot>; diff: SnapshotDiff }>();

const EMPTY = new Map<string, EncodedResource>();

function typeDiff(before: ReadonlyMap<string, EncodedResource>, after: ReadonlyMap<string, EncodedResource>): TypeDiff {
  const changed: EncodedResource[] = [];
  const removed: string[] = [];
  if (before === after) return { changed, removed };
  after.forEach((res, name) => {
    const old = before.get(name);
    if (old !== res && old?.version !== res.version) changed.push(res);
  });
  before.forEach((_, name) => {
    if (!after.has(name)) removed.push(name);
  });
  return { changed, removed };
}

/** The per-type difference from `prev` to `next` (memoised for the last `next` of each `prev`). */
export function snapshotDiff(prev: Snapshot, next: Snapshot): SnapshotDiff {
  const cached = diffs.get(prev);
  if (cached && cached.next.deref() === next) return cached.diff;
  const diff = new Map<TypeUrl, TypeDiff>();
  for (const type of PUSH_ORDER) {
    diff.set(type, typeDiff(prev.resources.get(type) ?? EMPTY, next.resources.get(type) ?? EMPTY));
  }
  diffs.set(prev, { next: new WeakRef(next), diff });
  return diff;
}

/** The resources of one type in a snapshot (empty when none). */
export function resourcesOf(snapshot: Snapshot | undefined, type: TypeUrl): ReadonlyMap<string, EncodedResource> {
  return snapshot?.resources.get(type) ?? EMPTY;
}
