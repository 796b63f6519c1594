/**
 * A minimal OpenAPI v3 surface: the /openapi/v3 index of group-versions and, per group-version, a
 * document whose paths carry the PATCH operations with their x-kubernetes-group-version-kind and
 * query parameters. kubectl reads it to learn that the server validates fields itself
 * (fieldValidation), so it sends fieldValidation=Strict instead of validating on the client. No
 * schemas are served: kubectl then takes strategic-merge metadata for built-ins from its own types.
 */
import { createHash } from "node:crypto";
import type { Registry } from "./registry";
import type { KubeObject } from "./resources";

const QUERY = ["dryRun", "fieldManager", "fieldValidation", "force"];

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** The per-group-version document, or undefined when nothing is served there. */
export function openapiGroupVersion(reg: Registry, group: string, version: string): KubeObject | undefined {
  const types = reg.all().filter((t) => t.group === group && t.versions.includes(version));
  if (types.length === 0) return undefined;
  const paths: KubeObject = {};
  for (const t of types) {
    const gvk = { group: t.group, version, kind: t.kind };
    const base = `/${gvPath(group, version)}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.plural}/{name}`;
    const op = (suffix: string) => ({
      operationId: `patch${t.kind}${suffix}`,
      parameters: QUERY.map((name) => ({ name, in: "query", schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true } })),
      responses: { "200": { description: "OK" } },
      "x-kubernetes-action": "patch",
      "x-kubernetes-group-version-kind": gvk,
    });
    paths[base] = { patch: op("") };
    if (t.status) paths[`${base}/status`] = { patch: op("Status") };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.0" }, paths, components: { schemas: {} } };
}

/** The /openapi/v3 index: one entry per served group-version, with a content hash. */
export function openapiIndex(reg: Registry): KubeObject {
  const paths: KubeObject = {};
  for (const g of reg.groups()) {
    for (const v of g.versions) {
      const doc = openapiGroupVersion(reg, g.name, v);
      const hash = createHash("sha512").update(JSON.stringify(doc)).digest("hex").slice(0, 64).toUpperCase();
      paths[gvPath(g.name, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(g.name, v)}?hash=${hash}` };
    }
  }
  return { paths };
}

/** Resolves /openapi/v3/<api/v1 | apis/group/version>. */
export function openapiFor(reg: Registry, rest: string): KubeObject | undefined {
  const segs = rest.split("/").filter(Boolean);
  if (segs[0] === "api" && segs.length === 2) return openapiGroupVersion(reg, "", segs[1]);
  if (segs[0] === "apis" && segs.length === 3) return openapiGroupVersion(reg, segs[1], segs[2]);
  return undefined;
}
