/**
 * Status as data: what translation computed for each input object. The status writer (cluster) or
 * the CLI (standalone) applies or prints it; translation never writes. Conditions carry the
 * object's metadata.generation as observedGeneration; lastTransitionTime is left to the writer.
 */
import type { Condition } from "../apis";

export interface ObjectRef {
  group: string; // "" for core
  kind: string;
  namespace?: string;
  name: string;
}

export type ComputedCondition = Omit<Condition, "lastTransitionTime">;

export interface ListenerStatusData {
  name: string;
  supportedKinds: Array<{ group: string; kind: string }>;
  attachedRoutes: number;
  conditions: ComputedCondition[];
}

export interface ParentStatusData {
  /** The parentRef as the route wrote it (group/kind defaulted), for status.parents[].parentRef. */
  parentRef: { group?: string; kind?: string; namespace?: string; name: string; sectionName?: string; port?: number };
  controllerName: string;
  conditions: ComputedCondition[];
}

export type StatusData =
  /** GatewayClass and Backend: status.conditions. */
  | { kind: "conditions"; conditions: ComputedCondition[] }
  /** Gateway: status.conditions, status.listeners and status.addresses. */
  | {
      kind: "gateway";
      conditions: ComputedCondition[];
      listeners: ListenerStatusData[];
      addresses: Array<{ type: string; value: string }>;
    }
  /** HTTPRoute: status.parents (only our controller's entries). */
  | { kind: "parents"; parents: ParentStatusData[] }
  /** BackendTLSPolicy: status.ancestors (only our controller's entries). */
  | { kind: "ancestors"; ancestors: ParentStatusData[] };

export interface StatusEntry {
  ref: ObjectRef;
  generation: number;
  status: StatusData;
}

/** Sorted by group, kind, namespace, name. */
export type StatusReport = StatusEntry[];
