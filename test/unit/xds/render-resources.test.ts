/**
 * Listener, cluster, endpoint and secret rendering, checked against Envoy's v3 API reference
 * (listener.proto, http_connection_manager.proto, cluster.proto, tls.proto, endpoint.proto).
 */
import { describe, expect, it } from "vitest";
import { renderCluster, renderEndpoints, renderGateway, renderListener, renderSecret } from "../../../src/xds/render";
import type { ClusterIR } from "../../../src/ir/types";
import { CERT_PEM, KEY_PEM, clusters, gateway } from "./render-fixtures";

type Obj = Record<string, any>;
const cluster = (name: string) => renderCluster(clusters.find(c => c.name === name)!) as Obj;

describe("listeners", () => {
  const [https, http] = renderGateway(gateway).listeners as Obj[];

  it("bind 0.0.0.0 on the Gateway's own port", () => {
    expect(http.address).toEqual({ socketAddress: { address: "0.0.0.0", portValue: 80 } });
    expect(https.address).toEqual({ socketAddress: { address: "0.0.0.0", portValue: 443 } });
  });

  it("HTTP: one chain, an HttpConnectionManager with RDS over ADS and the router last", () => {
    expect(http.listenerFilters).toBeUndefined();
    expect(http.filterChains).toHaveLength(1);
    const hcm = http.filterChains[0].filters[0];
    expect(hcm.name).toBe("envoy.filters.network.http_connection_manager");
    expect(hcm.typedConfig.rds).toEqual({ routeConfigName: "default/eg/80", configSource: { ads: {}, resourceApiVersion: "V3" } });
    const filters = hcm.typedConfig.httpFilters.map((f: Obj) => f.name);
    // The fixture's port-80 routes carry CORS; the router must be the last HTTP filter.
    expect(filters).toEqual(["envoy.filters.http.cors", "envoy.filters.http.router"]);
    expect(hcm.typedConfig.useRemoteAddress).toEqual({ value: true });
    expect(hcm.typedConfig.normalizePath).toEqual({ value: true });
  });

  it("no CORS filter where no route needs it", () => {
    const filters = https.filterChains[0].filters[0].typedConfig.httpFilters.map((f: Obj) => f.name);
    expect(filters).toEqual(["envoy.filters.http.router"]);
  });

  it("HTTPS: tls_inspector, SNI filter chain match and certificates over SDS", () => {
    expect(https.listenerFilters).toEqual([
      { name: "envoy.filters.listener.tls_inspector", typedConfig: { "@type": "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector" } },
    ]);
    const chain = https.filterChains[0];
    expect(chain.filterChainMatch).toEqual({ serverNames: ["www.example.com", "*.example.org"] });
    expect(chain.transportSocket.name).toBe("envoy.transport_sockets.tls");
    expect(chain.transportSocket.typedConfig["@type"]).toBe("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext");
    expect(chain.transportSocket.typedConfig.commonTlsContext.tlsCertificateSdsSecretConfigs).toEqual([
      { name: "cert/default/tls", sdsConfig: { ads: {}, resourceApiVersion: "V3" } },
    ]);
  });

  it("a listener without chains still renders (an empty chain list)", () => {
    expect(renderListener({ name: "l", port: 8080, protocol: "HTTP", filterChains: [] }, new Set()).filterChains).toEqual([]);
  });
});

