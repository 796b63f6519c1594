import type { KubeObject } from "../../../src/apis";
import { ApiError, type KubeClient, type ListResult } from "../../../src/controller/k8s";
import type { KindInfo } from "../../../src/controller/kinds";

type Obj = KubeObject & { status?: Record<string, unknown> };

/** An in-memory API for the watcher's client: resourceVersions, preconditions, injected outages. */
export class FakeKube implements KubeClient {
  readonly objects = new Map<string, Obj>();
  rv = 1000;
  uid = 0;
  /** While > 0, every call fails like an unreachable server (and decrements). */
  down = 0;
  readonly calls: string[] = [];
  /** Plurals whose list answers 404 (CRD not installed). */
  readonly notServed = new Set<string>();

  private key(info: KindInfo, ns: string | undefined, name: string): string {
    return `${info.plural}/${info.namespaced ? (ns ?? "") : ""}/${name}`;
  }

  private gate(call: string): void {
    this.calls.push(call);
    if (this.down > 0) {
      this.down--;
      throw new ApiError(undefined, "connect ECONNREFUSED");
    }
  }

  /** Stores an object as the API would (new resourceVersion, uid on create). */
  put(info: KindInfo, obj: Obj): Obj {
    const k = this.key(info, obj.metadata?.namespace, obj.metadata!.name!);
    const held = this.objects.get(k);
    const stored = {
      ...obj,
      apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
      kind: info.kind,
      metadata: { ...obj.metadata, uid: held?.metadata?.uid ?? obj.metadata?.uid ?? `uid-${++this.uid}`, resourceVersion: String(++this.rv), generation: 1 },
    };
    this.objects.set(k, stored);
    return stored;
  }

  remove(info: KindInfo, ns: string | undefined, name: string): Obj | undefined {
    const k = this.key(info, ns, name);
    const held = this.objects.get(k);
    this.objects.delete(k);
    return held;
  }

  read(info: KindInfo, ns: string | undefined, name: string): Obj | undefined {
    return this.objects.get(this.key(info, ns, name));
  }

  async list(info: KindInfo, opts: { labelSelector?: string } = {}): Promise<ListResult> {
    this.gate(`list ${info.plural}`);
    if (this.notServed.has(info.plural)) throw new ApiError(404, "not found");
    const [lk, lv] = (opts.labelSelector ?? "").split("=");
    const items = [...this.objects.entries()]
      .filter(([k]) => k.startsWith(`${info.plural}/`))
      .map(([, o]) => o)
      .filter(o => !lk || o.metadata?.labels?.[lk] === lv);
    return { items: structuredClone(items), resourceVersion: String(this.rv) };
  }

  async get(info: KindInfo, ns: string | undefined, name: string): Promise<KubeObject | undefined> {
    this.gate(`get ${info.plural}/${name}`);
    const o = this.read(info, ns, name);
    return o && structuredClone(o);
  }

  async create(info: KindInfo, obj: KubeObject): Promise<KubeObject> {
    this.gate(`create ${info.plural}/${obj.metadata?.name}`);
    if (this.read(info, obj.metadata?.namespace, obj.metadata!.name!)) throw new ApiError(409, "already exists");
    return this.put(info, obj);
  }

  async apply(info: KindInfo, obj: KubeObject): Promise<KubeObject> {
    this.gate(`apply ${info.plural}/${obj.metadata?.name}`);
    return this.put(info, obj);
  }

  async delete(info: KindInfo, ns: string | undefined, name: string): Promise<void> {
    this.gate(`delete ${info.plural}/${name}`);
    this.remove(info, ns, name);
  }

  async patchStatus(info: KindInfo, ns: string | undefined, name: string, rv: string | undefined, status: Record<string, unknown>): Promise<KubeObject> {
    this.gate(`status ${info.plural}/${name}`);
    const held = this.read(info, ns, name);
    if (!held) throw new ApiError(404, "not found");
    if (rv !== undefined && rv !== held.metadata?.resourceVersion) throw new ApiError(409, "conflict");
    return this.put(info, { ...held, status: { ...held.status, ...status } });
  }

  count(prefix: string): number {
    return this.calls.filter(c => c.startsWith(prefix)).length;
  }
}
