/**
 * Maps loaded objects (from YAML files or the API) to the Store's input kinds, by API group and
 * kind. Any served version of a kind is accepted (e.g. HTTPRoute v1 or v1beta1): the schema of the
 * fields we read is the same across them.
 */
import { GVK, type InputKind, type KubeObject } from "../apis";
import { Store } from "./index";

function groupOf(apiVersion: string | undefined): string | undefined {
  if (typeof apiVersion !== "string") return undefined;
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

const byGroupKind = new Map<string, InputKind>(
  (Object.keys(GVK) as InputKind[]).map(k => [`${GVK[k].group}/${GVK[k].kind}`, k]),
);

/** The input kind of an object, or undefined when the controller does not read that kind. */
export function inputKindOf(obj: unknown): InputKind | undefined {
  if (!obj || typeof obj !== "object") return undefined;
  const { apiVersion, kind } = obj as KubeObject;
  const group = groupOf(apiVersion);
  if (group === undefined || typeof kind !== "string") return undefined;
  return byGroupKind.get(`${group}/${kind}`);
}

/**
 * Builds a Store from loose objects. Objects of other kinds, or without a name, are returned in
 * `ignored`; namespaced objects without a namespace get `defaultNamespace`.
 */
export function storeFromObjects(
  objects: Iterable<unknown>,
  defaultNamespace = "default",
): { store: Store; ignored: unknown[] } {
  const entries: Array<{ kind: InputKind; object: KubeObject }> = [];
  const ignored: unknown[] = [];
  for (const obj of objects) {
    const kind = inputKindOf(obj);
    const meta = (obj as KubeObject | null)?.metadata;
    if (!kind || !meta || typeof meta.name !== "string" || meta.name === "") {
      ignored.push(obj);
      continue;
    }
    const clusterScoped = kind === "GatewayClass" || kind === "Namespace";
    const object = clusterScoped || meta.namespace ? (obj as KubeObject) : withNamespace(obj as KubeObject, defaultNamespace);
    entries.push({ kind, object });
  }
  return { store: Store.of(entries), ignored };
}

function withNamespace(obj: KubeObject, namespace: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, namespace } };
}