describe("clusters", () => {
  it("Service backends: EDS over ADS", () => {
    const c = cluster("service/default/web/8080");
    expect(c.type).toBe("EDS");
    expect(c.edsClusterConfig).toEqual({ edsConfig: { ads: {}, resourceApiVersion: "V3" } });
    expect(c.connectTimeout).toEqual({ seconds: 10 });
    expect(c.loadAssignment).toBeUndefined();
  });

  it("FQDN backends: STRICT_DNS, refreshed every 30 s, respecting the TTL, the name as endpoint", () => {
    const c = cluster("backend/default/httpbin/443");
    expect(c.type).toBe("STRICT_DNS");
    expect(c.dnsRefreshRate).toEqual({ seconds: 30 });
    expect(c.respectDnsTtl).toBe(true);
    expect(c.loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address).toEqual({ socketAddress: { address: "www.httpbin.org", portValue: 443 } });
  });

  it("upstream TLS: SNI, system CA bundle file and a DNS SAN matcher for the SNI", () => {
    const tls = cluster("backend/default/httpbin/443").transportSocket;
    expect(tls.name).toBe("envoy.transport_sockets.tls");
    expect(tls.typedConfig).toEqual({
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
      sni: "www.httpbin.org",
      commonTlsContext: {
        alpnProtocols: ["http/1.1"],
        validationContext: {
          trustedCa: { filename: "/etc/ssl/certs/ca-certificates.crt" },
          matchTypedSubjectAltNames: [{ sanType: "DNS", matcher: { exact: "www.httpbin.org" } }],
        },
      },
    });
  });

  it("CA bundle from a secret: combined validation context over SDS, explicit URI SANs, h2 ALPN", () => {
    const c = cluster("backend/default/ips/8443");
    expect(c.type).toBe("STATIC");
    const common = c.transportSocket.typedConfig.commonTlsContext;
    expect(common.alpnProtocols).toEqual(["h2"]);
    expect(common.combinedValidationContext).toEqual({
      defaultValidationContext: { matchTypedSubjectAltNames: [{ sanType: "URI", matcher: { exact: "spiffe://example.net/api" } }] },
      validationContextSdsSecretConfig: { name: "ca/default/api-ca", sdsConfig: { ads: {}, resourceApiVersion: "V3" } },
    });
  });

  it("insecure TLS: no validation context at all", () => {
    const ir: ClusterIR = { name: "x", endpoints: { kind: "dns", hostname: "a.example", port: 443 }, protocol: "http1", connectTimeoutMs: 1000, tls: { sni: "a.example", ca: { kind: "insecure" }, subjectAltNames: [] } };
    const common = (renderCluster(ir) as Obj).transportSocket.typedConfig.commonTlsContext;
    expect(common.validationContext).toBeUndefined();
    expect(common.combinedValidationContext).toBeUndefined();
  });

  it("h2c: HTTP/2 through the upstream HttpProtocolOptions extension", () => {
    expect(cluster("service/default/grpc/9000").typedExtensionProtocolOptions).toEqual({
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        explicitHttpConfig: { http2ProtocolOptions: {} },
      },
    });
    expect(cluster("service/default/web/8080").typedExtensionProtocolOptions).toBeUndefined();
  });

  it("unix sockets: a pipe address", () => {
    expect(cluster("backend/default/sock/0").loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address).toEqual({ pipe: { path: "/var/run/app.sock" } });
  });
});

describe("endpoints and secrets", () => {
  it("one assignment per EDS cluster, grouped by zone, sorted; none for other kinds", () => {
    const cla = renderEndpoints(clusters.find(c => c.name === "service/default/web/8080")!) as Obj;
    expect(cla.clusterName).toBe("service/default/web/8080");
    expect(cla.endpoints.map((g: Obj) => g.locality?.zone ?? "")).toEqual(["", "a", "b"]);
    expect(cla.endpoints[0].lbEndpoints).toEqual([{ endpoint: { address: { socketAddress: { address: "10.0.0.1", portValue: 8080 } } } }]);
    expect(renderEndpoints(clusters.find(c => c.name === "backend/default/httpbin/443")!)).toBeUndefined();
  });

  it("an EDS cluster without endpoints still gets an (empty) assignment", () => {
    expect(renderEndpoints(clusters.find(c => c.name === "service/default/grpc/9000")!)).toEqual({ clusterName: "service/default/grpc/9000", endpoints: [] });
  });

  it("certificates and CA bundles inline", () => {
    expect(renderSecret({ name: "c", kind: "certificate", certificateChain: CERT_PEM, privateKey: KEY_PEM })).toEqual({
      name: "c",
      tlsCertificate: { certificateChain: { inlineString: CERT_PEM }, privateKey: { inlineString: KEY_PEM } },
    });
    expect(renderSecret({ name: "ca", kind: "ca", trustedCA: CERT_PEM })).toEqual({ name: "ca", validationContext: { trustedCa: { inlineString: CERT_PEM } } });
  });

  it("renderGateway sorts every list by name", () => {
    const r = renderGateway(gateway);
    for (const list of [r.listeners, r.routes, r.clusters, r.secrets]) {
      const names = list.map(m => String(m.name));
      expect(names).toEqual([...names].sort());
    }
    expect(r.endpoints.map(e => e.clusterName)).toEqual(["service/default/grpc/9000", "service/default/web/8080"]);
  });
});
