/** Shared fixtures for the route-level translation tests: stores, contexts, and a request matcher. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { RE2JS } from "re2js";
import { loadConfig } from "../../../src/config";
import { storeFromObjects } from "../../../src/store/objects";
import type { TranslateContext } from "../../../src/translate/context";
import type { HTTPRoute } from "../../../src/apis";
import type { RouteIR } from "../../../src/ir/types";

/** The Gateway API v1.6.1 inputs, beside the repository. */
export const GATEWAY_API = resolve(__dirname, "../../../../shared/gateway-api/v1.6.1");
export const INFRA = "gateway-conformance-infra";

const parsed = new Map<string, unknown[]>();

/** The objects of conformance input files ("base" is the suite's base manifests). */
export function conformanceObjects(...names: string[]): unknown[] {
  return names.flatMap(n => {
    const file = n === "base" ? `${GATEWAY_API}/conformance/base/manifests.yaml` : `${GATEWAY_API}/conformance/tests/${n}.yaml`;
    let objects = parsed.get(file);
    if (!objects) {
      objects = parseAllDocuments(readFileSync(file, "utf8")).map(d => d.toJS() as unknown).filter(o => o !== null);
      parsed.set(file, objects);
    }
    return objects;
  });
}

export function ctxOf(objects: unknown[], env: Record<string, string> = {}): TranslateContext {
  return { store: storeFromObjects(objects).store, config: loadConfig(env) };
}

export function service(name: string, ports: Array<Record<string, unknown>>, namespace = "default", extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec: { ports, ...extra } };
}

export function slice(
  service: string,
  endpoints: Array<{ addresses: string[]; ready?: boolean; zone?: string }>,
  ports: Array<{ name?: string; port: number }>,
  opts: { namespace?: string; name?: string; addressType?: string } = {},
): Record<string, unknown> {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: opts.name ?? `${service}-abc`, namespace: opts.namespace ?? "default", labels: { "kubernetes.io/service-name": service } },
    addressType: opts.addressType ?? "IPv4",
    endpoints: endpoints.map(e => ({ addresses: e.addresses, ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }), ...(e.zone ? { zone: e.zone } : {}) })),
    ports,
  };
}

export function backendObj(name: string, endpoints: unknown[], namespace = "default", spec: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "Backend", metadata: { name, namespace }, spec: { endpoints, ...spec } };
}

export function route(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): HTTPRoute {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "r", namespace: "default", generation: 3, ...meta },
    spec: { parentRefs: [{ name: "gw" }], ...spec },
  } as HTTPRoute;
}

/** A syntactically valid PEM block (the translator checks the framing, not the DER inside). */
export const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2Fub3QgYmUgdXNlZCBmb3IgYW55dGhpbmc=\n-----END CERTIFICATE-----\n";

export function caConfigMap(name: string, namespace = "default", data: Record<string, string> = { "ca.crt": PEM }): Record<string, unknown> {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data };
}

export interface Request {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

function pathMatches(route: RouteIR, path: string): boolean {
  const { type, value } = route.match.path;
  if (type === "Exact") return path === value;
  if (type === "RegularExpression") return RE2JS.compile(value).matches(path);
  if (value === "/") return true;
  return path === value || path.startsWith(`${value}/`);
}

/**
 * The first route (in the given order) that matches the request, by the Gateway API's match
 * semantics: element-wise prefixes, header names without case, all headers and query params.
 */
export function firstMatch(routes: RouteIR[], req: Request): RouteIR | undefined {
  const headers = new Map(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return routes.find(r => {
    if (!pathMatches(r, req.path)) return false;
    if (r.match.method && r.match.method !== (req.method ?? "GET")) return false;
    const headerOk = r.match.headers.every(h => {
      const v = headers.get(h.name.toLowerCase());
      return v !== undefined && (h.type === "Exact" ? v === h.value : RE2JS.compile(h.value).matches(v));
    });
    const queryOk = r.match.queryParams.every(q => {
      const v = req.query?.[q.name];
      return v !== undefined && (q.type === "Exact" ? v === q.value : RE2JS.compile(q.value).matches(v));
    });
    return headerOk && queryOk;
  });
}

/** The cluster the route forwards all traffic to (single backend), or the action kind. */
export function target(route: RouteIR | undefined): string {
  if (!route) return "404";
  const a = route.action;
  if (a.kind === "forward") return a.backends.map(b => b.clusterName).join(",");
  return a.kind === "direct" ? String(a.status) : `redirect`;
}
