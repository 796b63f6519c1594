/**
 * What route-level translation depends on besides the HTTPRoute itself, and which of those
 * dependencies a change between two Store snapshots touches.
 *
 * Every read route-level translation makes goes through resolveBackendRef (backends.ts), for one
 * backend target at a time. A route therefore depends on:
 * - `targetDep("Service", ns, name)`: the Service, the EndpointSlices labelled for it, and the
 *   BackendTLSPolicies naming it (with the ConfigMaps and Secrets holding their CA bundles);
 * - `targetDep("Backend", ns, name)`: the Backend (with the CA objects its spec.tls names) and
 *   the BackendTLSPolicies naming it (with theirs);
 * - `grantDep(ns)`: the ReferenceGrants of a namespace it refers into.
 *
 * `touchedDeps` maps the objects that changed to those dependencies. It may name more than the
 * change really affects (e.g. both a Service and a Backend for a policy's target name), never
 * less.
 */
import type { BackendTLSPolicy, InputKind, KubeObject } from "../apis";
import { isRecord } from "../policy/report";
import type { Store } from "../store";
import { SERVICE_NAME_LABEL } from "./endpoints";

export type TargetKind = "Service" | "Backend";

export function targetDep(kind: TargetKind, namespace: string, name: string): string {
  return `${kind === "Service" ? "S" : "B"}:${namespace}/${name}`;
}

export function grantDep(namespace: string): string {
  return `G:${namespace}`;
}

/** The kinds whose changes touchedDeps understands (route-level translation reads no other). */
export const DEP_KINDS: readonly InputKind[] = ["Service", "EndpointSlice", "Backend", "BackendTLSPolicy", "ConfigMap", "Secret", "ReferenceGrant"];

function namespaceOfKey(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
}

function nameOfKey(key: string): string {
  return key.slice(key.indexOf("/") + 1);
}

function sliceService(slice: KubeObject | undefined, out: Set<string>): void {
  const labels: unknown = slice?.metadata?.labels;
  const service = isRecord(labels) ? labels[SERVICE_NAME_LABEL] : undefined;
  if (typeof service === "string") out.add(targetDep("Service", slice?.metadata?.namespace ?? "", service));
}

/** Every target a policy names (any kind, any section): both kinds, to be safe. */
function policyTargets(policy: KubeObject | undefined, out: Set<string>): void {
  if (!policy) return;
  const spec: unknown = (policy as BackendTLSPolicy).spec;
  const refs = isRecord(spec) ? spec.targetRefs : undefined;
  if (!Array.isArray(refs)) return;
  const namespace = policy.metadata?.namespace ?? "";
  for (const ref of refs) {
    if (!isRecord(ref) || typeof ref.name !== "string") continue;
    out.add(targetDep("Service", namespace, ref.name));
    out.add(targetDep("Backend", namespace, ref.name));
  }
}

/** Whether a list of CA certificate references names `name` (whatever the kind). */
function names(refs: unknown, name: string): boolean {
  return Array.isArray(refs) && refs.some(ref => isRecord(ref) && ref.name === name);
}

function policyCARefs(policy: KubeObject): unknown {
  const spec: unknown = (policy as BackendTLSPolicy).spec;
  const validation = isRecord(spec) ? spec.validation : undefined;
  return isRecord(validation) ? validation.caCertificateRefs : undefined;
}

function backendCARefs(backend: KubeObject): unknown {
  const spec: unknown = (backend as { spec?: unknown }).spec;
  const tls = isRecord(spec) ? spec.tls : undefined;
  return isRecord(tls) ? tls.caCertificateRefs : undefined;
}

/** A ConfigMap or Secret `namespace/name` changed: the targets whose CA bundles may name it. */
function caHolders(stores: readonly Store[], key: string, out: Set<string>): void {
  const namespace = namespaceOfKey(key);
  const name = nameOfKey(key);
  const inNamespace = (obj: KubeObject) => (obj.metadata?.namespace ?? "") === namespace;
  for (const store of stores) {
    for (const policy of store.list("BackendTLSPolicy")) {
      if (inNamespace(policy) && names(policyCARefs(policy), name)) policyTargets(policy, out);
    }
    for (const backend of store.list("Backend")) {
      if (inNamespace(backend) && names(backendCARefs(backend), name)) out.add(targetDep("Backend", namespace, backend.metadata?.name ?? ""));
    }
  }
}

/** The dependencies that objects changed between `before` and `after` touch. */
export function touchedDeps(before: Store, after: Store): Set<string> {
  const out = new Set<string>();
  for (const kind of DEP_KINDS) {
    if (before.token(kind) === after.token(kind)) continue;
    for (const key of after.changes(kind, before)) {
      switch (kind) {
        case "Service":
        case "Backend":
          out.add(targetDep(kind, namespaceOfKey(key), nameOfKey(key)));
          break;
        case "ReferenceGrant":
          out.add(grantDep(namespaceOfKey(key)));
          break;
        case "EndpointSlice":
          sliceService(before.byKey(kind, key), out);
          sliceService(after.byKey(kind, key), out);
          break;
        case "BackendTLSPolicy":
          policyTargets(before.byKey(kind, key), out);
          policyTargets(after.byKey(kind, key), out);
          break;
        default: // ConfigMap, Secret
          caHolders([before, after], key, out);
      }
    }
  }
  return out;
}
