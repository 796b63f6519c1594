/**
 * managedFields bookkeeping and server-side apply. Each manager owns a set of leaf fields. Apply
 * merges the applied configuration, removes fields the manager applied before and dropped (unless
 * another manager owns them), and fails with 409 when it would change a field another manager
 * owns with a different value, unless `force` takes the field over. Updates (PUT, PATCH) move the
 * fields they change to their manager. Field sets are exact paths: a field and its parent owned by
 * two managers are not compared, and sets (x-kubernetes-list-type: set) are treated as atomic.
 */
import { ApiError } from "./errors";
import { fromFieldsV1, leafPaths, mergeApplied, removeAt, toFieldsV1, valueAt, type ListKeys, type Path } from "./fields";
import type { KubeObject } from "./resources";

export interface ManagerOptions {
  manager: string;
  apiVersion: string;
  listKeys: ListKeys;
  now: string;
  subresource?: string;
}

interface Entry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: KubeObject;
  subresource?: string;
}

const enc = (p: Path) => JSON.stringify(p);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function entries(obj: KubeObject | undefined): Entry[] {
  return JSON.parse(JSON.stringify(obj?.metadata?.managedFields ?? []));
}

function isMine(e: Entry, o: ManagerOptions, op: Entry["operation"]): boolean {
  return e.manager === o.manager && e.operation === op && (e.subresource ?? "") === (o.subresource ?? "");
}

function entry(o: ManagerOptions, op: Entry["operation"], paths: Path[]): Entry {
  return {
    manager: o.manager,
    operation: op,
    apiVersion: o.apiVersion,
    time: o.now,
    fieldsType: "FieldsV1",
    fieldsV1: toFieldsV1(paths),
    ...(o.subresource ? { subresource: o.subresource } : {}),
  };
}

function withoutPaths(e: Entry, drop: Set<string>): Entry {
  return { ...e, fieldsV1: toFieldsV1(fromFieldsV1(e.fieldsV1).filter((p) => !drop.has(enc(p)))) };
}

function nonEmpty(e: Entry): boolean {
  return fromFieldsV1(e.fieldsV1).length > 0;
}

function dotted(p: Path): string {
  return p.map((s) => (s.startsWith("f:") ? `.${s.slice(2)}` : `[${s.slice(2)}]`)).join("");
}

function conflictError(found: { manager: string; apiVersion: string; path: Path }[]): ApiError {
  const causes = found.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: dotted(c.path) }));
  const lines = causes.map((c) => `${c.message}: ${c.field}`);
  const n = found.length;
  const msg = `Apply failed with ${n} conflict${n > 1 ? "s" : ""}: ${n > 1 ? `\n- ${lines.join("\n- ")}` : lines[0]}`;
  return new ApiError(409, "Conflict", msg, { causes });
}

/** The entries in their old order, with the manager's own entry replaced where it was (or last). */
function inPlace(all: Entry[], mine: Entry | undefined, others: Entry[], kept: Entry | undefined): Entry[] {
  const byManager = new Map(others.map((e) => [`${e.manager}|${e.operation}|${e.subresource ?? ""}`, e]));
  const out: Entry[] = [];
  for (const e of all) {
    if (e === mine) {
      if (kept) out.push(kept);
      continue;
    }
    const k = byManager.get(`${e.manager}|${e.operation}|${e.subresource ?? ""}`);
    if (k) out.push(k);
  }
  if (!mine && kept) out.push(kept);
  return out;
}

/** Server-side apply of `applied` onto `current` (undefined: create). Returns the merged object. */
export function serverSideApply(current: KubeObject | undefined, applied: KubeObject, o: ManagerOptions & { force: boolean }): KubeObject {
  const all = entries(current);
  const mine = all.find((e) => isMine(e, o, "Apply"));
  let others = all.filter((e) => e !== mine);
  const appliedPaths = leafPaths(applied, o.listKeys);
  const appliedSet = new Set(appliedPaths.map(enc));
  const found: { manager: string; apiVersion: string; path: Path }[] = [];
  const takeOver = new Set<string>();
  for (const e of others) {
    for (const p of fromFieldsV1(e.fieldsV1)) {
      if (!appliedSet.has(enc(p)) || same(valueAt(current, p), valueAt(applied, p))) continue;
      found.push({ manager: e.manager, apiVersion: e.apiVersion, path: p });
      takeOver.add(enc(p));
    }
  }
  if (found.length > 0 && !o.force) throw conflictError(found);
  others = others.map((e) => withoutPaths(e, takeOver)).filter(nonEmpty);
  const ownedByOthers = new Set(others.flatMap((e) => fromFieldsV1(e.fieldsV1).map(enc)));
  const base: KubeObject = JSON.parse(JSON.stringify(current ?? {}));
  for (const p of fromFieldsV1(mine?.fieldsV1)) {
    if (!appliedSet.has(enc(p)) && !ownedByOthers.has(enc(p)) && valueAt(base, p) !== undefined) removeAt(base, p);
  }
  const merged = mergeApplied(base, applied, o.listKeys) as KubeObject;
  const kept = mine && same(fromFieldsV1(mine.fieldsV1), appliedPaths) ? mine : entry(o, "Apply", appliedPaths);
  merged.metadata = { ...merged.metadata, managedFields: inPlace(all, mine, others, kept) };
  return merged;
}

/** Records an update (create, PUT or non-apply PATCH) by a manager in `next.metadata.managedFields`. */
export function recordUpdate(old: KubeObject | undefined, next: KubeObject, o: ManagerOptions): void {
  const all = entries(old);
  const nextPaths = leafPaths(next, o.listKeys);
  const present = new Set(nextPaths.map(enc));
  const changed = nextPaths.filter((p) => !old || !same(valueAt(old, p), valueAt(next, p)));
  const changedSet = new Set(changed.map(enc));
  const gone = new Set(all.flatMap((e) => fromFieldsV1(e.fieldsV1).map(enc)).filter((p) => !present.has(p)));
  const drop = new Set([...changedSet, ...gone]);
  const mine = all.find((e) => isMine(e, o, "Update"));
  const others = all.filter((e) => e !== mine).map((e) => withoutPaths(e, drop)).filter(nonEmpty);
  const previous = mine ? fromFieldsV1(mine.fieldsV1).filter((p) => !gone.has(enc(p))) : [];
  const union = [...previous, ...changed.filter((p) => !previous.some((q) => enc(q) === enc(p)))];
  const unchanged = mine && changed.length === 0 && gone.size === 0;
  const kept = union.length === 0 ? undefined : unchanged ? mine : entry(o, "Update", union);
  next.metadata.managedFields = inPlace(all, mine, others, kept);
}
