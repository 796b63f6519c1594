/**
 * What kube-apiserver does to an object on its way in: identity checks, server-owned metadata
 * (uid, creationTimestamp, generation), the status rules of kinds with a status subresource,
 * names from generateName, and the per-kind touches (Namespace labels, CRD status).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ApiError, badRequest, invalid } from "./errors";
import { apiVersionOf, type KubeObject, type ResourceType } from "./resources";

export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** JSON with object keys sorted, so equal objects compare equal whatever their key order. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) =>
    val && typeof val === "object" && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : val,
  );
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KINDS = new Set(["/namespaces", "/services"]);

function checkName(t: ResourceType, name: string): void {
  const asLabel = LABEL_KINDS.has(`${t.group}/${t.plural}`);
  const ok = asLabel ? LABEL.test(name) && name.length <= 63 : SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return;
  const what = asLabel ? "a lowercase RFC 1123 label" : "a lowercase RFC 1123 subdomain";
  throw invalid(t.kind, t.group, name, [{ reason: "FieldValueInvalid", field: "metadata.name", message: `Invalid value: "${name}": ${what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` }]);
}

const ANNOTATIONS_LIMIT = 256 * 1024;

/** kube-apiserver's limit on the total size of an object's annotations. */
function checkAnnotations(t: ResourceType, obj: KubeObject): void {
  const size = Object.entries<string>(obj.metadata.annotations ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  if (size <= ANNOTATIONS_LIMIT) return;
  throw invalid(t.kind, t.group, obj.metadata.name, [{ reason: "FieldValueTooLong", field: "metadata.annotations", message: `Too long: must have at most ${ANNOTATIONS_LIMIT} bytes` }]);
}

/** Checks apiVersion, kind, namespace and name of a request body against the URL. */
export function checkIdentity(t: ResourceType, version: string, body: KubeObject, namespace: string | undefined, urlName?: string): void {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of the request is not a JSON object");
  const expected = apiVersionOf(t.group, version);
  if (body.apiVersion !== undefined && body.apiVersion !== expected) {
    throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (body.kind !== undefined && body.kind !== t.kind) throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${t.kind})`);
  body.metadata ??= {};
  const ns = body.metadata.namespace;
  if (t.namespaced && ns !== undefined && ns !== "" && ns !== namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  if (urlName !== undefined && body.metadata.name !== undefined && body.metadata.name !== urlName) {
    throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${urlName})`);
  }
}

const GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function generatedName(prefix: string): string {
  const bytes = randomBytes(5);
  return prefix + [...bytes].map((b) => GENERATE_ALPHABET[b % GENERATE_ALPHABET.length]).join("");
}

/** The fields a generation bump looks at: everything but metadata and status. */
function specPart(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return canonical(rest);
}

/** Prepares a new object: identity, server metadata, status reset, per-kind defaults. */
export function prepareCreate(t: ResourceType, version: string, body: KubeObject, namespace: string | undefined, now: string): KubeObject {
  const obj = clone(body);
  obj.apiVersion = apiVersionOf(t.group, version);
  obj.kind = t.kind;
  const md = obj.metadata;
  if (md.resourceVersion) throw new ApiError(500, "InternalError", "resourceVersion should not be set on objects to be created");
  if (!md.name && md.generateName) md.name = generatedName(md.generateName);
  if (!md.name) throw invalid(t.kind, t.group, "", [{ reason: "FieldValueRequired", field: "metadata.name", message: "Required value: name or generateName is required" }]);
  checkName(t, md.name);
  if (t.namespaced) md.namespace = namespace;
  else delete md.namespace;
  md.uid = randomUUID();
  md.creationTimestamp = now;
  delete md.deletionTimestamp;
  delete md.deletionGracePeriodSeconds;
  if (t.generation) md.generation = 1;
  else delete md.generation;
  if (t.status) {
    if (t.custom) delete obj.status;
    else obj.status = {};
  }
  kindDefaults(t, obj);
  checkAnnotations(t, obj);
  return obj;
}

/** Carries the server-owned fields of `old` into an update, applies the status rules, bumps generation. */
export function prepareUpdate(t: ResourceType, version: string, old: KubeObject, body: KubeObject, subresource?: string): KubeObject {
  let obj = clone(body);
  if (subresource === "status") {
    obj = { ...clone(old), status: obj.status };
  } else if (t.status) {
    if (old.status === undefined) delete obj.status;
    else obj.status = clone(old.status);
  }
  obj.apiVersion = apiVersionOf(t.group, version);
  obj.kind = t.kind;
  obj.metadata ??= {};
  const md = obj.metadata;
  for (const k of ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"]) {
    if (old.metadata[k] === undefined) delete md[k];
    else md[k] = old.metadata[k];
  }
  if (subresource === "status") md.managedFields = old.metadata.managedFields;
  if (t.generation && specPart(obj) !== specPart(old)) md.generation = (old.metadata.generation ?? 0) + 1;
  kindDefaults(t, obj);
  checkAnnotations(t, obj);
  return obj;
}

/** Checks the resourceVersion precondition of an update. */
export function staleVersion(old: KubeObject, body: KubeObject): boolean {
  const rv = body.metadata?.resourceVersion;
  return rv !== undefined && rv !== "" && rv !== old.metadata.resourceVersion;
}

function kindDefaults(t: ResourceType, obj: KubeObject): void {
  if (t.group === "" && t.plural === "namespaces") {
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), "kubernetes.io/metadata.name": obj.metadata.name };
    obj.spec = { finalizers: ["kubernetes"], ...(obj.spec ?? {}) };
    obj.status = { phase: obj.metadata.deletionTimestamp ? "Terminating" : "Active" };
  }
  if (t.group === "apiextensions.k8s.io" && t.plural === "customresourcedefinitions") crdStatus(t, obj);
}

function crdStatus(t: ResourceType, crd: KubeObject): void {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  if (crd.metadata.name !== `${names.plural}.${spec.group}`) {
    throw invalid(t.kind, t.group, crd.metadata.name, [{ reason: "FieldValueInvalid", field: "metadata.name", message: `Invalid value: "${crd.metadata.name}": must be spec.names.plural+"."+spec.group` }]);
  }
  const storage = (spec.versions ?? []).filter((v: KubeObject) => v.storage);
  if (storage.length !== 1) {
    throw invalid(t.kind, t.group, crd.metadata.name, [{ reason: "FieldValueInvalid", field: "spec.versions", message: "Invalid value: must have exactly one version marked as storage version" }]);
  }
  const prev = crd.status ?? {};
  const time = prev.conditions?.[0]?.lastTransitionTime ?? crd.metadata.creationTimestamp;
  const cond = (type: string, reason: string, message: string) => ({ type, status: "True", lastTransitionTime: time, reason, message });
  crd.status = {
    conditions: [cond("NamesAccepted", "NoConflicts", "no conflicts found"), cond("Established", "InitialNamesAccepted", "the initial names have been accepted")],
    acceptedNames: { ...names, singular: names.singular ?? names.kind.toLowerCase() },
    storedVersions: [...new Set([...(prev.storedVersions ?? []), storage[0].name])],
  };
}
