/**
 * The cluster state behind the HTTP layer: reads, and the write path every verb shares
 * (prepare → mutating admission → validating admission → no-op check → store), deletion with
 * finalizers, owner-reference garbage collection, and CRD registration.
 */
import { mutate, validate, type AdmissionEnv, type AdmissionRequest } from "./admission";
import { alreadyExists, ApiError, conflict, notFound, STALE } from "./errors";
import { builtinListKeys, schemaListKeys, type ListKeys } from "./fields";
import { builtinDefaults, ServiceAllocator } from "./builtin-defaults";
import { canonical, clone, prepareCreate, prepareUpdate, staleVersion } from "./lifecycle";
import { recordUpdate } from "./managed";
import { Registry } from "./registry";
import { apiVersionOf, resourceKey, type KubeObject, type ResourceType } from "./resources";
import { defaultObject } from "./schema";
import { Store } from "./store";

export interface Target {
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  userAgent?: string;
  userInfo?: KubeObject;
  /** The options object sent to webhooks (CreateOptions, UpdateOptions, DeleteOptions). */
  options?: KubeObject;
  /** Collects admission warnings. */
  warnings?: string[];
}

export const ADMIN = { username: "test-admin", uid: "test-admin", groups: ["system:masters", "system:authenticated"] };

const NAMESPACES = { group: "", plural: "namespaces" };
const CRDS = "apiextensions.k8s.io/customresourcedefinitions";

/** A mutating webhook may not change what the server owns: identity and server metadata. */
function reimpose(base: KubeObject, mutated: KubeObject): KubeObject {
  const m = clone(mutated);
  m.apiVersion = base.apiVersion;
  m.kind = base.kind;
  m.metadata ??= {};
  for (const k of ["name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion"]) {
    if (base.metadata[k] === undefined) delete m.metadata[k];
    else m.metadata[k] = base.metadata[k];
  }
  return m;
}

export class Cluster {
  readonly store: Store;
  readonly registry = new Registry();
  readonly services = new Map<string, { host: string; port: number }>();
  onWebhookCall?: AdmissionEnv["onCall"];
  private readonly alloc: ServiceAllocator;

  constructor(historyLimit?: number) {
    this.store = new Store(historyLimit);
    this.alloc = new ServiceAllocator(() => this.store.list("/services"));
  }

  /** Schema defaults (custom resources) or built-in defaults, as the write path applies them. */
  private defaults(t: Target, obj: KubeObject, old?: KubeObject): void {
    if (t.subresource === "status") return;
    if (t.type.custom) defaultObject(obj, t.type.schemas?.[t.version]);
    else builtinDefaults(resourceKey(t.type), obj, old, this.alloc);
  }

  now(): string {
    return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  type(group: string, plural: string): ResourceType {
    const t = this.registry.byKey(resourceKey({ group, plural }));
    if (!t) throw new Error(`no resource ${plural}.${group}`);
    return t;
  }

  /** The object as served at a version (a copy). */
  out(t: ResourceType, version: string, obj: KubeObject): KubeObject {
    const o = clone(obj);
    o.apiVersion = apiVersionOf(t.group, version);
    return o;
  }

  get(t: Target): KubeObject {
    const obj = this.store.get(resourceKey(t.type), t.namespace, t.name!);
    if (!obj) throw notFound(t.type, t.name!);
    return this.out(t.type, t.version, obj);
  }

  listKeys(t: ResourceType, version: string): ListKeys {
    return t.custom ? schemaListKeys(t.schemas?.[version]) : builtinListKeys;
  }

  private admissionEnv(): AdmissionEnv {
    return {
      webhookConfigs: (kind) => this.store.list(`admissionregistration.k8s.io/${kind}webhookconfigurations`),
      namespace: (name) => this.store.get("/namespaces", undefined, name),
      resolveService: (ns, name, port) => this.services.get(`${ns}/${name}:${port}`),
      onCall: (...args) => this.onWebhookCall?.(...args),
    };
  }

  private request(op: AdmissionRequest["operation"], t: Target, obj: KubeObject | undefined, old: KubeObject | undefined, o: WriteOptions): AdmissionRequest {
    return {
      operation: op,
      type: t.type,
      version: t.version,
      namespace: t.namespace,
      name: t.name ?? obj?.metadata?.name ?? "",
      subresource: t.subresource,
      object: obj,
      oldObject: old && this.out(t.type, t.version, old),
      dryRun: !!o.dryRun,
      options: o.options ?? {},
      userInfo: o.userInfo ?? ADMIN,
    };
  }

  private requireNamespace(t: Target): void {
    if (!t.type.namespaced) return;
    const ns = this.store.get("/namespaces", undefined, t.namespace!);
    if (!ns) throw notFound(NAMESPACES, t.namespace!);
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(403, "Forbidden", `${t.type.plural} "${t.name ?? ""}" is forbidden: unable to create new content in namespace ${t.namespace} because it is being terminated`);
    }
  }

