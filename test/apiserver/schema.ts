/**
 * Structural-schema defaulting of custom resources, as kube-apiserver does it on write: a missing
 * property whose schema has a `default` gets it, recursively through objects, arrays and maps.
 * (No pruning and no validation: see the header of server.ts.)
 */
import type { KubeObject } from "./resources";

const isObj = (v: unknown): v is KubeObject => typeof v === "object" && v !== null && !Array.isArray(v);

export function applyDefaults(value: unknown, schema: KubeObject | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isObj(value)) return;
  for (const [name, prop] of Object.entries<KubeObject>(schema.properties ?? {})) {
    if (value[name] === undefined && prop.default !== undefined) value[name] = JSON.parse(JSON.stringify(prop.default));
    if (value[name] !== undefined) applyDefaults(value[name], prop);
  }
  if (isObj(schema.additionalProperties)) {
    const known = new Set(Object.keys(schema.properties ?? {}));
    for (const [k, v] of Object.entries(value)) if (!known.has(k)) applyDefaults(v, schema.additionalProperties);
  }
}

/** Defaults a custom resource (metadata left alone) against its version's schema. */
export function defaultObject(obj: KubeObject, schema: KubeObject | undefined): void {
  if (!schema) return;
  const { metadata, ...rest } = schema.properties ?? {};
  void metadata;
  applyDefaults(obj, { ...schema, properties: rest });
}
