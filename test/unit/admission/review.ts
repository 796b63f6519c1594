/**
 * AdmissionReview v1 request payloads as the kube-apiserver sends them, and an RFC 6902 JSON Patch
 * applier written for the tests (independent of the library Pepr uses to compute patches).
 */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { AdmissionResponse } from "./harness";

type Obj = Record<string, unknown>;
type GVK = { group: string; version: string; kind: string };

export const BACKEND_GVK = { group: "gateway.envoyproxy.io", version: "v1alpha1", kind: "Backend" };
export const HTTPROUTE_GVK = { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute" };
const PLURAL: Record<string, string> = { Backend: "backends", HTTPRoute: "httproutes" };

export interface RequestOptions {
  oldObject?: Obj;
  /** The version the client used, when the API server converted it (matchPolicy Equivalent). */
  requestVersion?: string;
}

/** An AdmissionRequest for a CREATE (no oldObject) or UPDATE of `object`. */
export function admissionRequest(operation: "CREATE" | "UPDATE", kind: GVK, object: Obj, opts: RequestOptions = {}): Obj {
  const meta = (object.metadata ?? {}) as { name?: string; namespace?: string };
  const resource = { group: kind.group, version: kind.version, resource: PLURAL[kind.kind] };
  const requestVersion = opts.requestVersion ?? kind.version;
  return {
    uid: randomUUID(),
    kind,
    resource,
    requestKind: { ...kind, version: requestVersion },
    requestResource: { ...resource, version: requestVersion },
    name: meta.name,
    namespace: meta.namespace,
    operation,
    userInfo: { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] },
    object,
    oldObject: operation === "UPDATE" ? (opts.oldObject ?? null) : null,
    dryRun: false,
    options: {
      apiVersion: "meta.k8s.io/v1",
      kind: operation === "CREATE" ? "CreateOptions" : "UpdateOptions",
      fieldManager: "kubectl-client-side-apply",
    },
  };
}

function unescape(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Applies add/remove/replace operations (all a mutating webhook returns here) to a copy of `doc`. */
export function applyPatch(doc: Obj, patch: { op: string; path: string; value?: unknown }[]): Obj {
  const out = structuredClone(doc);
  for (const { op, path, value } of patch) {
    const tokens = path.split("/").slice(1).map(unescape);
    const last = tokens.pop();
    if (last === undefined) throw new Error(`patch path ${path} names the whole document`);
    let parent: unknown = out;
    for (const t of tokens) {
      parent = Array.isArray(parent) ? parent[Number(t)] : (parent as Obj)[t];
      if (typeof parent !== "object" || parent === null) throw new Error(`patch path ${path}: ${t} is missing`);
    }
    if (Array.isArray(parent)) {
      const index = last === "-" ? parent.length : Number(last);
      if (op === "add") parent.splice(index, 0, value);
      else if (op === "remove") parent.splice(index, 1);
      else if (op === "replace") parent[index] = value;
      else throw new Error(`unexpected op ${op}`);
    } else {
      const target = parent as Obj;
      if (op === "add" || op === "replace") {
        if (op === "replace" && !(last in target)) throw new Error(`replace of missing ${path}`);
        target[last] = value;
      } else if (op === "remove") delete target[last];
      else throw new Error(`unexpected op ${op}`);
    }
  }
  return out;
}

/** The JSON Patch of a mutate response, decoded from base64. */
export function decodePatch(res: AdmissionResponse): { op: string; path: string; value?: unknown }[] {
  expect(res.patchType).toBe("JSONPatch");
  return JSON.parse(Buffer.from(res.patch ?? "", "base64").toString("utf8"));
}

/** Pepr's own annotation on every object its Mutate bindings processed successfully. */
export const PEPR_ANNOTATION = "envoy-gateway.pepr.dev/envoy-gateway";

/** The object with Pepr's success annotation added, as every mutated object carries it. */
export function annotated(obj: Obj): Obj {
  const out = structuredClone(obj);
  const meta = (out.metadata ?? {}) as Obj;
  meta.annotations = { ...((meta.annotations as Obj | undefined) ?? {}), [PEPR_ANNOTATION]: "succeeded" };
  out.metadata = meta;
  return out;
}
