/**
 * The contract between the two halves of translation:
 *
 * - route level (httproute.ts and its helpers): one HTTPRoute at a time, independent of the
 *   Gateways it attaches to, so an unchanged route's result can be reused: matches, filters,
 *   backendRefs → clusters (Service, Backend, BackendTLSPolicy), ResolvedRefs, precedence keys;
 * - gateway level (index.ts and its helpers): GatewayClasses, Gateways and listeners, route
 *   attachment and hostname intersection, virtual hosts, route configurations, and status.
 */
import type { ClusterIR, RouteIR, SecretIR } from "../ir/types";
import type { ComputedCondition, StatusEntry } from "../ir/status";

/** What orders routes within one virtual host (Gateway API HTTPRoute rule precedence). */
export interface PrecedenceKey {
  pathType: "Exact" | "PathPrefix" | "RegularExpression";
  /** Length of the path value (longer prefix wins). */
  pathLength: number;
  hasMethod: boolean;
  headerCount: number;
  queryCount: number;
  /** metadata.creationTimestamp of the HTTPRoute (older wins), "" when absent. */
  createdAt: string;
  /** `namespace/name` of the HTTPRoute (alphabetical order breaks remaining ties). */
  routeKey: string;
  rule: number;
  match: number;
}

export interface RankedRoute {
  ir: RouteIR;
  rank: PrecedenceKey;
}

/** One HTTPRoute, translated without regard to its parents. */
export interface RouteTranslation {
  /** `namespace/name`. */
  key: string;
  /** One entry per rule × match, in rule then match order. */
  routes: RankedRoute[];
  /** Every cluster the routes forward or mirror to (deduplicated by name, sorted by name). */
  clusters: ClusterIR[];
  /** Secrets the clusters reference (CA bundles), sorted by name. */
  secrets: SecretIR[];
  /** The ResolvedRefs condition every parent of this route gets (observedGeneration included). */
  resolvedRefs: ComputedCondition;
  /** Set when the route cannot be accepted whatever its parents (e.g. an unsupported filter). */
  notAccepted?: ComputedCondition;
  /**
   * Added (optional): set when some rules, not all, are invalid and were dropped. A
   * `PartiallyInvalid` condition (status True, message starting "Dropped Rule") for every parent
   * that accepts the route, next to Accepted=True.
   */
  partiallyInvalid?: ComputedCondition;
  /**
   * `namespace/name` of every BackendTLSPolicy applied to one of the clusters, and of those that
   * name the same target but lost a conflict or are invalid (so that they get status too).
   */
  backendTLSPolicies: string[];
}

/** Per BackendTLSPolicy `namespace/name`: the Gateways (`namespace/name`) whose routes use it. */
export type PolicyUsage = ReadonlyMap<string, readonly string[]>;

export type { StatusEntry };
