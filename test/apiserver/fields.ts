/**
 * Field sets for server-side apply, in the managedFields FieldsV1 vocabulary: a path is a list of
 * "f:<field>" and "k:<json key>" steps; a leaf is a scalar, an atomic list or an empty map.
 * Associative lists are those with merge keys (built-ins) or `x-kubernetes-list-type: map` (CRDs).
 */
import type { KubeObject } from "./resources";

export type Path = string[];
/** Returns the key fields of the list at a path of field names, or undefined for an atomic list. */
export type ListKeys = (fieldPath: string[]) => string[] | undefined;

const isObj = (v: unknown): v is KubeObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Metadata fields the server owns; never part of a manager's set. */
const SERVER_META = new Set(["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generateName"]);

const BUILTIN_KEYS: Record<string, string[]> = {
  containers: ["name"], initContainers: ["name"], env: ["name"], volumes: ["name"], volumeMounts: ["mountPath"],
  imagePullSecrets: ["name"], conditions: ["type"], ownerReferences: ["uid"], tolerations: ["key"],
};

/** List keys for built-ins (by field name; container ports by containerPort and protocol). */
export const builtinListKeys: ListKeys = (fp) => {
  const f = fp[fp.length - 1];
  if (f === "ports") return fp.includes("containers") || fp.includes("initContainers") ? ["containerPort", "protocol"] : ["port", "protocol"];
  return BUILTIN_KEYS[f];
};

function schemaAt(schema: KubeObject | undefined, fp: string[]): KubeObject | undefined {
  let s = schema;
  for (const f of fp) {
    if (!s) return undefined;
    if (s.type === "array") s = s.items;
    s = s?.properties?.[f] ?? (isObj(s?.additionalProperties) ? s?.additionalProperties : undefined);
  }
  return s;
}

/** List keys from a CRD's openAPIV3Schema, falling back to built-in knowledge for metadata. */
export function schemaListKeys(schema: KubeObject | undefined): ListKeys {
  return (fp) => {
    if (fp[0] === "metadata") return builtinListKeys(fp);
    const s = schemaAt(schema, fp);
    return s?.["x-kubernetes-list-type"] === "map" ? s["x-kubernetes-list-map-keys"] : undefined;
  };
}

/** A key field's value, with kube's default for port protocols (so applied and stored items meet). */
function keyValue(item: KubeObject, key: string): unknown {
  return item[key] ?? (key === "protocol" ? "TCP" : undefined);
}

function itemKey(item: KubeObject, keys: string[]): string {
  const k: KubeObject = {};
  for (const key of [...keys].sort()) if (keyValue(item, key) !== undefined) k[key] = keyValue(item, key);
  return `k:${JSON.stringify(k)}`;
}

/** Leaf paths of an object (apiVersion, kind and server-owned metadata left out). */
export function leafPaths(obj: KubeObject, listKeys: ListKeys): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, path: Path, fp: string[]) => {
    if (isObj(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) {
        if (path.length === 0 && (k === "apiVersion" || k === "kind")) continue;
        if (fp.length === 1 && fp[0] === "metadata" && SERVER_META.has(k)) continue;
        walk(child, [...path, `f:${k}`], [...fp, k]);
      }
      return;
    }
    const keys = Array.isArray(v) ? listKeys(fp) : undefined;
    if (keys && (v as unknown[]).every(isObj)) {
      for (const item of v as KubeObject[]) walk(item, [...path, itemKey(item, keys)], [...fp]);
      if ((v as unknown[]).length === 0) out.push(path);
      return;
    }
    if (path.length > 0) out.push(path);
  };
  walk(obj, [], []);
  return out;
}

function step(cur: unknown, s: string): unknown {
  if (s.startsWith("f:")) return isObj(cur) ? cur[s.slice(2)] : undefined;
  if (!Array.isArray(cur)) return undefined;
  const key = JSON.parse(s.slice(2)) as KubeObject;
  return cur.find((x) => isObj(x) && Object.entries(key).every(([k, v]) => JSON.stringify(keyValue(x, k)) === JSON.stringify(v)));
}

export function valueAt(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const s of path) cur = step(cur, s);
  return cur;
}

/** Removes the value at a path; drops maps and list items left empty by the removal. */
export function removeAt(obj: KubeObject, path: Path): void {
  const parent = valueAt(obj, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last.startsWith("f:") && isObj(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const item = step(parent, last);
    parent.splice(parent.indexOf(item), 1);
  }
  if (path.length > 1) {
    const p = valueAt(obj, path.slice(0, -1));
    if ((isObj(p) && Object.keys(p).length === 0) || (Array.isArray(p) && p.length === 0)) removeAt(obj, path.slice(0, -1));
  }
}

/** Builds a FieldsV1 document from leaf paths. */
export function toFieldsV1(paths: Path[]): KubeObject {
  const root: KubeObject = {};
  for (const p of paths) {
    let cur = root;
    for (const s of p) {
      cur[s] ??= {};
      if (s.startsWith("k:")) cur[s]["."] ??= {};
      cur = cur[s];
    }
  }
  return root;
}

/** Reads the leaf paths back out of a FieldsV1 document. */
export function fromFieldsV1(f: KubeObject | undefined): Path[] {
  const out: Path[] = [];
  const walk = (node: KubeObject, path: Path) => {
    const children = Object.keys(node).filter((k) => k !== ".");
    if (children.length === 0 && path.length > 0) out.push(path);
    for (const c of children) walk(node[c], [...path, c]);
  };
  if (f) walk(f, []);
  return out;
}

/** Structural merge of an applied configuration into an object (associative lists by key). */
export function mergeApplied(base: unknown, applied: unknown, listKeys: ListKeys, fp: string[] = []): unknown {
  if (isObj(applied)) {
    const out: KubeObject = isObj(base) ? { ...base } : {};
    for (const [k, v] of Object.entries(applied)) out[k] = mergeApplied(out[k], v, listKeys, [...fp, k]);
    return out;
  }
  const keys = Array.isArray(applied) ? listKeys(fp) : undefined;
  if (keys && Array.isArray(base) && Array.isArray(applied) && applied.every(isObj)) {
    const out = [...base];
    for (const item of applied as KubeObject[]) {
      const i = out.findIndex((x) => isObj(x) && itemKey(x, keys) === itemKey(item, keys));
      if (i >= 0) out[i] = mergeApplied(out[i], item, listKeys, fp);
      else out.push(item);
    }
    return out;
  }
  return JSON.parse(JSON.stringify(applied));
}
