/**
 * Object storage with one global resourceVersion counter and a bounded history of changes, from
 * which watches resume; older resourceVersions than the history holds are answered with 410.
 */
import type { KubeObject } from "./resources";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: EventType;
  /** The resourceVersion this change produced. */
  rv: number;
  /** Resource identity (group/plural). */
  resource: string;
  object: KubeObject;
  /** The object before a MODIFIED change. */
  old?: KubeObject;
}

type Listener = (e: StoreEvent) => void;

function nsName(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

export class Store {
  /** The latest resourceVersion handed out. */
  rv = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private history: StoreEvent[] = [];
  /** Every change with rv <= this is gone from history: resuming from an older rv is 410. */
  private compactedThrough = 0;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly historyLimit = 10_000) {}

  private bucket(resource: string): Map<string, KubeObject> {
    let b = this.objects.get(resource);
    if (!b) {
      b = new Map();
      this.objects.set(resource, b);
    }
    return b;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(resource)?.get(nsName(namespace, name));
  }

  /** Objects of a resource (in one namespace if given), sorted by namespace then name. */
  list(resource: string, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(resource)?.values() ?? [])];
    const picked = namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
    return picked.sort((a, b) => nsName(a.metadata.namespace, a.metadata.name).localeCompare(nsName(b.metadata.namespace, b.metadata.name)));
  }

  resources(): string[] {
    return [...this.objects.keys()];
  }

  /** Stores a created or changed object, stamping a new resourceVersion, and tells the watchers. */
  put(resource: string, obj: KubeObject, type: "ADDED" | "MODIFIED"): KubeObject {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    const k = nsName(obj.metadata.namespace, obj.metadata.name);
    const old = this.bucket(resource).get(k);
    this.bucket(resource).set(k, obj);
    this.record({ type, rv: this.rv, resource, object: obj, ...(old ? { old } : {}) });
    return obj;
  }

  /** Removes an object; the DELETED event carries a new resourceVersion. */
  remove(resource: string, obj: KubeObject): KubeObject {
    this.rv += 1;
    this.bucket(resource).delete(nsName(obj.metadata.namespace, obj.metadata.name));
    const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } };
    this.record({ type: "DELETED", rv: this.rv, resource, object: gone });
    return gone;
  }

  private record(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedThrough = dropped[dropped.length - 1].rv;
    }
    for (const l of this.listeners) l(e);
  }

  /** Changes after `rv`, or "expired" when some of them are no longer kept. */
  since(rv: number): StoreEvent[] | "expired" {
    if (rv < this.compactedThrough) return "expired";
    return this.history.filter((e) => e.rv > rv);
  }

  /** The oldest resourceVersion a watch can still resume from. */
  get oldestResumable(): number {
    return this.compactedThrough;
  }

  /** Forgets all history: a watch resuming from any earlier resourceVersion gets 410 Gone. */
  compact(): void {
    this.history = [];
    this.compactedThrough = this.rv;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
