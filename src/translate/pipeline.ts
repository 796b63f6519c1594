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
 * are implemented (index.ts passes the real ones).
 */
import type { HTTPRoute } from "../apis";
import type { IR } from "../ir/types";
import type { StatusEntry, StatusReport } from "../ir/status";
import type { TranslateContext } from "./context";
import type { PolicyUsage, RouteTranslation } from "./types";
import { NamespaceLabels } from "./allowedroutes";
import { attachRoutes, gatewayRefs, type RouteInput } from "./attach";
import { ourClasses } from "./gatewayclass";
import { ourGateways, type GatewayModel } from "./gateway";
import { generationOf } from "./conditions";
import { classStatus, gatewayStatus, routeStatus, sortReport } from "./status";
import { assembleGateway, type AssembledGateway, type RouteOrdering } from "./vhosts";
import { keyOf } from "../store";

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

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Route-level translation that cannot take the rebuild down: a failure refuses that route only. */
function translateRoute(ctx: TranslateContext, rl: RouteLevel, key: string, route: HTTPRoute): RouteTranslation {
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

/** HTTPRoutes (in key order) with at least one parentRef to a Gateway of ours, translated. */
function relevantRoutes(ctx: TranslateContext, gateways: ReadonlyMap<string, GatewayModel>, rl: RouteLevel): RouteInput[] {
  const out: RouteInput[] = [];
  for (const route of ctx.store.list<HTTPRoute>("HTTPRoute")) {
    const name = route.metadata?.name;
    const refs = name ? gatewayRefs(route, gateways) : [];
    if (!name || refs.length === 0) continue;
    const key = keyOf(route.metadata?.namespace, name);
    out.push({ key, route, translation: translateRoute(ctx, rl, key, route), refs });
  }
  return out;
}

/** Status entries of the route-level half; a failure there drops those entries, not the rebuild. */
function safely(produce: () => StatusEntry[]): StatusEntry[] {
  try {
    return produce();
  } catch {
    return [];
  }
}

function policyUsage(assembled: readonly AssembledGateway[]): PolicyUsage {
  const usage = new Map<string, string[]>();
  for (const a of assembled) {
    for (const policy of a.policies) usage.set(policy, [...(usage.get(policy) ?? []), a.ir.key]);
  }
  return usage;
}

export function translateWith(ctx: TranslateContext, rl: RouteLevel): TranslateResult {
  const classes = ourClasses(ctx);
  const gateways = ourGateways(ctx, classes);
  const byKey = new Map(gateways.map(g => [g.key, g]));
  const routes = relevantRoutes(ctx, byKey, rl);
  const attachments = attachRoutes(routes, new NamespaceLabels(ctx.store), ctx.config.controllerName);
  const assembled = gateways
    .filter(g => g.accepted.ok)
    .map(g => assembleGateway(g, attachments.byListener.get(g.key) ?? new Map(), rl));
  const status: StatusEntry[] = [...classes.values()].map(classStatus);
  status.push(...gateways.map(gatewayStatus));
  for (const { key, route } of routes) {
    const parents = attachments.parents.get(key);
    if (parents) status.push(routeStatus(route.metadata?.namespace ?? "", route.metadata?.name ?? "", generationOf(route), parents));
  }
  status.push(...safely(() => rl.backendTLSPolicyStatus(ctx, policyUsage(assembled))));
  status.push(...safely(() => rl.backendStatus(ctx)));
  return { ir: { gateways: assembled.map(a => a.ir) }, status: sortReport(status) };
}
