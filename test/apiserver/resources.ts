/**
 * The resource types the server serves: the built-in kinds the project and its tools touch, and
 * those a CustomResourceDefinition registers.
 */

export type KubeObject = Record<string, any>;

export interface ResourceType {
  group: string;
  /** Versions served; the first is the preferred (and storage) version. */
  versions: string[];
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Has a /status subresource. */
  status: boolean;
  /** metadata.generation is kept (bumped on changes outside metadata and status). */
  generation: boolean;
  /** Registered by a CustomResourceDefinition (list items carry apiVersion and kind). */
  custom: boolean;
  /** CRD printer columns, by version. */
  columns?: Record<string, PrinterColumn[]>;
  /** CRD openAPIV3Schema by version, for defaulting. */
  schemas?: Record<string, KubeObject>;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

interface BuiltinSpec {
  kind: string;
  plural?: string;
  namespaced?: boolean;
  short?: string[];
  status?: boolean;
  generation?: boolean;
  all?: boolean;
}

function builtin(group: string, versions: string[], s: BuiltinSpec): ResourceType {
  return {
    group,
    versions,
    kind: s.kind,
    plural: s.plural ?? `${s.kind.toLowerCase()}s`,
    singular: s.kind.toLowerCase(),
    namespaced: s.namespaced ?? true,
    shortNames: s.short ?? [],
    categories: s.all ? ["all"] : [],
    status: s.status ?? false,
    generation: s.generation ?? false,
    custom: false,
  };
}

const CLUSTER = { namespaced: false };

/** Built-in kinds. Core Events and events.k8s.io Events are stored apart (no cross-group conversion). */
export function builtinTypes(): ResourceType[] {
  const v1 = ["v1"];
  return [
    builtin("", v1, { kind: "Namespace", ...CLUSTER, short: ["ns"], status: true }),
    builtin("", v1, { kind: "Service", short: ["svc"], status: true, all: true }),
    builtin("", v1, { kind: "Endpoints", plural: "endpoints", short: ["ep"] }),
    builtin("", v1, { kind: "Secret" }),
    builtin("", v1, { kind: "ConfigMap", short: ["cm"] }),
    builtin("", v1, { kind: "ServiceAccount", short: ["sa"] }),
    builtin("", v1, { kind: "Event", short: ["ev"] }),
    builtin("", v1, { kind: "Pod", short: ["po"], status: true, all: true }),
    builtin("", v1, { kind: "Node", ...CLUSTER, short: ["no"], status: true }),
    builtin("apps", v1, { kind: "Deployment", short: ["deploy"], status: true, generation: true, all: true }),
    builtin("apps", v1, { kind: "ReplicaSet", short: ["rs"], status: true, generation: true, all: true }),
    builtin("apps", v1, { kind: "StatefulSet", short: ["sts"], status: true, generation: true, all: true }),
    builtin("apps", v1, { kind: "DaemonSet", short: ["ds"], status: true, generation: true, all: true }),
    builtin("discovery.k8s.io", v1, { kind: "EndpointSlice" }),
    builtin("events.k8s.io", v1, { kind: "Event", short: ["ev"] }),
    builtin("coordination.k8s.io", v1, { kind: "Lease" }),
    builtin("rbac.authorization.k8s.io", v1, { kind: "Role" }),
    builtin("rbac.authorization.k8s.io", v1, { kind: "RoleBinding" }),
    builtin("rbac.authorization.k8s.io", v1, { kind: "ClusterRole", ...CLUSTER }),
    builtin("rbac.authorization.k8s.io", v1, { kind: "ClusterRoleBinding", ...CLUSTER }),
    builtin("admissionregistration.k8s.io", v1, { kind: "MutatingWebhookConfiguration", ...CLUSTER, generation: true }),
    builtin("admissionregistration.k8s.io", v1, { kind: "ValidatingWebhookConfiguration", ...CLUSTER, generation: true }),
    builtin("admissionregistration.k8s.io", v1, { kind: "ValidatingAdmissionPolicy", ...CLUSTER, status: true, generation: true }),
    builtin("admissionregistration.k8s.io", v1, { kind: "ValidatingAdmissionPolicyBinding", ...CLUSTER, generation: true }),
    builtin("apiextensions.k8s.io", v1, { kind: "CustomResourceDefinition", ...CLUSTER, short: ["crd", "crds"], status: true, generation: true }),
  ];
}

/** The resource type a CustomResourceDefinition declares (served versions only), or undefined. */
export function typeFromCRD(crd: KubeObject): ResourceType | undefined {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const served = (spec.versions ?? []).filter((v: KubeObject) => v.served);
  if (served.length === 0 || !spec.group || !names.plural || !names.kind) return undefined;
  const storage = served.find((v: KubeObject) => v.storage);
  const ordered = storage ? [storage, ...served.filter((v: KubeObject) => v !== storage)] : served;
  const columns: Record<string, PrinterColumn[]> = {};
  const schemas: Record<string, KubeObject> = {};
  for (const v of ordered) {
    columns[v.name] = v.additionalPrinterColumns ?? [];
    if (v.schema?.openAPIV3Schema) schemas[v.name] = v.schema.openAPIV3Schema;
  }
  return {
    group: spec.group,
    versions: ordered.map((v: KubeObject) => v.name),
    kind: names.kind,
    plural: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    namespaced: spec.scope !== "Cluster",
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    status: ordered.some((v: KubeObject) => v.subresources?.status !== undefined),
    generation: true,
    custom: true,
    columns,
    schemas,
  };
}

/** The identity of a stored resource across its versions: group and plural. */
export function resourceKey(t: { group: string; plural: string }): string {
  return `${t.group}/${t.plural}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Splits "group/version" (or "v1") into its parts. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}
