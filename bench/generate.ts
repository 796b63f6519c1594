/**
 * Synthetic inputs for the benchmarks: N HTTPRoutes (2 rules each, header and path matches, 1-3
 * weighted backends) spread over 10 Gateways, and N/2 Services with one EndpointSlice each.
 * Deterministic: the same N always yields the same objects.
 */
import type { KubeObject } from "../src/apis";

export const GATEWAY_COUNT = 10;

export function generateWorld(routeCount: number): KubeObject[] {
  const objects: KubeObject[] = [
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: "peg", generation: 1 },
      spec: { controllerName: "pepr.dev/envoy-gateway" },
    } as KubeObject,
  ];
  for (let g = 0; g < GATEWAY_COUNT; g++) objects.push(gateway(g));
  const serviceCount = Math.max(1, Math.floor(routeCount / 2));
  for (let s = 0; s < serviceCount; s++) objects.push(...service(s));
  for (let r = 0; r < routeCount; r++) objects.push(route(r, serviceCount));
  return objects;
}

function gateway(g: number): KubeObject {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { namespace: "bench", name: `gw-${g}`, generation: 1 },
    spec: {
      gatewayClassName: "peg",
      listeners: [{ name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } }],
    },
  } as KubeObject;
}

function service(s: number): KubeObject[] {
  const name = `svc-${s}`;
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { namespace: "bench", name },
      spec: { type: "ClusterIP", ports: [{ name: "http", port: 8080, targetPort: 8080, protocol: "TCP" }] },
    } as KubeObject,
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { namespace: "bench", name: `${name}-abcde`, labels: { "kubernetes.io/service-name": name } },
      addressType: "IPv4",
      endpoints: [0, 1].map(i => ({
        addresses: [`10.${(s >> 8) & 255}.${s & 255}.${10 + i}`],
        conditions: { ready: true },
      })),
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    } as KubeObject,
  ];
}

/** Route r: hostname r.example.com on gateway r % 10; rule 0 header+prefix, rule 1 exact path. */
export function route(r: number, serviceCount: number, variant = 0): KubeObject {
  const backends = 1 + (r % 3);
  const refs = Array.from({ length: backends }, (_, i) => ({
    name: `svc-${(r + i) % serviceCount}`,
    port: 8080,
    weight: 1 + i,
  }));
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { namespace: "bench", name: `route-${r}`, generation: 1 + variant, creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: {
      parentRefs: [{ name: `gw-${r % GATEWAY_COUNT}` }],
      hostnames: [`r${r}.example.com`],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: `/api/v${variant}` }, headers: [{ name: "x-tenant", value: `t${r}` }] }],
          backendRefs: refs,
        },
        {
          matches: [{ path: { type: "Exact", value: "/healthz" } }],
          backendRefs: [refs[0]],
        },
      ],
    },
  } as KubeObject;
}
