/**
 * The kinds the watcher reads and writes, with what the API paths need (plural, scope). Pure data:
 * the capability's bindings, the relister, the status writer and the RBAC check all read this table,
 * so a kind is declared once.
 */
import { GVK, INPUT_KINDS, type InputKind } from "../apis";

export interface KindInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const PLURALS: Record<InputKind, string> = {
  GatewayClass: "gatewayclasses",
  Gateway: "gateways",
  HTTPRoute: "httproutes",
  ReferenceGrant: "referencegrants",
  BackendTLSPolicy: "backendtlspolicies",
  Backend: "backends",
  Service: "services",
  EndpointSlice: "endpointslices",
  Secret: "secrets",
  ConfigMap: "configmaps",
  Namespace: "namespaces",
};

const CLUSTER_SCOPED: ReadonlySet<InputKind> = new Set(["GatewayClass", "Namespace"]);

export const INPUT_KIND_INFO: Readonly<Record<InputKind, KindInfo>> = Object.fromEntries(
  INPUT_KINDS.map(k => [k, { ...GVK[k], plural: PLURALS[k], namespaced: !CLUSTER_SCOPED.has(k) }]),
) as Record<InputKind, KindInfo>;

/** Input kinds whose `status` is written by controllers and never read by translation. */
export const STATUS_KINDS: ReadonlySet<InputKind> = new Set([
  "GatewayClass",
  "Gateway",
  "HTTPRoute",
  "BackendTLSPolicy",
  "Backend",
  "ReferenceGrant",
]);

/** Kinds the watcher provisions for each Gateway (the data plane), besides input kinds. */
export const DEPLOYMENT: KindInfo = { group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true };
export const SERVICE_ACCOUNT: KindInfo = {
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  plural: "serviceaccounts",
  namespaced: true,
};

/** `apiVersion` of a kind: `v1` for the core group, `group/version` otherwise. */
export function apiVersionOf(info: Pick<KindInfo, "group" | "version">): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** The REST path of a collection or object: `/apis/g/v/namespaces/ns/plural/name`. */
export function pathOf(info: KindInfo, namespace?: string, name?: string): string {
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  const obj = name ? `/${encodeURIComponent(name)}` : "";
  return `${base}${ns}/${info.plural}${obj}`;
}

/** The input kind with this kind name (e.g. "HTTPRoute"), from a status report's ObjectRef. */
export function inputKindNamed(kind: string): InputKind | undefined {
  return (INPUT_KINDS as string[]).includes(kind) ? (kind as InputKind) : undefined;
}
