/**
 * Discovery documents: the legacy ones (/api, /apis, /apis/<group>, resource lists) and the
 * aggregated apidiscovery.k8s.io/v2 lists that kubectl asks for first.
 */
import type { Registry } from "./registry";
import { apiVersionOf, type ResourceType } from "./resources";

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const STATUS_VERBS = ["get", "patch", "update"];

export const AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** Whether the Accept header asks for aggregated discovery v2. */
export function wantsAggregated(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => {
    const p = part.replace(/\s/g, "");
    return p.includes("as=APIGroupDiscoveryList") && p.includes("g=apidiscovery.k8s.io") && p.includes("v=v2") && !p.includes("v=v2beta1");
  });
}

export function apiVersions(serverAddress: string) {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function groupDoc(name: string, versions: string[]) {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(reg: Registry) {
  const groups = reg.groups().filter((g) => g.name !== "");
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map((g) => groupDoc(g.name, g.versions)) };
}

export function apiGroup(reg: Registry, name: string) {
  const g = reg.groups().find((x) => x.name === name && name !== "");
  return g ? { kind: "APIGroup", apiVersion: "v1", ...groupDoc(g.name, g.versions) } : undefined;
}

function typesAt(reg: Registry, group: string, version: string): ResourceType[] {
  return reg.all().filter((t) => t.group === group && t.versions.includes(version));
}

export function apiResourceList(reg: Registry, group: string, version: string) {
  const resources = typesAt(reg, group, version).flatMap((t) => {
    const main = {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
    };
    const status = { name: `${t.plural}/status`, singularName: "", namespaced: t.namespaced, kind: t.kind, verbs: STATUS_VERBS };
    return t.status ? [main, status] : [main];
  });
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf(group, version), resources };
}

function aggregatedResource(t: ResourceType, version: string) {
  const responseKind = { group: t.group, version, kind: t.kind };
  return {
    resource: t.plural,
    responseKind,
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singular,
    verbs: VERBS,
    ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
    ...(t.categories.length ? { categories: t.categories } : {}),
    ...(t.status ? { subresources: [{ subresource: "status", responseKind, verbs: STATUS_VERBS }] } : {}),
  };
}

/** Aggregated discovery for the core group (/api) or the named groups (/apis). */
export function aggregatedList(reg: Registry, core: boolean) {
  const groups = reg.groups().filter((g) => (g.name === "") === core);
  const items = groups.map((g) => ({
    metadata: { name: g.name, creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      resources: typesAt(reg, g.name, v).map((t) => aggregatedResource(t, v)),
      freshness: "Current",
    })),
  }));
  return { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items };
}
