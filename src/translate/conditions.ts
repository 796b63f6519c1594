/**
 * Condition values and the spec's reason strings, in one place. Conditions carry the object's
 * metadata.generation as observedGeneration (0 when the object has none, e.g. a file that was never
 * applied to a cluster).
 */
import type { ComputedCondition } from "../ir/status";
import type { KubeObject } from "../apis";

export const GATEWAY_GROUP = "gateway.networking.k8s.io";

/** A check's outcome before it becomes a condition: ok, or the reason and message of the failure. */
export interface Verdict {
  ok: boolean;
  reason: string;
  message: string;
}

export const ok = (reason: string, message: string): Verdict => ({ ok: true, reason, message });
export const fail = (reason: string, message: string): Verdict => ({ ok: false, reason, message });

export function generationOf(obj: KubeObject | undefined): number {
  const g = obj?.metadata?.generation;
  return typeof g === "number" && Number.isInteger(g) ? g : 0;
}

export function condition(type: string, verdict: Verdict, generation: number): ComputedCondition {
  return { type, status: verdict.ok ? "True" : "False", reason: verdict.reason, message: verdict.message, observedGeneration: generation };
}

/** The same condition with this object's generation (for conditions computed elsewhere). */
export function withGeneration(c: ComputedCondition, generation: number): ComputedCondition {
  return { type: c.type, status: c.status, reason: c.reason, message: c.message, observedGeneration: generation };
}

/** Reasons, exactly as the Gateway API spells them. */
export const Reason = {
  Accepted: "Accepted",
  Invalid: "Invalid",
  InvalidParameters: "InvalidParameters",
  SupportedVersion: "SupportedVersion",
  Programmed: "Programmed",
  ListenersNotValid: "ListenersNotValid",
  UnsupportedAddress: "UnsupportedAddress",
  ResolvedRefs: "ResolvedRefs",
  NoConflicts: "NoConflicts",
  HostnameConflict: "HostnameConflict",
  ProtocolConflict: "ProtocolConflict",
  PortUnavailable: "PortUnavailable",
  UnsupportedProtocol: "UnsupportedProtocol",
  UnsupportedValue: "UnsupportedValue",
  InvalidCertificateRef: "InvalidCertificateRef",
  InvalidRouteKinds: "InvalidRouteKinds",
  RefNotPermitted: "RefNotPermitted",
  NotAllowedByListeners: "NotAllowedByListeners",
  NoMatchingListenerHostname: "NoMatchingListenerHostname",
  NoMatchingParent: "NoMatchingParent",
} as const;
