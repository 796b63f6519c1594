/**
 * The Store: an immutable snapshot of every input object, indexed by kind, namespace and name.
 * Ingest (cluster watch or file loader) builds a new Store for each change with `with`/`without`;
 * translate only reads. Unchanged kinds share their maps between snapshots, so a change costs
 * O(objects of that kind) at most, and `version(kind)` lets translation skip untouched work.
 */
import type { InputKind, KubeObject } from "../apis";

export type Key = string; // `namespace/name`, or `name` for cluster-scoped kinds

export function keyOf(namespace: string | undefined, name: string): Key {
  return namespace ? `${namespace}/${name}` : name;
}

type Table = ReadonlyMap<Key, KubeObject>;

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
    const tables = new Map<InputKind, Map<Key, KubeObject>>();
    for (const { kind, object } of objects) {
      const name = object.metadata?.name;
      if (!name) continue;
      let table = tables.get(kind);
      if (!table) tables.set(kind, (table = new Map()));
      table.set(keyOf(object.metadata?.namespace, name), object);
    }
    return new Store(tables, new Map([...tables.keys()].map(k => [k, 1])));
  }

  get<T extends KubeObject = KubeObject>(kind: InputKind, namespace: string | undefined, name: string): T | undefined {
    return this.tables.get(kind)?.get(keyOf(namespace, name)) as T | undefined;
  }

  /** Every object of a kind, optionally in one namespace, in key order. */
  list<T extends KubeObject = KubeObject>(kind: InputKind, namespace?: string): T[] {
    const table = this.tables.get(kind);
    if (!table) return [];
    const keys = [...table.keys()].sort();
    const out: T[] = [];
    for (const k of keys) {
      const obj = table.get(k) as T;
      if (namespace === undefined || obj.metadata?.namespace === namespace) out.push(obj);
    }
    return out;
  }

  /** A counter that changes whenever objects of this kind change. */
  version(kind: InputKind): number {
    return this.versions.get(kind) ?? 0;
  }

  size(kind: InputKind): number {
    return this.tables.get(kind)?.size ?? 0;
  }

  /** A new store with the object added or replaced. */
  with(kind: InputKind, object: KubeObject): Store {
    const name = object.metadata?.name;
    if (!name) return this;
    const table = new Map(this.tables.get(kind) ?? []);
    table.set(keyOf(object.metadata?.namespace, name), object);
    return this.replace(kind, table);
  }

  /** A new store without the object. */
  without(kind: InputKind, namespace: string | undefined, name: string): Store {
    const current = this.tables.get(kind);
    const key = keyOf(namespace, name);
    if (!current?.has(key)) return this;
    const table = new Map(current);
    table.delete(key);
    return this.replace(kind, table);
  }

  private replace(kind: InputKind, table: Table): Store {
    const tables = new Map(this.tables);
    tables.set(kind, table);
    const versions = new Map(this.versions);
    versions.set(kind, (versions.get(kind) ?? 0) + 1);
    return new Store(tables, versions);
  }
}
