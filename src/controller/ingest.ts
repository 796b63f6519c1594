/**
 * Ingest: turns watch events and lists into Store snapshots. Pure (no client): the capability's
 * Watch bindings and the relister call it.
 *
 * - Objects are trimmed first (see sanitize.ts).
 * - An event with the resourceVersion already held, or an older one, changes nothing.
 * - Created/updated and deleted events come from separate watch streams, so they may arrive out of
 *   order: a delete leaves a tombstone (by uid) that turns away a late add or update of that uid, and
 *   a delete for another uid than the one held (an object recreated under the same name) is ignored.
 * - A change to `status` alone of a kind whose status translation never reads (Gateway API kinds,
 *   Backend) is recorded (the status writer compares against it) but does not trigger a rebuild,
 *   so the writer's own writes coming back as events cause no work.
 * - `relist` makes a kind match a full list: objects missing from it are removed unless they are
 *   newer than the list (they were created after it was taken).
 * - Changes are applied to the Store lazily, when `store` is read: a burst of events costs one
 *   Store update per changed object, not one per event.
 */
import type { InputKind, KubeObject } from "../apis";
import { Store, keyOf } from "../store";
import { compareResourceVersions, deepEqual } from "./equal";
import { STATUS_KINDS } from "./kinds";
import { sanitize } from "./sanitize";

export type WatchPhase = "ADDED" | "MODIFIED" | "DELETED";

/** What an event did: nothing, a status-only change, or a change translation sees. */
export type Effect = "none" | "status" | "spec";

export interface IngestOptions {
  /** Called after each change that translation sees (debounce in the listener). */
  onChange?: (kind: InputKind) => void;
  /** How many deleted uids to remember (oldest forgotten first). */
  tombstoneLimit?: number;
  /** Called with an event's object that is skipped because it is not an object with a name. */
  onMalformed?: (kind: InputKind, raw: unknown) => void;
}

type Table = Map<string, KubeObject>;

/** How `b` differs from `a`, resourceVersion aside: not at all, in `status` only, or elsewhere. */
function difference(a: KubeObject, b: KubeObject): "none" | "status" | "other" {
  const { status: sa, metadata: ma, ...ra } = a as KubeObject & { status?: unknown };
  const { status: sb, metadata: mb, ...rb } = b as KubeObject & { status?: unknown };
  if (!deepEqual(ra, rb) || !deepEqual({ ...ma, resourceVersion: undefined }, { ...mb, resourceVersion: undefined })) return "other";
  return deepEqual(sa, sb) ? "none" : "status";
}

const rank: Record<Effect, number> = { none: 0, status: 1, spec: 2 };
const stronger = (a: Effect, b: Effect): Effect => (rank[a] >= rank[b] ? a : b);

export class Ingest {
  private current: Store = Store.empty();
  /** The newest object of every key (status included); the Store lags it for status-only changes. */
  private readonly latest = new Map<InputKind, Table>();
  /** Keys whose translation-visible content changed since the Store was last brought up to date. */
  private readonly pending = new Map<InputKind, Set<string>>();
  private readonly tombstones = new Map<string, true>();
  private readonly onChange: (kind: InputKind) => void;
  private readonly onMalformed: (kind: InputKind, raw: unknown) => void;
  private readonly tombstoneLimit: number;

  constructor(opts: IngestOptions = {}) {
    this.onChange = opts.onChange ?? (() => undefined);
    this.onMalformed = opts.onMalformed ?? (() => undefined);
    this.tombstoneLimit = opts.tombstoneLimit ?? 10_000;
  }

  /** The Store with every change applied. */
  get store(): Store {
    if (this.pending.size === 0) return this.current;
    let store = this.current;
    for (const [kind, keys] of this.pending) {
      const table = this.latest.get(kind);
      for (const key of keys) {
        const obj = table?.get(key);
        if (obj) store = store.with(kind, obj);
        else {
          const slash = key.indexOf("/");
          store = slash < 0 ? store.without(kind, undefined, key) : store.without(kind, key.slice(0, slash), key.slice(slash + 1));
        }
      }
    }
    this.pending.clear();
    this.current = store;
    return store;
  }

