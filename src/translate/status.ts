/**
 * The StatusReport of one translation: GatewayClasses (Accepted, SupportedVersion), Gateways
 * (Accepted, Programmed, listeners, addresses), HTTPRoutes (our status.parents entries) and the
 * entries route-level translation computed (BackendTLSPolicy ancestors, Backend conditions).
 * Sorted by group, kind, namespace, name.
 */
import type { ListenerStatusData, ParentStatusData, StatusEntry, StatusReport } from "../ir/status";
import type { ClassModel } from "./gatewayclass";
import type { GatewayModel } from "./gateway";
import { GATEWAY_GROUP } from "./conditions";
import { classConditions } from "./gatewayclass";
import { gatewayConditions } from "./gateway";
import { listenerConditions } from "./listeners";

export function classStatus(model: ClassModel): StatusEntry {
  return {
    ref: { group: GATEWAY_GROUP, kind: "GatewayClass", name: model.name },
    generation: model.generation,
    status: { kind: "conditions", conditions: classConditions(model) },
  };
}

export function gatewayStatus(gw: GatewayModel): StatusEntry {
  const listeners: ListenerStatusData[] = gw.listeners.map(l => ({
    name: l.name,
    supportedKinds: l.supportedKinds.map(k => ({ group: k.group, kind: k.kind })),
    attachedRoutes: l.attachedRoutes,
    conditions: listenerConditions(l, gw.generation),
  }));
  return {
    ref: { group: GATEWAY_GROUP, kind: "Gateway", namespace: gw.namespace, name: gw.name },
    generation: gw.generation,
    status: { kind: "gateway", conditions: gatewayConditions(gw), listeners, addresses: gw.addresses.map(a => ({ ...a })) },
  };
}

export function routeStatus(namespace: string, name: string, generation: number, parents: ParentStatusData[]): StatusEntry {
  return {
    ref: { group: GATEWAY_GROUP, kind: "HTTPRoute", namespace, name },
    generation: generation,
    status: { kind: "parents", parents },
  };
}

/** The key entries are sorted by in a report (a string; reports are in its order). */
export function statusSortKey(e: StatusEntry): string {
  // NUL cannot appear in any of the four parts, so joined keys order as the tuples do.
  return `${e.ref.group}\u0000${e.ref.kind}\u0000${e.ref.namespace ?? ""}\u0000${e.ref.name}`;
}

/** Sorts entries by group, kind, namespace and name; on a duplicate ref the first entry wins. */
export function sortReport(entries: Iterable<StatusEntry>): StatusReport {
  const keyed = new Map<string, StatusEntry>();
  for (const e of entries) {
    const key = statusSortKey(e);
    if (!keyed.has(key)) keyed.set(key, e);
  }
  return [...keyed.keys()].sort().map(k => keyed.get(k) as StatusEntry);
}
