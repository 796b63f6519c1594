/**
 * The admission policy's contract. Every check returns all of its violations, each with the field
 * path it concerns, a condition reason and a message that says what to do instead. Admission
 * (deny at `kubectl apply`) and translation (status conditions) use the same functions, so a user
 * reads the same words in both places.
 */
import type { ReferenceGrant, Service } from "../apis";

/** Condition reasons the policy can give (Gateway API and Envoy Gateway strings where they exist). */
export type PolicyReason =
  | "InvalidAddress" // an address that must never be a proxy target (loopback, metadata, ...)
  | "InvalidHostname" // not a usable DNS name
  | "UnsupportedValue" // valid, but not supported here (ExternalName, unix sockets when disabled)
  | "InvalidRegex" // a regular expression Envoy's RE2 would reject
  | "InvalidObject"; // malformed: missing or mistyped fields

export interface Violation {
  /** Field path from the object root, e.g. `spec.endpoints[0].ip.address`. */
  field: string;
  reason: PolicyReason;
  /** What is wrong and what to do instead. */
  message: string;
}

export interface PolicyResult {
  /** Non-empty means deny. */
  violations: Violation[];
  /** Admission warnings: accepted, but the translator will report a condition. */
  warnings: string[];
}

export interface PolicyConfig {
  /** CIDRs never allowed as backend addresses (typically the pod and service ranges). */
  deniedCIDRs: string[];
  /** Deny private ranges (RFC 1918, RFC 4193 ULA, RFC 6598 CGNAT). Allowed by default. */
  denyPrivateRanges: boolean;
  /** Allow Backend unix socket endpoints. Denied by default. */
  allowUnixSockets: boolean;
  /** The cluster DNS domain, e.g. `cluster.local`: names under it are cluster-internal. */
  clusterDomain: string;
}

/** Looks up the objects a check needs. Admission reads the API; standalone reads the files. */
export interface PolicyLookup {
  service(namespace: string, name: string): Promise<Service | undefined> | Service | undefined;
  /**
   * The ReferenceGrants of a namespace. Optional: without it, cross-namespace references are not
   * checked at admission (the translator still reports RefNotPermitted).
   */
  referenceGrants?(namespace: string): Promise<ReferenceGrant[]> | ReferenceGrant[];
}
