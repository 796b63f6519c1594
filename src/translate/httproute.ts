/**
 * HTTPRoute → RouteTranslation, independent of the Gateways the route attaches to (so the result
 * can be reused for every parent, and across rebuilds while its inputs are unchanged).
 *
 * - Routes: one per rule × match, named `httproute/<ns>/<name>/rule/<i>/match/<j>` (indexes as
 *   written, so names stay stable when another rule is dropped), each with its precedence key.
 * - ResolvedRefs: True, or False with the reason of the first failing reference and every
 *   failing reference's message.
 * - Invalid rules (see rule.ts and filters.ts) are dropped. When every rule is invalid the route
 *   is not accepted (`notAccepted`: Accepted=False with the first rule's reason); when only some
 *   are, the route stays accepted and carries a PartiallyInvalid=True condition whose message
 *   starts with "Dropped Rule", as the spec's "drop rules" approach requires.
 *
 * Reads Services, EndpointSlices, Backends, BackendTLSPolicies, ConfigMaps, Secrets and
 * ReferenceGrants besides the route (ROUTE_INPUT_KINDS): a change to any other kind cannot change
 * the result. Never throws.
 */
import type { HTTPRoute, InputKind } from "../apis";
import type { ClusterIR, SecretIR } from "../ir/types";
import type { ComputedCondition } from "../ir/status";
import { isRecord } from "../policy/report";
import type { TranslateContext } from "./context";
import type { RuleProblem } from "./filters";
import { type RefProblem, type RouteInfo, type RuleResult, translateRule } from "./rule";
import type { RankedRoute, RouteTranslation } from "./types";

/** The input kinds translateHTTPRoute reads (besides the HTTPRoute itself). */
export const ROUTE_INPUT_KINDS: readonly InputKind[] = ["Service", "EndpointSlice", "Backend", "BackendTLSPolicy", "ConfigMap", "Secret", "ReferenceGrant"];

/** The CRD allows 16 rules. */
const MAX_RULES = 16;
/** Failing references named one by one in a condition message; the rest are counted. */
const MAX_LISTED = 8;

function infoOf(route: HTTPRoute): RouteInfo & { generation: number } {
  const meta = isRecord(route) && isRecord(route.metadata) ? route.metadata : {};
  const namespace = typeof meta.namespace === "string" && meta.namespace !== "" ? meta.namespace : "default";
  const name = typeof meta.name === "string" ? meta.name : "";
  return {
    namespace,
    name,
    key: `${namespace}/${name}`,
    createdAt: typeof meta.creationTimestamp === "string" ? meta.creationTimestamp : "",
    generation: typeof meta.generation === "number" ? meta.generation : 0,
  };
}

function listed(messages: string[]): string {
  const shown = messages.slice(0, MAX_LISTED).join("; ");
  const more = messages.length - MAX_LISTED;
  return more > 0 ? `${shown}; and ${more} more` : shown;
}

function resolvedRefs(problems: RefProblem[], generation: number): ComputedCondition {
  if (problems.length === 0) {
    return { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "Resolved all the Object references for the Route", observedGeneration: generation };
  }
  const messages = [...new Set(problems.map(p => p.message))];
  return { type: "ResolvedRefs", status: "False", reason: problems[0].reason, message: listed(messages), observedGeneration: generation };
}

function byName<T extends { name: string }>(items: T[]): T[] {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(item.name)) map.set(item.name, item);
  return [...map.keys()].sort().map(k => map.get(k) as T);
}

/** The rules as written: the CRD default (one rule matching everything) when absent. */
function rulesOf(route: HTTPRoute): unknown[] | RuleProblem {
  const spec: unknown = isRecord(route) ? route.spec : undefined;
  if (spec === undefined || spec === null) return [{}];
  if (!isRecord(spec)) return { ok: false, reason: "UnsupportedValue", message: "spec must be an object" };
  const rules = spec.rules;
  if (rules === undefined || rules === null) return [{}];
  if (!Array.isArray(rules)) return { ok: false, reason: "UnsupportedValue", message: "spec.rules must be a list" };
  if (rules.length > MAX_RULES) return { ok: false, reason: "UnsupportedValue", message: `spec.rules has ${rules.length} entries, more than ${MAX_RULES}` };
  return rules;
}

function acceptance(dropped: Array<{ index: number; problem: RuleProblem }>, total: number, generation: number): Partial<RouteTranslation> {
  if (dropped.length === 0) return {};
  const messages = dropped.map(d => d.problem.message);
  if (dropped.length === total) {
    return { notAccepted: { type: "Accepted", status: "False", reason: dropped[0].problem.reason, message: listed(messages), observedGeneration: generation } };
  }
  const which = dropped.map(d => d.index).join(", ");
  const message = `Dropped Rule${dropped.length > 1 ? "s" : ""} ${which}: ${listed(messages)}`;
  return { partiallyInvalid: { type: "PartiallyInvalid", status: "True", reason: "UnsupportedValue", message, observedGeneration: generation } };
}

function translate(ctx: TranslateContext, route: HTTPRoute): RouteTranslation {
  const info = infoOf(route);
  const rules = rulesOf(route);
  if (!Array.isArray(rules)) {
    return {
      key: info.key,
      routes: [],
      clusters: [],
      secrets: [],
      resolvedRefs: resolvedRefs([], info.generation),
      notAccepted: { type: "Accepted", status: "False", reason: rules.reason, message: rules.message, observedGeneration: info.generation },
      backendTLSPolicies: [],
    };
  }
  const routes: RankedRoute[] = [];
  const clusters: ClusterIR[] = [];
  const secrets: SecretIR[] = [];
  const policies = new Set<string>();
  const refProblems: RefProblem[] = [];
  const dropped: Array<{ index: number; problem: RuleProblem }> = [];
  rules.forEach((rule, index) => {
    const result: RuleResult | RuleProblem = translateRule(ctx, info, rule, index);
    if (!result.ok) {
      dropped.push({ index, problem: result });
      return;
    }
    routes.push(...result.routes);
    clusters.push(...result.clusters);
    secrets.push(...result.secrets);
    result.policies.forEach(p => policies.add(p));
    refProblems.push(...result.refProblems);
  });
  return {
    key: info.key,
    routes,
    clusters: byName(clusters),
    secrets: byName(secrets),
    resolvedRefs: resolvedRefs(refProblems, info.generation),
    ...acceptance(dropped, rules.length, info.generation),
    backendTLSPolicies: [...policies].sort(),
  };
}

/** Translates one HTTPRoute. Pure and deterministic; never throws (a route that cannot be read is not accepted). */
export function translateHTTPRoute(ctx: TranslateContext, route: HTTPRoute): RouteTranslation {
  try {
    return translate(ctx, route);
  } catch {
    const info = infoOf(route);
    return {
      key: info.key,
      routes: [],
      clusters: [],
      secrets: [],
      resolvedRefs: resolvedRefs([], info.generation),
      notAccepted: { type: "Accepted", status: "False", reason: "UnsupportedValue", message: "the HTTPRoute could not be read; fix the manifest", observedGeneration: info.generation },
      backendTLSPolicies: [],
    };
  }
}
