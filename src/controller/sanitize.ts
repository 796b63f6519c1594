/**
 * What the watcher keeps of an object: everything translation reads, nothing it does not. Drops
 * metadata.managedFields and kubectl's last-applied annotation (together often larger than the
 * object), keeps only the certificate keys of Secrets and ConfigMaps (a cluster's Secrets are
 * mostly unrelated and large), and only the metadata of Namespaces. Fills in apiVersion and kind,
 * which list responses leave out of their items.
 */
import { GVK, type InputKind, type KubeObject, type ObjectMeta } from "../apis";
import { apiVersionOf } from "./kinds";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** Keys of Secret and ConfigMap data that translation reads (TLS certificates and CA bundles). */
export const CERTIFICATE_KEYS: readonly string[] = ["tls.crt", "tls.key", "ca.crt"];

function metadataOf(meta: ObjectMeta & { managedFields?: unknown }, keepAnnotations: boolean): ObjectMeta {
  const out: ObjectMeta & Record<string, unknown> = { ...meta };
  delete out.managedFields;
  if (!keepAnnotations) delete out.annotations;
  else if (out.annotations && LAST_APPLIED in out.annotations) {
    const annotations = { ...out.annotations };
    delete annotations[LAST_APPLIED];
    if (Object.keys(annotations).length > 0) out.annotations = annotations;
    else delete out.annotations;
  }
  return out;
}

function pick(data: unknown, keys: readonly string[]): Record<string, string> | undefined {
  if (!data || typeof data !== "object") return undefined;
  const src = data as Record<string, unknown>;
  let out: Record<string, string> | undefined;
  for (const k of keys) {
    if (typeof src[k] === "string") (out ??= {})[k] = src[k] as string;
  }
  return out;
}

/** A trimmed copy of a watched object; undefined when it is not an object with a name. */
export function sanitize(kind: InputKind, raw: unknown): KubeObject | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const obj = raw as KubeObject & Record<string, unknown>;
  const meta = obj.metadata;
  if (!meta || typeof meta !== "object" || typeof meta.name !== "string" || meta.name === "") return undefined;
  const head = { apiVersion: obj.apiVersion ?? apiVersionOf(GVK[kind]), kind: obj.kind ?? GVK[kind].kind };
  switch (kind) {
    case "Secret": {
      const data = pick(obj.data, CERTIFICATE_KEYS);
      return { ...head, metadata: metadataOf(meta, false), ...(obj.type ? { type: obj.type } : {}), ...(data ? { data } : {}) } as KubeObject;
    }
    case "ConfigMap": {
      const data = pick(obj.data, ["ca.crt"]);
      return { ...head, metadata: metadataOf(meta, false), ...(data ? { data } : {}) } as KubeObject;
    }
    case "Namespace":
      return { ...head, metadata: metadataOf(meta, true) };
    default:
      return { ...obj, ...head, metadata: metadataOf(meta, true) };
  }
}
