/**
 * Fixtures for the gateway-level translation tests: object builders, a stub of the route-level
 * half (one route per HTTPRoute, matching the path prefix of its first match), and accessors.
 */
import { Store } from "../../../src/store";
import { storeFromObjects } from "../../../src/store/objects";
import { loadConfig } from "../../../src/config";
import type { TranslateContext } from "../../../src/translate/context";
import { translateWith, type RouteLevel, type TranslateResult } from "../../../src/translate/pipeline";
import type { ComputedCondition, ListenerStatusData, ParentStatusData, StatusEntry } from "../../../src/ir/status";
import type { GatewayIR, RouteIR } from "../../../src/ir/types";
import type { HTTPRoute } from "../../../src/apis";
import { TEST_CERT, TEST_KEY } from "./fixtures";

export const CONTROLLER = "pepr.dev/envoy-gateway";
export const GROUP = "gateway.networking.k8s.io";

export function context(objects: unknown[]): TranslateContext {
  const { store } = storeFromObjects(objects);
  return { store, config: loadConfig({}) };
}

export const emptyContext = (): TranslateContext => ({ store: Store.empty(), config: loadConfig({}) });

function firstPath(route: HTTPRoute): string {
  const value = route.spec?.rules?.[0]?.matches?.[0]?.path?.value;
  return typeof value === "string" ? value : "/";
}

/**
 * Route level, reduced to what gateway-level tests need. Annotation `test/refuse` refuses the route
 * (its value is the reason), `test/partial` marks it partially invalid.
 */
export const stubRouteLevel: RouteLevel = {
  translateHTTPRoute(_ctx, route) {
    const ns = route.metadata?.namespace ?? "";
    const name = route.metadata?.name ?? "";
    const key = `${ns}/${name}`;
    const gen = route.metadata?.generation ?? 0;
    const cluster = `service/${ns}/${name}/80`;
    const ir: RouteIR = {
      name: `httproute/${key}/rule/0/match/0`,
      match: { path: { type: "PathPrefix", value: firstPath(route) }, headers: [], queryParams: [] },
      action: { kind: "forward", backends: [{ clusterName: cluster, weight: 1 }], invalidWeight: 0, mirrors: [], websocket: false },
      source: { namespace: ns, name, rule: 0 },
    };
    const rank = { pathType: "PathPrefix" as const, pathLength: firstPath(route).length, hasMethod: false, headerCount: 0, queryCount: 0, createdAt: "", routeKey: key, rule: 0, match: 0 };
    const refuse = route.metadata?.annotations?.["test/refuse"];
    return {
      key,
      routes: [{ ir, rank }],
      clusters: [{ name: cluster, endpoints: { kind: "eds", endpoints: [] }, protocol: "http1", connectTimeoutMs: 10000 }],
      secrets: [],
      resolvedRefs: { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "ok", observedGeneration: gen },
      ...(refuse ? { notAccepted: { type: "Accepted", status: "False" as const, reason: refuse, message: "refused", observedGeneration: gen } } : {}),
      ...(route.metadata?.annotations?.["test/partial"]
        ? { partiallyInvalid: { type: "PartiallyInvalid", status: "True" as const, reason: "UnsupportedValue", message: "Dropped Rule 1", observedGeneration: gen } }
        : {}),
      backendTLSPolicies: route.metadata?.annotations?.["test/policy"] ? [route.metadata.annotations["test/policy"]] : [],
    };
  },
  sortByPrecedence: routes => [...routes].sort((a, b) => b.rank.pathLength - a.rank.pathLength || (a.ir.name < b.ir.name ? -1 : 1)).map(r => r.ir),
  bindRouteToListener: route => route,
  backendTLSPolicyStatus: () => [],
  backendStatus: () => [],
};

export function run(objects: unknown[], rl: RouteLevel = stubRouteLevel): TranslateResult {
  return translateWith(context(objects), rl);
}

export function gatewayClass(name = "peg", spec: Record<string, unknown> = {}, generation?: number): Record<string, unknown> {
  return { apiVersion: `${GROUP}/v1`, kind: "GatewayClass", metadata: { name, generation }, spec: { controllerName: CONTROLLER, ...spec } };
}

export function gateway(name: string, listeners: unknown[], opts: { namespace?: string; spec?: Record<string, unknown>; generation?: number } = {}) {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: "Gateway",
    metadata: { name, namespace: opts.namespace ?? "default", generation: opts.generation },
    spec: { gatewayClassName: "peg", listeners, ...opts.spec },
  };
}

export const http = (name: string, port = 80, extra: Record<string, unknown> = {}) => ({ name, port, protocol: "HTTP", ...extra });

export function https(name: string, secret: string | Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  const certificateRefs = typeof secret === "string" ? [{ name: secret }] : secret;
  return { name, port: 443, protocol: "HTTPS", tls: { certificateRefs }, ...extra };
}

export function route(name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}) {
  return { apiVersion: `${GROUP}/v1`, kind: "HTTPRoute", metadata: { name, namespace: "default", ...meta }, spec };
}

/** An HTTPRoute with one rule matching a path prefix. */
export function pathRoute(name: string, parentRefs: unknown[], path: string, extra: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) {
  return route(name, { parentRefs, rules: [{ matches: [{ path: { type: "PathPrefix", value: path } }] }], ...extra }, meta);
}

export function namespace(name: string, labels: Record<string, string> = {}) {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

export function tlsSecret(name: string, namespace = "default", crt = TEST_CERT, key = TEST_KEY, type = "kubernetes.io/tls") {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return { apiVersion: "v1", kind: "Secret", type, metadata: { name, namespace }, data: { "tls.crt": b64(crt), "tls.key": b64(key) } };
}

export function referenceGrant(namespace: string, from: Record<string, string>, to: Record<string, string>) {
  return { apiVersion: `${GROUP}/v1beta1`, kind: "ReferenceGrant", metadata: { name: "grant", namespace }, spec: { from: [from], to: [to] } };
}

export function entry(result: TranslateResult, kind: string, key: string): StatusEntry | undefined {
  return result.status.find(e => e.ref.kind === kind && (e.ref.namespace ? `${e.ref.namespace}/${e.ref.name}` : e.ref.name) === key);
}

export function gatewayStatus(result: TranslateResult, key = "default/eg") {
  const e = entry(result, "Gateway", key);
  if (e?.status.kind !== "gateway") throw new Error(`no Gateway status for ${key}`);
  return e.status;
}

export function listenerStatus(result: TranslateResult, name: string, key = "default/eg"): ListenerStatusData {
  const l = gatewayStatus(result, key).listeners.find(x => x.name === name);
  if (!l) throw new Error(`no listener ${name}`);
  return l;
}

export function parents(result: TranslateResult, key: string): ParentStatusData[] {
  const e = entry(result, "HTTPRoute", key);
  if (!e) return [];
  if (e.status.kind !== "parents") throw new Error("not a route status");
  return e.status.parents;
}

export function cond(conditions: readonly ComputedCondition[], type: string): ComputedCondition {
  const c = conditions.find(x => x.type === type);
  if (!c) throw new Error(`no ${type} condition`);
  return c;
}

/** `status/reason` of a condition, for compact assertions. */
export const sr = (conditions: readonly ComputedCondition[], type: string) => {
  const c = cond(conditions, type);
  return `${c.status}/${c.reason}`;
};

export function gatewayIR(result: TranslateResult, key = "default/eg"): GatewayIR {
  const gw = result.ir.gateways.find(g => g.key === key);
  if (!gw) throw new Error(`no IR for ${key}`);
  return gw;
}
