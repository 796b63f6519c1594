/**
 * ClusterIR → envoy.config.cluster.v3.Cluster.
 *
 * - eds: type EDS, endpoints over ADS (a ClusterLoadAssignment named like the cluster).
 * - dns: type STRICT_DNS (every address the name resolves to is an endpoint, as Envoy Gateway
 *   does for FQDN Backends), re-resolved every 30 s and sooner when the record's TTL says so
 *   (respect_dns_ttl), IPv4 preferred with IPv6 fallback.
 * - static: type STATIC with the Backend's IP endpoints; unix: type STATIC with a pipe address.
 * - h2c and h2 upstreams: HTTP/2 through the upstream HttpProtocolOptions extension (the
 *   per-cluster http2_protocol_options field is deprecated).
 * - Upstream TLS: an UpstreamTlsContext with the SNI; the server certificate is verified against
 *   the system trust store, read from the file Debian-based Envoy images ship
 *   (/etc/ssl/certs/ca-certificates.crt), or against a CA bundle served over SDS; the names it must
 *   present are DNS/URI SAN matchers (the SNI when none are given). Envoy's DNS exact matcher
 *   accepts wildcard certificate names as RFC 6125 describes. ALPN offers h2 for h2 upstreams and
 *   http/1.1 otherwise.
 */
import type { ClusterIR, UpstreamTLSIR } from "../../ir/types";
import type { EnvoyMessage } from "../types";
import { adsConfigSource, durationMs, sdsSecret, typed } from "./common";

export const SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt";
export const DNS_REFRESH_MS = 30_000;

const HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
const UPSTREAM_TLS = "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";

export function renderCluster(cluster: ClusterIR): EnvoyMessage {
  const out: EnvoyMessage = { name: cluster.name, connectTimeout: durationMs(cluster.connectTimeoutMs), ...discovery(cluster) };
  if (cluster.protocol !== "http1") {
    out.typedExtensionProtocolOptions = {
      [HTTP_PROTOCOL_OPTIONS]: typed(HTTP_PROTOCOL_OPTIONS, { explicitHttpConfig: { http2ProtocolOptions: {} } }),
    };
  }
  if (cluster.tls) {
    out.transportSocket = { name: "envoy.transport_sockets.tls", typedConfig: typed(UPSTREAM_TLS, upstreamTls(cluster.tls, cluster.protocol)) };
  }
  return out;
}

function discovery(cluster: ClusterIR): EnvoyMessage {
  const ep = cluster.endpoints;
  switch (ep.kind) {
    case "eds":
      return { type: "EDS", edsClusterConfig: { edsConfig: adsConfigSource() } };
    case "dns":
      return {
        type: "STRICT_DNS",
        dnsRefreshRate: durationMs(DNS_REFRESH_MS),
        respectDnsTtl: true,
        dnsLookupFamily: "V4_PREFERRED",
        loadAssignment: assignment(cluster.name, [socketAddress(ep.hostname, ep.port)]),
      };
    case "static":
      return { type: "STATIC", loadAssignment: assignment(cluster.name, ep.endpoints.map(e => socketAddress(e.address, e.port))) };
    default:
      return { type: "STATIC", loadAssignment: assignment(cluster.name, [{ pipe: { path: ep.path } }]) };
  }
}

function socketAddress(address: string, port: number): EnvoyMessage {
  return { socketAddress: { address, portValue: port } };
}

function assignment(clusterName: string, addresses: EnvoyMessage[]): EnvoyMessage {
  return { clusterName, endpoints: [{ lbEndpoints: addresses.map(address => ({ endpoint: { address } })) }] };
}

function upstreamTls(tls: UpstreamTLSIR, protocol: ClusterIR["protocol"]): EnvoyMessage {
  const sans = (tls.subjectAltNames.length > 0 ? tls.subjectAltNames : [{ type: "Hostname" as const, value: tls.sni }]).map(san => ({
    sanType: san.type === "URI" ? "URI" : "DNS",
    matcher: { exact: san.value },
  }));
  const common: EnvoyMessage = { alpnProtocols: [protocol === "h2" ? "h2" : "http/1.1"] };
  if (tls.ca.kind === "system") {
    common.validationContext = { trustedCa: { filename: SYSTEM_CA_FILE }, matchTypedSubjectAltNames: sans };
  } else if (tls.ca.kind === "secret") {
    common.combinedValidationContext = {
      defaultValidationContext: { matchTypedSubjectAltNames: sans },
      validationContextSdsSecretConfig: sdsSecret(tls.ca.secretName),
    };
  }
  return { sni: tls.sni, commonTlsContext: common };
}
