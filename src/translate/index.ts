/**
 * Translation: Gateway API semantics → IR + status. Pure: the same Store and configuration give
 * the same result, whatever order the objects came in. See pipeline.ts for the processors and
 * types.ts for the contract between the gateway-level and route-level halves.
 */
import type { TranslateContext } from "./context";
import { backendStatus } from "./backend";
import { backendTLSPolicyStatus } from "./backendtlspolicy";
import { translateHTTPRoute } from "./httproute";
import { sortByPrecedence } from "./precedence";
import { bindRouteToListener } from "./redirect";
import { translateWith, type RouteLevel, type TranslateResult } from "./pipeline";
import { Translator } from "./translator";

export type { TranslateContext } from "./context";
export type { RouteLevel, TranslateResult } from "./pipeline";
/** The same translation with other route-level functions (e.g. a cache around translateHTTPRoute). */
export { translateWith } from "./pipeline";

/** The route-level functions translation uses. */
export const ROUTE_LEVEL: RouteLevel = {
  translateHTTPRoute,
  sortByPrecedence,
  bindRouteToListener,
  backendTLSPolicyStatus,
  backendStatus,
};

/** One translation from scratch. */
export function translate(ctx: TranslateContext): TranslateResult {
  return translateWith(ctx, ROUTE_LEVEL);
}

/**
 * A translator for successive snapshots: each call gives what `translate` gives for that
 * snapshot, re-translating only what changed since the previous call and reusing the objects of
 * its previous result for everything else (see translator.ts).
 */
translate.incremental = (): ((ctx: TranslateContext) => TranslateResult) => {
  const translator = new Translator(ROUTE_LEVEL, { tracked: true });
  return ctx => translator.translate(ctx);
};