  /** The newest object seen, including status-only changes the Store does not carry. */
  observed<T extends KubeObject = KubeObject>(kind: InputKind, namespace: string | undefined, name: string): T | undefined {
    return this.latest.get(kind)?.get(keyOf(namespace, name)) as T | undefined;
  }

  /** Every newest object of a kind (unordered). */
  observedAll<T extends KubeObject = KubeObject>(kind: InputKind): T[] {
    return [...(this.latest.get(kind)?.values() ?? [])] as T[];
  }

  /** Applies one watch event. Malformed objects are ignored (Effect "none"). */
  event(kind: InputKind, phase: WatchPhase, raw: unknown): Effect {
    const effect = phase === "DELETED" ? this.remove(kind, raw) : this.upsert(kind, raw);
    if (effect === "spec") this.onChange(kind);
    return effect;
  }

  /**
   * Makes a kind match a complete list taken at `listVersion` (the list's metadata.resourceVersion):
   * upserts every item, removes what the list no longer has.
   */
  relist(kind: InputKind, items: unknown[], listVersion?: string): Effect {
    let effect: Effect = "none";
    const seen = new Set<string>();
    for (const item of items) {
      const obj = sanitize(kind, item);
      if (!obj) {
        this.onMalformed(kind, item);
        continue;
      }
      seen.add(keyOf(obj.metadata?.namespace, obj.metadata!.name!));
      effect = stronger(effect, this.upsert(kind, obj, true));
    }
    const table = this.latest.get(kind);
    for (const [key, obj] of [...(table ?? [])]) {
      if (seen.has(key)) continue;
      const order = compareResourceVersions(obj.metadata?.resourceVersion, listVersion);
      if (order !== undefined && order > 0) continue; // created after the list was taken
      effect = stronger(effect, this.drop(kind, key, obj));
    }
    if (effect === "spec") this.onChange(kind);
    return effect;
  }

  private upsert(kind: InputKind, raw: unknown, sanitized = false): Effect {
    const obj = sanitized ? (raw as KubeObject) : sanitize(kind, raw);
    if (!obj) {
      this.onMalformed(kind, raw);
      return "none";
    }
    const uid = obj.metadata?.uid;
    if (uid && this.tombstones.has(uid)) return "none";
    const key = keyOf(obj.metadata?.namespace, obj.metadata!.name!);
    let table = this.latest.get(kind);
    if (!table) this.latest.set(kind, (table = new Map()));
    const held = table.get(key);
    if (held && (!uid || held.metadata?.uid === uid)) {
      const order = compareResourceVersions(obj.metadata?.resourceVersion, held.metadata?.resourceVersion);
      if (order !== undefined && order <= 0) return "none";
    }
    table.set(key, obj);
    const diff = held ? difference(held, obj) : "other";
    if (diff === "none") return "none";
    if (diff === "status" && STATUS_KINDS.has(kind) && held!.metadata?.uid === uid) return "status";
    this.markPending(kind, key);
    return "spec";
  }

  private remove(kind: InputKind, raw: unknown): Effect {
    const obj = sanitize(kind, raw);
    if (!obj) {
      this.onMalformed(kind, raw);
      return "none";
    }
    const uid = obj.metadata?.uid;
    if (uid) this.tombstone(uid);
    const key = keyOf(obj.metadata?.namespace, obj.metadata!.name!);
    const held = this.latest.get(kind)?.get(key);
    if (!held) return "none";
    if (uid && held.metadata?.uid && held.metadata.uid !== uid) return "none";
    return this.drop(kind, key, held);
  }

  private drop(kind: InputKind, key: string, held: KubeObject): Effect {
    this.latest.get(kind)?.delete(key);
    if (held.metadata?.uid) this.tombstone(held.metadata.uid);
    this.markPending(kind, key);
    return "spec";
  }

  private markPending(kind: InputKind, key: string): void {
    let keys = this.pending.get(kind);
    if (!keys) this.pending.set(kind, (keys = new Set()));
    keys.add(key);
  }

  private tombstone(uid: string): void {
    this.tombstones.delete(uid);
    this.tombstones.set(uid, true);
    if (this.tombstones.size > this.tombstoneLimit) {
      const oldest = this.tombstones.keys().next().value;
      if (oldest !== undefined) this.tombstones.delete(oldest);
    }
  }
}
