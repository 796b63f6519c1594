/**
 * Listener allowedRoutes: which route kinds a listener supports (HTTPRoute on HTTP and HTTPS
 * listeners, nothing else) and which namespaces may attach routes (Same, All, or a label Selector
 * over Namespace labels with matchLabels and matchExpressions).
 *
 * Namespace labels include `kubernetes.io/metadata.name: <name>`, which the API server sets on every
 * Namespace; a namespace missing from the input has that label only.
 */
import type { GatewayListener, Namespace } from "../apis";
import type { Store } from "../store";
import { GATEWAY_GROUP } from "./conditions";

export interface RouteGroupKind {
  group: string;
  kind: string;
}

const HTTP_ROUTE: RouteGroupKind = { group: GATEWAY_GROUP, kind: "HTTPRoute" };

export function isSupportedProtocol(protocol: unknown): protocol is "HTTP" | "HTTPS" {
  return protocol === "HTTP" || protocol === "HTTPS";
}

/** Kinds the listener supports and the ones it names that we do not (InvalidRouteKinds). */
export function routeKinds(listener: GatewayListener): { supported: RouteGroupKind[]; invalid: RouteGroupKind[] } {
  const compatible = isSupportedProtocol(listener.protocol) ? [HTTP_ROUTE] : [];
  const asked = listener.allowedRoutes?.kinds;
  if (!Array.isArray(asked) || asked.length === 0) return { supported: compatible, invalid: [] };
  const supported: RouteGroupKind[] = [];
  const invalid: RouteGroupKind[] = [];
  for (const k of asked) {
    const rgk = { group: typeof k?.group === "string" ? k.group : GATEWAY_GROUP, kind: String(k?.kind ?? "") };
    const known = compatible.some(c => c.group === rgk.group && c.kind === rgk.kind);
    const list = known ? supported : invalid;
    if (!list.some(x => x.group === rgk.group && x.kind === rgk.kind)) list.push(rgk);
  }
  return { supported, invalid };
}

interface Requirement {
  key: string;
  operator: string;
  values: string[];
}

/** A parsed label selector; `problem` is set when it cannot be evaluated (it then selects nothing). */
export interface Selector {
  matchLabels: Record<string, string>;
  expressions: Requirement[];
  problem?: string;
}

const OPERATORS = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);

export function parseSelector(raw: unknown): Selector {
  const sel: Selector = { matchLabels: {}, expressions: [] };
  if (!raw || typeof raw !== "object") return { ...sel, problem: "selector is required when from is Selector" };
  const { matchLabels, matchExpressions } = raw as { matchLabels?: unknown; matchExpressions?: unknown };
  if (matchLabels && typeof matchLabels === "object") {
    for (const [k, v] of Object.entries(matchLabels)) sel.matchLabels[k] = String(v);
  }
  if (Array.isArray(matchExpressions)) {
    for (const e of matchExpressions as Array<Partial<Requirement> | null>) {
      const values = Array.isArray(e?.values) ? e.values.map(String) : [];
      const req: Requirement = { key: String(e?.key ?? ""), operator: String(e?.operator ?? ""), values };
      if (!OPERATORS.has(req.operator)) return { ...sel, problem: `selector operator "${req.operator}" is not valid` };
      const wantsValues = req.operator === "In" || req.operator === "NotIn";
      if (wantsValues !== values.length > 0) {
        return { ...sel, problem: `selector operator ${req.operator} ${wantsValues ? "needs" : "takes no"} values` };
      }
      sel.expressions.push(req);
    }
  }
  return sel;
}

export function selectorMatches(sel: Selector, labels: Readonly<Record<string, string>>): boolean {
  if (sel.problem) return false;
  for (const [k, v] of Object.entries(sel.matchLabels)) if (labels[k] !== v) return false;
  for (const e of sel.expressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
  }
  return true;
}

/** Which namespaces a listener admits routes from. */
export type NamespacePolicy = { from: "All" } | { from: "Same" } | { from: "Selector"; selector: Selector };

export function namespacePolicy(listener: GatewayListener): NamespacePolicy | { problem: string } {
  const ns = listener.allowedRoutes?.namespaces;
  const from = ns?.from ?? "Same";
  if (from === "All" || from === "Same") return { from };
  if (from === "Selector") {
    const selector = parseSelector(ns?.selector);
    return selector.problem ? { problem: `allowedRoutes.namespaces: ${selector.problem}` } : { from, selector };
  }
  return { problem: `allowedRoutes.namespaces.from "${String(from)}" is not supported` };
}

/** Namespace labels by name, read once per translation. */
export class NamespaceLabels {
  private readonly cache = new Map<string, Record<string, string>>();
  constructor(private readonly store: Store) {}

  of(name: string): Record<string, string> {
    let labels = this.cache.get(name);
    if (!labels) {
      const raw = this.store.get<Namespace>("Namespace", undefined, name)?.metadata?.labels;
      labels = {};
      if (raw && typeof raw === "object") for (const [k, v] of Object.entries(raw)) labels[k] = String(v);
      labels["kubernetes.io/metadata.name"] = name;
      this.cache.set(name, labels);
    }
    return labels;
  }
}

export function namespaceAllowed(
  policy: NamespacePolicy,
  gatewayNamespace: string,
  routeNamespace: string,
  labels: NamespaceLabels,
): boolean {
  if (policy.from === "All") return true;
  if (policy.from === "Same") return routeNamespace === gatewayNamespace;
  return selectorMatches(policy.selector, labels.of(routeNamespace));
}
