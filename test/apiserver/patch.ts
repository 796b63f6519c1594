/**
 * The patch formats of PATCH requests: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
 * strategic merge patch. Strategic merge knows the merge keys of the built-in list fields that
 * matter here (containers, ports, env, volumes, conditions ...) and the $patch / $setElementOrder /
 * $retainKeys / $deleteFromPrimitiveList directives; every other list is replaced whole.
 */
import { ApiError, badRequest } from "./errors";
import type { KubeObject } from "./resources";

const isObj = (v: unknown): v is KubeObject => typeof v === "object" && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: KubeObject = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescapePointer(tok: string): string {
  return tok.replace(/~1/g, "/").replace(/~0/g, "~");
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw badRequest(`invalid JSON pointer: ${path}`);
  return path.slice(1).split("/").map(unescapePointer);
}

function parentOf(doc: unknown, toks: string[], path: string): { parent: KubeObject | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const t of toks.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isObj(cur) ? cur[t] : undefined;
    if (cur === undefined || cur === null || typeof cur !== "object") throw patchFailed(`doc is missing path: "${path}"`);
  }
  return { parent: cur as KubeObject | unknown[], key: toks[toks.length - 1] };
}

function patchFailed(msg: string): ApiError {
  return new ApiError(422, "Invalid", msg);
}

function arrayIndex(arr: unknown[], key: string, forAdd: boolean, path: string): number {
  if (forAdd && key === "-") return arr.length;
  const i = Number(key);
  const max = forAdd ? arr.length : arr.length - 1;
  if (!/^(0|[1-9][0-9]*)$/.test(key) || i > max) throw patchFailed(`Unable to access invalid index: ${key} in path "${path}"`);
  return i;
}

function getAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const t of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isObj(cur) ? cur[t] : undefined;
    if (cur === undefined) throw patchFailed(`doc is missing path: "${path}"`);
  }
  return cur;
}

function addAt(doc: unknown, path: string, value: unknown): unknown {
  const toks = pointer(path);
  if (toks.length === 0) return clone(value);
  const { parent, key } = parentOf(doc, toks, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true, path), 0, clone(value));
  else parent[key] = clone(value);
  return doc;
}

function removeAt(doc: unknown, path: string): unknown {
  const toks = pointer(path);
  const { parent, key } = parentOf(doc, toks, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false, path), 1);
  else if (key in parent) delete parent[key];
  else throw patchFailed(`Unable to remove nonexistent key: ${key}: missing value`);
  return doc;
}

/** RFC 6902 JSON patch; a failed `test` or a missing path fails the whole patch. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest("json patch must be a list of operations");
  let doc = clone(target);
  for (const op of ops as KubeObject[]) {
    const path = String(op.path ?? "");
    switch (op.op) {
      case "add": doc = addAt(doc, path, op.value); break;
      case "remove": doc = removeAt(doc, path); break;
      case "replace": getAt(doc, path); doc = addAt(removeAt(doc, path), path, op.value); break;
      case "move": { const v = clone(getAt(doc, op.from)); doc = addAt(removeAt(doc, op.from), path, v); break; }
      case "copy": doc = addAt(doc, path, getAt(doc, op.from)); break;
      case "test":
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(op.value)) throw patchFailed(`testing value ${path} failed: test failed`);
        break;
      default: throw badRequest(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}

/** Merge keys of built-in list fields, by field name (the schema position is not consulted). */
const MERGE_KEYS: Record<string, string> = {
  containers: "name", initContainers: "name", ephemeralContainers: "name", env: "name", volumes: "name",
  volumeMounts: "mountPath", volumeDevices: "devicePath", imagePullSecrets: "name", conditions: "type",
  ports: "port", hostAliases: "ip", topologySpreadConstraints: "topologyKey", tolerations: "key",
  ownerReferences: "uid", secrets: "name", subsets: "", endpoints: "", finalizers: "",
};

/** Lists whose items are plain values merged as sets (kube's `patchStrategy: merge` on scalars). */
const SET_LISTS = new Set(["finalizers"]);

function portKey(item: KubeObject): unknown {
  return item.containerPort !== undefined ? `${item.containerPort}/${item.protocol ?? "TCP"}` : `${item.port}/${item.protocol ?? "TCP"}`;
}

function keyOf(field: string, item: unknown): unknown {
  if (!isObj(item)) return item;
  return field === "ports" ? portKey(item) : item[MERGE_KEYS[field]];
}

function mergeList(field: string, target: unknown, patch: unknown[], order?: unknown[]): unknown[] {
  const base = Array.isArray(target) ? clone(target) : [];
  if (patch.some((p) => isObj(p) && p.$patch === "replace")) return patch.filter((p) => !(isObj(p) && p.$patch === "replace"));
  const out = base;
  for (const p of patch) {
    const k = keyOf(field, p);
    const i = out.findIndex((x) => keyOf(field, x) === k);
    if (isObj(p) && p.$patch === "delete") {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = isObj(p) ? strategicMerge(out[i], p) : p;
    else out.push(isObj(p) ? strategicMerge({}, p) : p);
  }
  if (!order) return out;
  const rank = (x: unknown) => {
    const r = order.findIndex((o) => keyOf(field, o) === keyOf(field, x));
    return r < 0 ? order.length : r;
  };
  return out.map((x, i) => ({ x, i })).sort((a, b) => rank(a.x) - rank(b.x) || a.i - b.i).map((e) => e.x);
}

function isMergeList(field: string, value: unknown[]): boolean {
  if (SET_LISTS.has(field)) return true;
  const key = MERGE_KEYS[field];
  return key !== undefined && key !== "" && value.every((v) => isObj(v));
}

/** Strategic merge patch, with the simplifications in this file's header. */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === "replace") {
    const { $patch: _drop, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === "delete") return undefined;
  const out: KubeObject = isObj(target) ? { ...target } : {};
  const orders: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(patch)) if (k.startsWith("$setElementOrder/")) orders[k.slice(17)] = v as unknown[];
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const f = k.slice(25);
      if (Array.isArray(out[f])) out[f] = out[f].filter((x: unknown) => !(v as unknown[]).includes(x));
      continue;
    }
    if (k.startsWith("$")) continue;
    if (v === null) delete out[k];
    else if (Array.isArray(v) && isMergeList(k, v)) out[k] = SET_LISTS.has(k) ? [...new Set([...(out[k] ?? []), ...v])] : mergeList(k, out[k], v, orders[k]);
    else if (isObj(v)) {
      const merged = strategicMerge(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = clone(v);
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  return out;
}
