/**
 * The admission policy: pure checks and defaults for the objects users apply. Admission calls
 * validateObject/default*; the translator calls checkBackendEndpoint and externalNameViolation so
 * objects that got in while the webhook was down get the same words as a status condition.
 */
import { validateBackend } from "./backend";
import { validateHTTPRoute } from "./httproute";
import { parseDeniedCIDRs } from "./address";
import { defaultBackend, defaultHTTPRoute } from "./defaults";
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

/** The kind the policy has rules for, by apiVersion group and kind; undefined for any other object. */
function policyKind(obj: Record<string, unknown>): "Backend" | "HTTPRoute" | undefined {
  const group = groupOf(obj.apiVersion);
  if (group === "gateway.envoyproxy.io" && obj.kind === "Backend") return "Backend";
  if (group === "gateway.networking.k8s.io" && obj.kind === "HTTPRoute") return "HTTPRoute";
  return undefined;
}

/**
 * An object as the mutating webhook leaves it: a Backend or HTTPRoute with its defaults (see
 * ./defaults), any other object as it is.
 */
export function defaultObject(obj: unknown): unknown {
  if (!isRecord(obj)) return obj;
  const kind = policyKind(obj);
  if (kind === "Backend") return defaultBackend(obj as never);
  if (kind === "HTTPRoute") return defaultHTTPRoute(obj as never);
  return obj;
}

/**
 * Validates any object by its apiVersion group and kind: HTTPRoute (gateway.networking.k8s.io)
 * and Backend (gateway.envoyproxy.io). Other kinds have no rules and pass. Never rejects.
 */
export async function validateObject(obj: unknown, lookup: PolicyLookup, cfg: PolicyConfig): Promise<PolicyResult> {
  try {
    if (!isRecord(obj)) return { violations: [], warnings: [] };
    const kind = policyKind(obj);
    if (!kind) return { violations: [], warnings: [] };
    const tooLarge = sizeViolation(obj);
    if (tooLarge) return { violations: [tooLarge], warnings: [] };
    if (kind === "Backend") return validateBackend(obj, cfg);
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
