/**
 * One HTTPRouteRule → one RouteIR per match, plus the clusters, secrets and BackendTLSPolicies its
 * backends use and the backendRef problems that make ResolvedRefs False.
 *
 * What a rule does with a request (the spec's failure rules):
 * - an unresolvable ExtensionRef filter: HTTP 500;
 * - a RequestRedirect filter: the redirect (backendRefs are not allowed with it);
 * - otherwise forward to the valid backendRefs with weight > 0; the weight of invalid ones (not
 *   found, not permitted, unsupported kind, ExternalName, a Backend the policy denies, a target
 *   whose BackendTLSPolicy has no usable CA) gets HTTP 500 (ForwardActionIR.invalidWeight);
 * - no backendRefs at all, or none valid with weight > 0: HTTP 500 for every request.
 */
import type { ClusterIR, DirectResponseIR, ForwardActionIR, RouteIR, RouteMatchIR, SecretIR, WeightedBackendIR } from "../ir/types";
import { isRecord, quote } from "../policy/report";
import { resolveBackendRef } from "./backends";
import type { TranslateContext } from "./context";
import { type BackendFilters, type RuleFilters, type RuleProblem, translateBackendFilters, translateRuleFilters } from "./filters";
import { translateMatches } from "./matches";
import { type RuleTimeouts, translateRetry, translateTimeouts } from "./timeouts";
import type { RankedRoute } from "./types";

const MAX_BACKEND_REFS = 16;
const MAX_WEIGHT = 1_000_000;

export interface RouteInfo {
  namespace: string;
  name: string;
  key: string;
  createdAt: string;
}

export interface RefProblem {
  reason: string;
  message: string;
}

export interface RuleResult {
  ok: true;
  routes: RankedRoute[];
  clusters: ClusterIR[];
  secrets: SecretIR[];
  policies: string[];
  refProblems: RefProblem[];
}

/** What the backendRefs of a rule add up to. */
interface Backends {
  backends: WeightedBackendIR[];
  invalidWeight: number;
  websocket: boolean;
}

const unsupported = (message: string): RuleProblem => ({ ok: false, reason: "UnsupportedValue", message });

/** What the translators give for an absent field (read-only; spared building the field's path). */
const NO_BACKEND_FILTERS: { ok: true; value: BackendFilters } = { ok: true, value: {} };
const NO_TIMEOUTS: { ok: true; value: RuleTimeouts } = { ok: true, value: {} };
const NO_RETRY: { ok: true; value: undefined } = { ok: true, value: undefined };

function collect(out: RuleResult, got: ReturnType<typeof resolveBackendRef>): ClusterIR | undefined {
  if (!got.ok) {
    out.refProblems.push({ reason: got.reason, message: got.message });
    return undefined;
  }
  out.policies.push(...got.policies);
  if (!got.cluster) return undefined;
  out.clusters.push(got.cluster);
  out.secrets.push(...got.secrets);
  return got.cluster;
}

function weightOf(ref: Record<string, unknown>, field: string): number | RuleProblem {
  const weight = ref.weight ?? 1;
  if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
    return unsupported(`${field}.weight ${quote(weight)} must be a whole number from 0 to ${MAX_WEIGHT}`);
  }
  return weight;
}

function backendRefs(ctx: TranslateContext, info: RouteInfo, refs: unknown[], field: string, out: RuleResult): Backends | RuleProblem {
  const acc: Backends = { backends: [], invalidWeight: 0, websocket: false };
  for (let i = 0; i < refs.length; i++) {
    const at = `${field}[${i}]`;
    const ref: unknown = refs[i];
    if (!isRecord(ref)) return unsupported(`${at} must be an object`);
    const weight = weightOf(ref, at);
    if (typeof weight !== "number") return weight;
    const filters = ref.filters === undefined ? NO_BACKEND_FILTERS : translateBackendFilters(ref.filters, `${at}.filters`);
    if (!filters.ok) return filters;
    if (filters.value.extensionRef) {
      out.refProblems.push({ reason: "InvalidKind", message: filters.value.extensionRef });
      acc.invalidWeight += weight;
      continue;
    }
    const got = resolveBackendRef(ctx, info.namespace, ref, at);
    const cluster = collect(out, got);
    if (!cluster) {
      acc.invalidWeight += weight;
      continue;
    }
    if (got.ok && got.websocket) acc.websocket = true;
    if (weight === 0) continue;
    const entry: WeightedBackendIR = { clusterName: cluster.name, weight };
    if (filters.value.requestHeaders) entry.requestHeaders = filters.value.requestHeaders;
    if (filters.value.responseHeaders) entry.responseHeaders = filters.value.responseHeaders;
    acc.backends.push(entry);
  }
  return acc;
}

