/**
 * The Store: an immutable snapshot of every input object, indexed by kind, namespace and name.
 * Ingest (cluster watch or file loader) builds a new Store for each change with `with`/`without`;
 * translate only reads. Unchanged kinds share their tables between snapshots, so a change costs
 * O(objects of that kind) at most.
 *
 * What lets translation skip untouched work:
 * - `token(kind)`: an object that stays the same exactly as long as that kind's objects do;
 * - `changes(kind, since)`: the keys whose object differs between two snapshots (cheap when one
 *   was derived from the other by a few edits, exact in every case);
 * - `derived(slot, kinds, build)`: a value computed from the snapshot, kept while the listed
 *   kinds are unchanged (indexes shared by successive snapshots).
 */
import type { InputKind, KubeObject } from "../apis";
import { Table } from "./table";

export type Key = string; // `namespace/name`, or `name` for cluster-scoped kinds

export function keyOf(namespace: string | undefined, name: string): Key {
  return namespace ? `${namespace}/${name}` : name;
}

/** Tokens of kinds without objects: one per kind, for every snapshot. */
const ABSENT = new Map<InputKind, object>();

function absentToken(kind: InputKind): object {
  let token = ABSENT.get(kind);
  if (!token) ABSENT.set(kind, (token = Object.freeze({ absent: kind })));
  return token;
}

/** slot → token → token → ... → value, for `derived`. */
const derivedValues = new WeakMap<object, WeakMap<object, unknown>>();

export class Store {
  private constructor(
    private readonly tables: ReadonlyMap<InputKind, Table>,
    private readonly versions: ReadonlyMap<InputKind, number>,
  ) {}

  static empty(): Store {
    return new Store(new Map(), new Map());
  }

  /** Builds a store from a flat list of objects of any input kind (last one wins on duplicates). */
  static of(objects: Iterable<{ kind: InputKind; object: KubeObject }>): Store {
    const maps = new Map<InputKind, Map<Key, KubeObject>>();
    for (const { kind, object } of objects) {
      const name = object.metadata?.name;
      if (!name) continue;
      let map = maps.get(kind);
      if (!map) maps.set(kind, (map = new Map()));
      map.set(keyOf(object.metadata?.namespace, name), object);
    }
    const tables = new Map<InputKind, Table>();
    for (const [kind, map] of maps) tables.set(kind, Table.fresh(map));
    return new Store(tables, new Map([...tables.keys()].map(k => [k, 1])));
  }

  get<T extends KubeObject = KubeObject>(kind: InputKind, namespace: string | undefined, name: string): T | undefined {
    return this.tables.get(kind)?.map.get(keyOf(namespace, name)) as T | undefined;
  }

  /** The object of a kind under a key (`namespace/name`, or `name` for cluster-scoped kinds). */
  byKey<T extends KubeObject = KubeObject>(kind: InputKind, key: Key): T | undefined {
    return this.tables.get(kind)?.map.get(key) as T | undefined;
  }

  /** Every object of a kind, optionally in one namespace, in key order. */
  list<T extends KubeObject = KubeObject>(kind: InputKind, namespace?: string): T[] {
    const table = this.tables.get(kind);
    if (!table) return [];
    const out: T[] = [];
    for (const k of table.sortedKeys()) {
      const obj = table.map.get(k) as T;
      if (namespace === undefined || obj.metadata?.namespace === namespace) out.push(obj);
    }
    return out;
  }

  /** A counter that changes whenever objects of this kind change. */
  version(kind: InputKind): number {
    return this.versions.get(kind) ?? 0;
  }

  size(kind: InputKind): number {
    return this.tables.get(kind)?.map.size ?? 0;
  }

  /**
   * An object that is the same (===) in two snapshots exactly when they hold the same objects of
   * this kind, by identity (a kind edited back to earlier content gets a new token).
   */
  token(kind: InputKind): object {
    const table = this.tables.get(kind);
    return table && table.map.size > 0 ? table : absentToken(kind);
  }

  /**
   * The keys of this kind whose object differs (added, removed or replaced) between `since` and
   * this snapshot, sorted. Cheap when this snapshot was derived from `since` by a few edits;
   * otherwise the two tables are compared object by object.
   */
  changes(kind: InputKind, since: Store): Key[] {
    const mine = this.tables.get(kind);
    const theirs = since.tables.get(kind);
    if (mine === theirs) return [];
    if (!mine || !theirs) return [...new Set([...(mine?.map.keys() ?? []), ...(theirs?.map.keys() ?? [])])].sort();
    return mine.changesSince(theirs);
  }

  /**
   * A value computed by `build` from this snapshot's objects of `kinds` only, shared by every
   * snapshot with the same objects of those kinds. `slot` tells computations apart (one object
   * per computation, kept by the caller); `kinds` must list everything `build` reads.
   */
  derived<T>(slot: object, kinds: readonly InputKind[], build: () => T): T {
    let level = derivedValues.get(slot);
    if (!level) derivedValues.set(slot, (level = new WeakMap()));
    for (let i = 0; i < kinds.length - 1; i++) {
      const token = this.token(kinds[i]);
      let next = level.get(token) as WeakMap<object, unknown> | undefined;
      if (!next) level.set(token, (next = new WeakMap()));
      level = next;
    }
    const last = kinds.length > 0 ? this.token(kinds[kinds.length - 1]) : slot;
    if (level.has(last)) return level.get(last) as T;
    const value = build();
    level.set(last, value);
    return value;
  }

  /** A new store with the object added or replaced. */
  with(kind: InputKind, object: KubeObject): Store {
    const name = object.metadata?.name;
    if (!name) return this;
    const key = keyOf(object.metadata?.namespace, name);
    const current = this.tables.get(kind);
    return this.replace(kind, current ? current.set(key, object) : Table.fresh(new Map([[key, object]])));
  }

  /** A new store without the object. */
  without(kind: InputKind, namespace: string | undefined, name: string): Store {
    const current = this.tables.get(kind);
    const key = keyOf(namespace, name);
    if (!current?.map.has(key)) return this;
    return this.replace(kind, current.delete(key));
  }

  private replace(kind: InputKind, table: Table): Store {
    const tables = new Map(this.tables);
    tables.set(kind, table);
    const versions = new Map(this.versions);
    versions.set(kind, (versions.get(kind) ?? 0) + 1);
    return new Store(tables, versions);
  }
}
