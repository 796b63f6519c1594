/**
 * Hand-written Envoy configuration for the simulator's own tests: one HTTP listener on port 80
 * whose connection manager uses the RDS configuration "rc", plus clusters whose single endpoint
 * address names them, and an upstream model that echoes what it receives.
 */
import type { EnvoyMessage } from "../../../src/xds/types";
import { type HandWritten, configFromMessages } from "./xds";
import type { Header, PresentedCertificate, SimRequest, SocketAddress, UpstreamCall, UpstreamModel, UpstreamReply } from "./types";

const ROUTER = { name: "envoy.filters.http.router", typedConfig: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } };
const CORS = { name: "envoy.filters.http.cors", typedConfig: { "@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors" } };

export function hcm(extra: Record<string, unknown> = {}, cors = false): EnvoyMessage {
  return {
    name: "envoy.filters.network.http_connection_manager",
    typedConfig: {
      "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
      statPrefix: "http",
      rds: { routeConfigName: "rc", configSource: { ads: {}, resourceApiVersion: "V3" } },
      httpFilters: cors ? [CORS, ROUTER] : [ROUTER],
      ...extra,
    },
  };
}

export function listener(port = 80, hcmExtra: Record<string, unknown> = {}, cors = false): EnvoyMessage {
  return {
    name: `listener-${port}`,
    address: { socketAddress: { address: "0.0.0.0", portValue: port } },
    filterChains: [{ filters: [hcm(hcmExtra, cors)] }],
  };
}

/** A STATIC cluster whose one endpoint is `<name>.test:8080`. */
export function cluster(name: string, extra: Record<string, unknown> = {}): EnvoyMessage {
  return {
    name,
    type: "STATIC",
    connectTimeout: { seconds: 1 },
    loadAssignment: {
      clusterName: name,
      endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: `${name}.test`, portValue: 8080 } } } }] }],
    },
    ...extra,
  };
}

export function routeConfig(virtualHosts: unknown[], extra: Record<string, unknown> = {}): EnvoyMessage {
  return { name: "rc", virtualHosts, ...extra };
}

export function vhost(name: string, domains: string[], routes: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, domains, routes, ...extra };
}

export function toCluster(clusterName: string, match: Record<string, unknown> = { prefix: "/" }, extra: Record<string, unknown> = {}) {
  return { match, route: { cluster: clusterName }, ...extra };
}

export function config(parts: HandWritten & { vhosts?: unknown[]; clusterNames?: string[] }) {
  return configFromMessages({
    listeners: parts.listeners ?? [listener()],
    routes: parts.routes ?? [routeConfig(parts.vhosts ?? [])],
    clusters: parts.clusters ?? (parts.clusterNames ?? []).map(n => cluster(n)),
    endpoints: parts.endpoints,
    secrets: parts.secrets,
  });
}

export function get(path: string, authority = "example.com", headers: Header[] = [], more: Partial<SimRequest> = {}): SimRequest {
  return { port: 80, scheme: "http", method: "GET", authority, path, headers, ...more };
}

/** An upstream that answers 200 and reports which endpoint got the call. */
export class EchoModel implements UpstreamModel {
  calls: UpstreamCall[] = [];
  certificates = new Map<string, PresentedCertificate>();
  /** Per endpoint address: replies to return in order (the last one repeats). */
  scripted = new Map<string, UpstreamReply[]>();

  certificate(endpoint: SocketAddress): PresentedCertificate | undefined {
    return this.certificates.get(endpoint.address);
  }

  handle(call: UpstreamCall): UpstreamReply {
    this.calls.push(call);
    const script = this.scripted.get(call.endpoint.address);
    if (script && script.length > 0) return script[Math.min(call.attempt - 1, script.length - 1)];
    return { kind: "response", status: 200, headers: [["x-served-by", call.endpoint.address]], latencyMs: 1 };
  }
}