function mirrors(ctx: TranslateContext, info: RouteInfo, filters: RuleFilters, out: RuleResult): ForwardActionIR["mirrors"] {
  const list: ForwardActionIR["mirrors"] = [];
  for (const m of filters.mirrors) {
    const cluster = collect(out, resolveBackendRef(ctx, info.namespace, m.backendRef, m.field));
    if (cluster) list.push({ clusterName: cluster.name, percent: m.percent });
  }
  return list;
}

const http500 = (): DirectResponseIR => ({ kind: "direct", status: 500 });

function actionOf(ctx: TranslateContext, info: RouteInfo, rule: Record<string, unknown>, field: string, filters: RuleFilters, out: RuleResult): RouteIR["action"] | RuleProblem {
  const refs = rule.backendRefs ?? [];
  if (!Array.isArray(refs)) return unsupported(`${field}.backendRefs must be a list`);
  if (refs.length > MAX_BACKEND_REFS) return unsupported(`${field}.backendRefs has ${refs.length} entries, more than ${MAX_BACKEND_REFS}`);
  if (filters.redirect && refs.length > 0) return unsupported(`${field}: a RequestRedirect filter cannot be used together with backendRefs`);
  for (const message of filters.extensionRefs) out.refProblems.push({ reason: "InvalidKind", message });
  if (filters.redirect) return filters.extensionRefs.length ? http500() : filters.redirect;
  const timeouts = rule.timeouts === undefined ? NO_TIMEOUTS : translateTimeouts(rule.timeouts, `${field}.timeouts`);
  if (!timeouts.ok) return unsupported(timeouts.message);
  const retry = rule.retry === undefined ? NO_RETRY : translateRetry(rule.retry, `${field}.retry`);
  if (!retry.ok) return unsupported(retry.message);
  const backends = backendRefs(ctx, info, refs, `${field}.backendRefs`, out);
  if ("ok" in backends) return backends;
  const mirrorList = mirrors(ctx, info, filters, out);
  if (filters.extensionRefs.length || backends.backends.length === 0) return http500();
  const action: ForwardActionIR = { kind: "forward", backends: backends.backends, invalidWeight: backends.invalidWeight, mirrors: mirrorList, websocket: backends.websocket };
  if (filters.rewrite) action.rewrite = filters.rewrite;
  if (timeouts.value.timeoutMs !== undefined) action.timeoutMs = timeouts.value.timeoutMs;
  if (timeouts.value.backendTimeoutMs !== undefined) action.backendTimeoutMs = timeouts.value.backendTimeoutMs;
  if (retry.value) action.retry = retry.value;
  return action;
}

function routeOf(info: RouteInfo, index: number, ruleName: string | undefined, j: number, match: RouteMatchIR, action: RouteIR["action"], filters: RuleFilters): RankedRoute {
  const ir: RouteIR = {
    name: `httproute/${info.namespace}/${info.name}/rule/${index}/match/${j}`,
    match,
    action,
    source: ruleName ? { namespace: info.namespace, name: info.name, rule: index, ruleName } : { namespace: info.namespace, name: info.name, rule: index },
  };
  if (filters.requestHeaders) ir.requestHeaders = filters.requestHeaders;
  if (filters.responseHeaders) ir.responseHeaders = filters.responseHeaders;
  if (filters.cors) ir.cors = filters.cors;
  const rank = {
    pathType: match.path.type,
    pathLength: match.path.value.length,
    hasMethod: match.method !== undefined,
    headerCount: match.headers.length,
    queryCount: match.queryParams.length,
    createdAt: info.createdAt,
    routeKey: info.key,
    rule: index,
    match: j,
  };
  return { ir, rank };
}

/** Translates rule `index` of a route. A RuleProblem means the rule is invalid and dropped. */
export function translateRule(ctx: TranslateContext, info: RouteInfo, rule: unknown, index: number): RuleResult | RuleProblem {
  const field = `spec.rules[${index}]`;
  if (!isRecord(rule)) return unsupported(`${field} must be an object`);
  const ruleName = typeof rule.name === "string" && rule.name !== "" ? rule.name : undefined;
  const matches = translateMatches(rule.matches, `${field}.matches`);
  if (!matches.ok) return unsupported(matches.message);
  const filters = translateRuleFilters(rule.filters, `${field}.filters`, matches.value);
  if (!filters.ok) return filters;
  const out: RuleResult = { ok: true, routes: [], clusters: [], secrets: [], policies: [], refProblems: [] };
  const action = actionOf(ctx, info, rule, field, filters.value, out);
  if ("ok" in action) return action;
  out.routes = matches.value.map((match, j) => routeOf(info, index, ruleName, j, match, action, filters.value));
  return out;
}