  private manager(o: WriteOptions, fallback: string): string {
    return o.fieldManager || (o.userAgent ? o.userAgent.split("/")[0] : fallback);
  }

  /** Creates an object (body already merged/applied by the caller where relevant). */
  async create(t: Target, body: KubeObject, o: WriteOptions = {}, managed?: (obj: KubeObject) => void): Promise<KubeObject> {
    const now = this.now();
    let obj = prepareCreate(t.type, t.version, body, t.namespace, now);
    t = { ...t, name: obj.metadata.name };
    this.requireNamespace(t);
    this.defaults(t, obj);
    const warnings = o.warnings ?? [];
    const mutated = await mutate(this.request("CREATE", t, obj, undefined, o), this.admissionEnv(), warnings);
    if (mutated && mutated !== obj) {
      obj = reimpose(obj, mutated);
      this.defaults(t, obj);
    }
    await validate(this.request("CREATE", t, obj, undefined, o), this.admissionEnv(), warnings);
    const key = resourceKey(t.type);
    if (this.store.get(key, t.namespace, t.name!)) throw alreadyExists(t.type, t.name!);
    if (managed) managed(obj);
    else recordUpdate(undefined, obj, { manager: this.manager(o, "unknown"), apiVersion: obj.apiVersion, listKeys: this.listKeys(t.type, t.version), now });
    if (!obj.metadata.managedFields?.length) delete obj.metadata.managedFields;
    if (o.dryRun) return this.out(t.type, t.version, obj);
    this.store.put(key, obj, "ADDED");
    this.afterWrite(t.type, obj);
    return this.out(t.type, t.version, obj);
  }

