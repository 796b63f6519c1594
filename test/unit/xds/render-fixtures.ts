/**
 * Hand-built IR for the render tests: one Gateway that exercises every IR feature (HTTP and HTTPS
 * listeners, every match and action kind, every cluster kind, both secret kinds).
 */
import type { ClusterIR, GatewayIR, RouteIR } from "../../../src/ir/types";

export const CERT_PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
export const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n";

const source = { namespace: "default", name: "web", rule: 0 };

export function route(name: string, patch: Partial<RouteIR> = {}): RouteIR {
  return {
    name,
    match: { path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [] },
    action: { kind: "forward", backends: [{ clusterName: "service/default/web/8080", weight: 1 }], invalidWeight: 0, mirrors: [], websocket: false },
    source,
    ...patch,
  };
}

export const clusters: ClusterIR[] = [
  { name: "backend/default/httpbin/443", endpoints: { kind: "dns", hostname: "www.httpbin.org", port: 443 }, protocol: "http1", connectTimeoutMs: 10_000, tls: { sni: "www.httpbin.org", ca: { kind: "system" }, subjectAltNames: [] } },
  { name: "backend/default/ips/8443", endpoints: { kind: "static", endpoints: [{ address: "203.0.113.7", port: 8443 }] }, protocol: "h2", connectTimeoutMs: 10_000, tls: { sni: "api.example.net", ca: { kind: "secret", secretName: "ca/default/api-ca" }, subjectAltNames: [{ type: "URI", value: "spiffe://example.net/api" }] } },
  { name: "backend/default/sock/0", endpoints: { kind: "unix", path: "/var/run/app.sock" }, protocol: "http1", connectTimeoutMs: 10_000 },
  { name: "service/default/grpc/9000", endpoints: { kind: "eds", endpoints: [] }, protocol: "h2c", connectTimeoutMs: 10_000 },
  { name: "service/default/web/8080", endpoints: { kind: "eds", endpoints: [
    { address: "10.0.0.2", port: 8080, zone: "b" }, { address: "10.0.0.1", port: 8080 }, { address: "10.0.0.3", port: 8080, zone: "a" },
  ] }, protocol: "http1", connectTimeoutMs: 10_000 },
];

export const routes: RouteIR[] = [
  route("exact", { match: { path: { type: "Exact", value: "/exact" }, headers: [{ name: "X-Version", type: "Exact", value: "2" }], queryParams: [{ name: "Debug", type: "RegularExpression", value: "on|yes" }], method: "POST" } }),
  route("regex", { match: { path: { type: "RegularExpression", value: "/items/[0-9]+" }, headers: [], queryParams: [] } }),
  route("split", {
    match: { path: { type: "PathPrefix", value: "/split/" }, headers: [], queryParams: [] },
    action: {
      kind: "forward",
      backends: [
        { clusterName: "service/default/web/8080", weight: 3, requestHeaders: { set: [{ name: "x-backend", value: "web" }], add: [], remove: [] } },
        { clusterName: "service/default/grpc/9000", weight: 1 },
      ],
      invalidWeight: 1,
      mirrors: [{ clusterName: "backend/default/sock/0", percent: 100 }, { clusterName: "service/default/web/8080", percent: 12.5 }, { clusterName: "backend/default/ips/8443", percent: 20 }],
      timeoutMs: 10_000,
      backendTimeoutMs: 2_500,
      retry: { attempts: 3, codes: [502, 503], backoffMs: 100 },
      websocket: true,
    },
    requestHeaders: { set: [{ name: "x-set", value: "1" }], add: [{ name: "x-add", value: "2" }], remove: ["x-remove"] },
    responseHeaders: { set: [], add: [{ name: "x-resp", value: "3" }], remove: ["server"] },
    cors: { allowOrigins: ["https://app.example.com", "https://*.example.org"], allowMethods: ["GET", "POST"], allowHeaders: ["x-a"], exposeHeaders: ["x-b"], maxAgeSeconds: 600, allowCredentials: true },
  }),
  route("rewrite", {
    match: { path: { type: "PathPrefix", value: "/old" }, headers: [], queryParams: [] },
    action: { kind: "forward", backends: [{ clusterName: "backend/default/httpbin/443", weight: 1 }], invalidWeight: 0, rewrite: { hostname: "www.httpbin.org", path: { type: "ReplacePrefixMatch", value: "/new/" } }, mirrors: [], websocket: false },
  }),
  route("fullpath", {
    action: { kind: "forward", backends: [{ clusterName: "service/default/web/8080", weight: 1 }], invalidWeight: 0, rewrite: { path: { type: "ReplaceFullPath", value: "/index.html" } }, mirrors: [], websocket: false, backendTimeoutMs: 1500 },
  }),
  route("invalid", { action: { kind: "forward", backends: [], invalidWeight: 1, mirrors: [], websocket: false } }),
  route("redirect", { match: { path: { type: "PathPrefix", value: "/r" }, headers: [], queryParams: [] }, action: { kind: "redirect", scheme: "https", hostname: "example.com", port: 8443, path: { type: "ReplacePrefixMatch", value: "/" }, statusCode: 308 } }),
  route("direct", { action: { kind: "direct", status: 404, body: "not here" } }),
];

export const gateway: GatewayIR = {
  key: "default/eg",
  namespace: "default",
  name: "eg",
  listeners: [
    { name: "default/eg/80", port: 80, protocol: "HTTP", filterChains: [{ name: "default/eg/80", serverNames: [], certificateSecrets: [], routeConfigName: "default/eg/80" }] },
    { name: "default/eg/443", port: 443, protocol: "HTTPS", filterChains: [{ name: "default/eg/443/https", serverNames: ["www.example.com", "*.example.org"], certificateSecrets: ["cert/default/tls"], routeConfigName: "default/eg/443" }] },
  ],
  routeConfigs: [
    { name: "default/eg/443", virtualHosts: [{ name: "default/eg/443/www_example_com", domains: ["www.example.com"], routes: [route("tls-root")] }] },
    { name: "default/eg/80", virtualHosts: [{ name: "default/eg/80/*", domains: ["*"], routes }] },
  ],
  clusters,
  secrets: [
    { name: "ca/default/api-ca", kind: "ca", trustedCA: CERT_PEM },
    { name: "cert/default/tls", kind: "certificate", certificateChain: CERT_PEM, privateKey: KEY_PEM },
  ],
  infrastructure: { labels: {}, annotations: {} },
  addresses: [],
};
