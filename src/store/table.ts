/**
 * One kind's objects in a Store snapshot: an immutable map by key, its keys in sorted order
 * (computed once, and carried over by edits), and a short history of the edits that led to it so
 * that the difference with a recent ancestor costs O(edits).
 */
import type { KubeObject } from "../apis";

type Key = string;

/** Edits remembered per table; an older ancestor is compared object by object. */
const HISTORY = 64;

let nextSerial = 1;

interface Edit {
  /** Serial of the table this edit was applied to. */
  from: number;
  key: Key;
}

function compareKeys(a: Key, b: Key): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of `key` in a sorted array, or where it would go. */
function search(sorted: readonly Key[], key: Key): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Table {
  readonly serial = nextSerial++;
  private sorted: readonly Key[] | undefined;

  private constructor(
    readonly map: ReadonlyMap<Key, KubeObject>,
    private readonly history: readonly Edit[],
    sorted?: readonly Key[],
  ) {
    this.sorted = sorted;
  }

  static fresh(map: ReadonlyMap<Key, KubeObject>): Table {
    return new Table(map, []);
  }

  sortedKeys(): readonly Key[] {
    if (!this.sorted) this.sorted = [...this.map.keys()].sort(compareKeys);
    return this.sorted;
  }

  set(key: Key, object: KubeObject): Table {
    const map = new Map(this.map);
    const existed = map.has(key);
    map.set(key, object);
    let sorted = this.sorted;
    if (sorted && !existed) {
      const at = search(sorted, key);
      sorted = [...sorted.slice(0, at), key, ...sorted.slice(at)];
    }
    return new Table(map, this.edited(key), sorted);
  }

  delete(key: Key): Table {
    const map = new Map(this.map);
    map.delete(key);
    let sorted = this.sorted;
    if (sorted) {
      const at = search(sorted, key);
      sorted = [...sorted.slice(0, at), ...sorted.slice(at + 1)];
    }
    return new Table(map, this.edited(key), sorted);
  }

  private edited(key: Key): Edit[] {
    const kept = this.history.length >= HISTORY ? this.history.slice(1) : [...this.history];
    kept.push({ from: this.serial, key });
    return kept;
  }

  /** Sorted keys whose object differs between `older` and this table. */
  changesSince(older: Table): Key[] {
    const at = this.history.findIndex(e => e.from === older.serial);
    const keys = new Set<Key>();
    if (at >= 0) {
      for (let i = at; i < this.history.length; i++) {
        const key = this.history[i].key;
        // edited back and forth: only a key whose object differs in the end counts
        if (this.map.get(key) !== older.map.get(key)) keys.add(key);
      }
      return [...keys].sort(compareKeys);
    }
    for (const [key, object] of this.map) if (older.map.get(key) !== object) keys.add(key);
    for (const key of older.map.keys()) if (!this.map.has(key)) keys.add(key);
    return [...keys].sort(compareKeys);
  }
}
