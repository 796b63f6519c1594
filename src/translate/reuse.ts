/**
 * Helpers of the incremental translator (translator.ts): comparisons that decide whether an
 * earlier object can stand for a new one, and the route-level status entries kept between runs.
 */
import type { HTTPRoute } from "../apis";
import type { Config } from "../config";
import type { StatusEntry, StatusReport } from "../ir/status";
import { keyOf } from "../store";
import type { TranslateContext } from "./context";
import type { RouteAttachment } from "./attach";
import { sameData, keepSame } from "./equal";
import type { GatewayModel } from "./gateway";
import { statusSortKey } from "./status";
import type { PolicyUsage, RouteTranslation } from "./types";
import type { AssembledGateway } from "./vhosts";

/** The Gateway keys a route's parentRefs name (whatever their group and kind), ours or not. */
export function namedGateways(route: HTTPRoute): string[] {
  const refs = route.spec?.parentRefs;
  const routeNs = route.metadata?.namespace ?? "";
  const out: string[] = [];
  for (const p of Array.isArray(refs) ? refs : []) {
    if (!p || typeof p !== "object" || typeof p.name !== "string") continue;
    out.push(keyOf(typeof p.namespace === "string" && p.namespace ? p.namespace : routeNs, p.name));
  }
  return [...new Set(out)];
}

export function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}

/** Models with the same content (the Gateway object itself and the attached counts aside). */
export function sameModel(a: GatewayModel, b: GatewayModel): boolean {
  const view = (m: GatewayModel) => ({ ...m, object: undefined, listeners: m.listeners.map(l => ({ ...l, attachedRoutes: 0 })) });
  return sameData(view(a), view(b));
}

/** Two attachments of one route that put it in the same places with the same status. */
export function sameAttachment(a: RouteAttachment, b: RouteAttachment): boolean {
  if (a.attached.length !== b.attached.length || !sameData(a.parents, b.parents)) return false;
  return a.attached.every((x, i) => {
    const y = b.attached[i];
    return (
      x.gateway.key === y.gateway.key &&
      x.listener.name === y.listener.name &&
      x.item.routeKey === y.item.routeKey &&
      x.item.translation === y.item.translation &&
      sameData(x.item.hostnames, y.item.hostnames)
    );
  });
}

/** The earlier translation's objects wherever the new one has the same content. */
export function keepTranslation(previous: RouteTranslation | undefined, next: RouteTranslation): RouteTranslation {
  if (!previous) return next;
  if (sameData(previous, next)) return previous;
  const routes = next.routes.map((r, i) => keepSame(previous.routes[i], r));
  const clusters = next.clusters.map(c => keepSame(previous.clusters.find(p => p.name === c.name), c));
  return { ...next, routes, clusters };
}

/** Per BackendTLSPolicy, the Gateways whose routes use it. */
export function policyUsage(assembled: readonly AssembledGateway[]): PolicyUsage {
  const usage = new Map<string, string[]>();
  for (const a of assembled) {
    for (const policy of a.policies) usage.set(policy, [...(usage.get(policy) ?? []), a.ir.key]);
  }
  return usage;
}

function sameUsage(a: PolicyUsage, b: PolicyUsage): boolean {
  if (a.size !== b.size) return false;
  for (const [policy, gateways] of a) {
    const other = b.get(policy);
    if (!other || !sameStrings(gateways, other)) return false;
  }
  return true;
}

/** Position of the first entry not sorted below `key`, from `from` on. */
function lowerBound(entries: readonly StatusEntry[], key: string, from: number): number {
  let lo = from;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (statusSortKey(entries[mid]) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One report from two sorted ones with distinct refs (a few entries merged into many). */
export function mergeReports(few: StatusReport, many: readonly StatusEntry[]): StatusReport {
  const out: StatusEntry[] = [];
  let from = 0;
  for (const e of few) {
    const at = lowerBound(many, statusSortKey(e), from);
    for (let i = from; i < at; i++) out.push(many[i]);
    out.push(e);
    from = at;
  }
  for (let i = from; i < many.length; i++) out.push(many[i]);
  return out;
}

interface Kept {
  config: Config;
  tokens: object[];
  usage?: PolicyUsage;
  entries: StatusEntry[];
}

const POLICY_KINDS = ["BackendTLSPolicy", "ConfigMap", "Secret"] as const;
const BACKEND_KINDS = ["Backend", "ConfigMap", "Secret"] as const;

/**
 * The status entries of the route level (BackendTLSPolicy ancestors, Backend conditions), kept
 * while what they are computed from is unchanged: the objects of the kinds they read, the
 * configuration and, for policies, which Gateways use them.
 */
export class RouteLevelStatus {
  private policy?: Kept;
  private backend?: Kept;

  policies(ctx: TranslateContext, usage: PolicyUsage, keep: boolean, compute: (usage: PolicyUsage) => StatusEntry[]): StatusEntry[] {
    const tokens = POLICY_KINDS.map(k => ctx.store.token(k));
    const kept = this.policy;
    if (keep && kept && kept.config === ctx.config && sameTokens(kept.tokens, tokens) && sameUsage(kept.usage!, usage)) return kept.entries;
    this.policy = { config: ctx.config, tokens, usage, entries: compute(usage) };
    return this.policy.entries;
  }

  backends(ctx: TranslateContext, keep: boolean, compute: () => StatusEntry[]): StatusEntry[] {
    const tokens = BACKEND_KINDS.map(k => ctx.store.token(k));
    const kept = this.backend;
    if (keep && kept && kept.config === ctx.config && sameTokens(kept.tokens, tokens)) return kept.entries;
    this.backend = { config: ctx.config, tokens, entries: compute() };
    return this.backend.entries;
  }
}

function sameTokens(a: readonly object[], b: readonly object[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
