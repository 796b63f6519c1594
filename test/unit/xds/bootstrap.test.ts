/** The Envoy bootstrap: exact against the Bootstrap proto, names server and node, optional mTLS. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bootstrapMessage, bootstrapProblems, buildBootstrap, toProtoJson } from "../../../src/xds/bootstrap";
import { renderBootstrap } from "../../../src/cli/bootstrap";
import { gatewayKeyOfNode } from "../../../src/xds/cache";

describe("bootstrap", () => {
  it("is an exact envoy.config.bootstrap.v3.Bootstrap with delta ADS, node and admin", () => {
    const msg = bootstrapMessage({ gateway: "default/eg" });
    expect(bootstrapProblems(msg)).toEqual([]);
    const doc = buildBootstrap({ gateway: "default/eg", xdsAddress: "peg-xds.peg-system.svc:18000" }) as Record<string, any>;
    expect(doc.node).toEqual({ id: "default/eg/envoy", cluster: "default/eg" });
    expect(gatewayKeyOfNode(doc.node)).toBe("default/eg");
    expect(doc.admin).toEqual({ address: { socket_address: { address: "127.0.0.1", port_value: 19000 } } });
    expect(doc.dynamic_resources.ads_config).toMatchObject({ api_type: "DELTA_GRPC", transport_api_version: "V3", grpc_services: [{ envoy_grpc: { cluster_name: "xds_cluster" } }] });
    expect(doc.dynamic_resources.lds_config).toEqual({ ads: {}, resource_api_version: "V3" });
    const cluster = doc.static_resources.clusters[0];
    expect(cluster).toMatchObject({ name: "xds_cluster", type: "STRICT_DNS", connect_timeout: "5s" });
    expect(cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: "peg-xds.peg-system.svc", port_value: 18000 });
    const http = cluster.typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"];
    expect(http.explicit_http_config.http2_protocol_options.connection_keepalive).toEqual({ interval: "30s", timeout: "5s" });
    expect(cluster.transport_socket).toBeUndefined();
    // Envoy's default RE2 program size error level (100) would refuse route tables with patterns
    // the admission policy accepts; the runtime layer lifts it, keys written as Envoy reads them.
    expect(doc.layered_runtime.layers).toEqual([
      { name: "global_config", static_layer: { "re2.max_program_size.error_level": 4294967295, "re2.max_program_size.warn_level": 1000 } },
    ]);
  });

  it("adds mTLS to the xDS server with certificate files", () => {
    const msg = bootstrapMessage({ gateway: "ns/gw", xdsAddress: "10.0.0.5:18000", tls: { certFile: "/certs/tls.crt", keyFile: "/certs/tls.key", caFile: "/certs/ca.crt" } });
    expect(bootstrapProblems(msg)).toEqual([]);
    const doc = toProtoJson(msg) as Record<string, any>;
    const cluster = doc.static_resources.clusters[0];
    expect(cluster.type).toBe("STATIC");
    expect(cluster.transport_socket.typed_config).toEqual({
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
      common_tls_context: {
        tls_certificates: [{ certificate_chain: { filename: "/certs/tls.crt" }, private_key: { filename: "/certs/tls.key" } }],
        validation_context: { trusted_ca: { filename: "/certs/ca.crt" } },
      },
    });
  });

  it("rejects bad Gateway keys and addresses", () => {
    expect(() => bootstrapMessage({ gateway: "eg" })).toThrow(/namespace\/name/);
    expect(() => bootstrapMessage({ gateway: "a/b", xdsAddress: "nohost" })).toThrow(/host:port/);
    expect(() => bootstrapMessage({ gateway: "a/b", adminAddress: "127.0.0.1:70000" })).toThrow(/admin address/);
  });

  it("peg bootstrap prints YAML naming the server and the node", () => {
    const out = renderBootstrap({ gateway: "default/eg", xdsAddress: "127.0.0.1:18000", adminAddress: "127.0.0.1:19001", output: "yaml" });
    const doc = parse(out.text as string);
    expect(doc.node.cluster).toBe("default/eg");
    expect(doc.admin.address.socket_address.port_value).toBe(19001);
    expect(doc.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value).toBe(18000);
    expect(renderBootstrap({ gateway: "default/eg", xdsAddress: "x:1", adminAddress: "127.0.0.1:1", tlsCert: "a", output: "yaml" }).error).toContain("go together");
  });
});
