/**
 * The translation builder: small processors run in order, each a pure function of the input
 * snapshot and of what earlier ones computed.
 *
 *   1. GatewayClasses of our controller          gatewayclass.ts
 *   2. their Gateways and listeners              gateway.ts, listeners.ts, certificates.ts
 *   3. HTTPRoutes with a parentRef to one of them, translated one at a time (route level)
 *   4. route attachment to listeners             attach.ts, allowedroutes.ts, hostnames.ts
 *   5. per accepted Gateway: listeners, route configurations, clusters, secrets   vhosts.ts
 *   6. status of every object that got some     status.ts (+ route-level policy/Backend status)
 *
 * The route-level functions come in as `RouteLevel`, so that this file does not depend on how they
 * are implemented (index.ts passes the real ones). translator.ts runs the processors, and can keep
 * what it computed for the next snapshot (incremental translation).
 */
import type { HTTPRoute } from "../apis";
import type { IR } from "../ir/types";
import type { StatusEntry, StatusReport } from "../ir/status";
import type { TranslateContext } from "./context";
import type { PolicyUsage, RouteTranslation } from "./types";
import type { RouteOrdering } from "./vhosts";
import { Translator } from "./translator";

export interface TranslateResult {
  ir: IR;
  status: StatusReport;
}

/** The route-level half of translation (see types.ts). */
export interface RouteLevel extends RouteOrdering {
  translateHTTPRoute(ctx: TranslateContext, route: HTTPRoute): RouteTranslation;
  backendTLSPolicyStatus(ctx: TranslateContext, usage: PolicyUsage): StatusEntry[];
  backendStatus(ctx: TranslateContext): StatusEntry[];
}

/** One translation from scratch (translator.ts runs the processors). */
export function translateWith(ctx: TranslateContext, rl: RouteLevel): TranslateResult {
  return new Translator(rl, { tracked: false }).translate(ctx);
}
