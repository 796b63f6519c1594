/**
 * The admission policy: pure checks and defaults for the objects users apply. Admission calls
 * validateObject/default*; the translator calls checkBackendEndpoint and externalNameViolation so
 * objects that got in while the webhook was down get the same words as a status condition.
 */
import { validateBackend } from "./backend";
import { validateHTTPRoute } from "./httproute";
import { parseDeniedCIDRs } from "./address";
import { ROOT, isRecord, violation } from "./report";
import { sizeViolation } from "./size";
import type { PolicyConfig, PolicyLookup, PolicyResult } from "./types";

export { validateBackend, checkBackendEndpoint } from "./backend";
export { validateHTTPRoute } from "./httproute";
export { defaultBackend, defaultHTTPRoute } from "./defaults";
export { externalNameViolation } from "./refs";
export { MAX_OBJECT_VALUES, countValues, oversizedViolation, sizeViolation } from "./size";
export { MAX_REPORTED_VIOLATIONS, denialMessage, formatViolation } from "./report";
export * from "./types";

function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== "string") return undefined;
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/**
 * Validates any object by its apiVersion group and kind: HTTPRoute (gateway.networking.k8s.io)
 * and Backend (gateway.envoyproxy.io). Other kinds have no rules and pass. Never rejects.
 */
export async function validateObject(obj: unknown, lookup: PolicyLookup, cfg: PolicyConfig): Promise<PolicyResult> {
  try {
    if (!isRecord(obj)) return { violations: [], warnings: [] };
    const group = groupOf(obj.apiVersion);
    const isBackend = group === "gateway.envoyproxy.io" && obj.kind === "Backend";
    const isRoute = group === "gateway.networking.k8s.io" && obj.kind === "HTTPRoute";
    if (!isBackend && !isRoute) return { violations: [], warnings: [] };
    const tooLarge = sizeViolation(obj);
    if (tooLarge) return { violations: [tooLarge], warnings: [] };
    if (isBackend) return validateBackend(obj, cfg);
    return await validateHTTPRoute(obj, lookup, cfg);
  } catch {
    return { violations: [violation(ROOT, "InvalidObject", "the object could not be read; fix the manifest")], warnings: [] };
  }
}

/** Problems with the policy configuration itself, for the operator (e.g. logged at start). */
export function policyConfigProblems(cfg: PolicyConfig): string[] {
  const problems = parseDeniedCIDRs(Array.isArray(cfg.deniedCIDRs) ? cfg.deniedCIDRs : []).errors;
  if (typeof cfg.clusterDomain !== "string" || cfg.clusterDomain.trim() === "") {
    problems.push("cluster domain is empty; set PEG_CLUSTER_DOMAIN (cluster.local by default)");
  }
  return problems;
}