  /**
   * Replaces an object with `body` (already patched by the caller for PATCH). A stale
   * resourceVersion in the body is a 409; an unchanged object is returned as it was, with no new
   * resourceVersion and no watch event.
   */
  async update(t: Target, body: KubeObject, o: WriteOptions = {}, managed?: (old: KubeObject, next: KubeObject) => void): Promise<KubeObject> {
    const key = resourceKey(t.type);
    const old = this.store.get(key, t.namespace, t.name!);
    if (!old) throw notFound(t.type, t.name!);
    if (staleVersion(old, body)) throw conflict(t.type, t.name!, STALE);
    if (body.metadata?.uid && body.metadata.uid !== old.metadata.uid) {
      throw conflict(t.type, t.name!, `Precondition failed: UID in precondition: ${old.metadata.uid}, UID in object meta: ${body.metadata.uid}`);
    }
    let obj = prepareUpdate(t.type, t.version, old, body, t.subresource);
    this.defaults(t, obj, old);
    const warnings = o.warnings ?? [];
    const mutated = await mutate(this.request("UPDATE", t, this.out(t.type, t.version, obj), old, o), this.admissionEnv(), warnings);
    if (mutated) {
      obj = prepareUpdate(t.type, t.version, old, mutated, t.subresource);
      this.defaults(t, obj, old);
    }
    await validate(this.request("UPDATE", t, obj, old, o), this.admissionEnv(), warnings);
    const now = this.now();
    const opts = { manager: this.manager(o, "unknown"), apiVersion: obj.apiVersion, listKeys: this.listKeys(t.type, t.version), now, subresource: t.subresource };
    if (managed) managed(old, obj);
    else recordUpdate(old, obj, opts);
    if (!obj.metadata.managedFields?.length) delete obj.metadata.managedFields;
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    const oldOut = { ...old, apiVersion: obj.apiVersion };
    if (canonical(obj) === canonical(oldOut)) return this.out(t.type, t.version, old);
    if (o.dryRun) return this.out(t.type, t.version, obj);
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length)) {
      return this.out(t.type, t.version, this.removeNow(t.type, obj));
    }
    this.store.put(key, obj, "MODIFIED");
    this.afterWrite(t.type, obj);
    return this.out(t.type, t.version, obj);
  }

  private afterWrite(t: ResourceType, obj: KubeObject): void {
    if (resourceKey(t) === CRDS) this.registry.setCRD(obj);
  }

  /**
   * Deletes an object: with finalizers it only gets a deletionTimestamp (202); otherwise it is
   * removed (200) and its dependents are garbage collected unless propagationPolicy is Orphan.
   */
  async remove(t: Target, options: KubeObject = {}, o: WriteOptions = {}): Promise<{ object: KubeObject; gone: boolean }> {
    const key = resourceKey(t.type);
    const old = this.store.get(key, t.namespace, t.name!);
    if (!old) throw notFound(t.type, t.name!);
    const pre = options.preconditions ?? {};
    if (pre.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(t.type, t.name!, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    if (pre.uid && pre.uid !== old.metadata.uid) {
      throw conflict(t.type, t.name!, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    const review = this.request("DELETE", t, undefined, old, { ...o, options: { kind: "DeleteOptions", apiVersion: "meta.k8s.io/v1", ...options } });
    await mutate(review, this.admissionEnv(), o.warnings ?? []);
    await validate(review, this.admissionEnv(), o.warnings ?? []);
    if (o.dryRun) return { object: this.out(t.type, t.version, old), gone: true };
    if (old.metadata.finalizers?.length) {
      if (old.metadata.deletionTimestamp) return { object: this.out(t.type, t.version, old), gone: false };
      const marked = clone(old);
      marked.metadata.deletionTimestamp = this.now();
      marked.metadata.deletionGracePeriodSeconds = 0;
      if (t.type.generation) marked.metadata.generation = (old.metadata.generation ?? 0) + 1;
      if (resourceKey(t.type) === "/namespaces") marked.status = { phase: "Terminating" };
      this.store.put(key, marked, "MODIFIED");
      return { object: this.out(t.type, t.version, marked), gone: false };
    }
    const gone = this.removeNow(t.type, old, options.propagationPolicy === "Orphan");
    return { object: this.out(t.type, t.version, gone), gone: true };
  }

  /** Removes an object now, with its dependents, namespace contents or custom resources. */
  removeNow(t: ResourceType, obj: KubeObject, orphan = false): KubeObject {
    const key = resourceKey(t);
    if (key === "/namespaces") this.purge((o, k) => this.registry.byKey(k)?.namespaced === true && o.metadata.namespace === obj.metadata.name);
    if (key === CRDS) {
      const crType = this.registry.removeCRD(obj);
      if (crType) this.purge((_o, k) => k === resourceKey(crType));
    }
    const gone = this.store.remove(key, obj);
    if (!orphan) this.collectDependents(obj.metadata.uid);
    return gone;
  }

  private purge(match: (o: KubeObject, key: string) => boolean): void {
    for (const key of this.store.resources()) {
      const t = this.registry.byKey(key);
      for (const o of this.store.list(key)) if (t && match(o, key)) this.removeNow(t, o);
    }
  }

  private exists(uid: string): boolean {
    return this.store.resources().some((k) => this.store.list(k).some((o) => o.metadata.uid === uid));
  }

  private collectDependents(uid: string): void {
    for (const key of this.store.resources()) {
      const t = this.registry.byKey(key);
      for (const o of this.store.list(key)) {
        const refs: KubeObject[] = o.metadata.ownerReferences ?? [];
        if (!t || !refs.some((r) => r.uid === uid) || refs.some((r) => this.exists(r.uid))) continue;
        if (this.store.get(key, o.metadata.namespace, o.metadata.name)) this.removeNow(t, o);
      }
    }
  }
}
