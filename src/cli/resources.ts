/**
 * The `resources` of `peg translate`'s document and of `peg serve`'s /config_dump: the input
 * objects that received status, each with that status as its `status` field.
 */
import type { StatusData, StatusEntry } from "../ir/status";
import { inputKindOf } from "../store/objects";
import { type Admitted, isObj } from "./admit";

type Obj = Record<string, unknown>;

function refKey(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group}\u0000${kind}\u0000${namespace ?? ""}\u0000${name}`;
}

/**
 * The admitted objects that received status, in status report order, each with its status: as
 * written in the files (`original`), or as stored (`stored`: with the webhooks' defaults).
 */
export function withStatus(admitted: readonly Admitted[], report: readonly StatusEntry[], show: "original" | "stored" = "original"): Obj[] {
  const byRef = new Map<string, Obj>();
  for (const a of admitted) {
    const { stored } = a;
    const kind = inputKindOf(stored);
    if (!kind || !isObj(stored.metadata)) continue;
    const group = typeof stored.apiVersion === "string" && stored.apiVersion.includes("/") ? stored.apiVersion.split("/")[0] : "";
    const clusterScoped = kind === "GatewayClass" || kind === "Namespace";
    const ns = clusterScoped ? undefined : typeof stored.metadata.namespace === "string" ? stored.metadata.namespace : "default";
    byRef.set(refKey(group, String(stored.kind), ns, String(stored.metadata.name)), a[show]);
  }
  const out: Obj[] = [];
  for (const entry of report) {
    const shown = byRef.get(refKey(entry.ref.group, entry.ref.kind, entry.ref.namespace, entry.ref.name));
    if (!shown) continue;
    out.push({ ...shown, status: statusObject(entry.status, isObj(shown.status) ? shown.status : {}) });
  }
  return out;
}

/** StatusData as the object's `status` field; entries of other controllers already there are kept. */
function statusObject(data: StatusData, existing: Obj): Obj {
  switch (data.kind) {
    case "conditions":
      return { conditions: data.conditions };
    case "gateway":
      return { addresses: data.addresses, conditions: data.conditions, listeners: data.listeners };
    case "parents": {
      const ours = new Set(data.parents.map(p => p.controllerName));
      const others = (Array.isArray(existing.parents) ? existing.parents : []).filter(p => isObj(p) && !ours.has(String(p.controllerName)));
      return { parents: [...others, ...data.parents] };
    }
    default: {
      const ours = new Set(data.ancestors.map(p => p.controllerName));
      const others = (Array.isArray(existing.ancestors) ? existing.ancestors : []).filter(p => isObj(p) && !ours.has(String(p.controllerName)));
      const ancestors = data.ancestors.map(a => ({ ancestorRef: a.parentRef, controllerName: a.controllerName, conditions: a.conditions }));
      return { ancestors: [...others, ...ancestors] };
    }
  }
}
