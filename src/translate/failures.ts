/**
 * Failure containment for the route-level half of translation: a route whose translation throws
 * is refused alone, and status entries that cannot be computed are left out, so one bad object
 * never takes a rebuild down.
 */
import type { HTTPRoute } from "../apis";
import type { StatusEntry } from "../ir/status";
import type { TranslateContext } from "./context";
import type { RouteLevel } from "./pipeline";
import type { RouteTranslation } from "./types";

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Route-level translation that cannot take the rebuild down: a failure refuses that route only. */
export function translateRoute(ctx: TranslateContext, rl: RouteLevel, key: string, route: HTTPRoute): RouteTranslation {
  try {
    return rl.translateHTTPRoute(ctx, route);
  } catch (err) {
    const message = `the route could not be translated: ${errorText(err)}`;
    const refused = { type: "Accepted", status: "False" as const, reason: "UnsupportedValue", message };
    return {
      key,
      routes: [],
      clusters: [],
      secrets: [],
      resolvedRefs: { ...refused, type: "ResolvedRefs" },
      notAccepted: refused,
      backendTLSPolicies: [],
    };
  }
}

/** Status entries of the route-level half; a failure there drops those entries, not the rebuild. */
export function safely(produce: () => StatusEntry[]): StatusEntry[] {
  try {
    return produce();
  } catch {
    return [];
  }
}
