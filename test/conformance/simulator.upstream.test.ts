/**
 * The simulator's connection handling, upstream side and HTTP filters on hand-written Envoy
 * configuration, with expectations from Envoy's documentation: filter chain matching on
 * server_names (exact before wildcard, chains without names as the fallback, no match closes the
 * connection), the route timeout (15 s default, 0 disables) and per_try_timeout, retry_on and
 * num_retries (default 1), upstream TLS certificate verification, EDS endpoints and health,
 * WebSocket upgrades, and the CORS filter.
 */
import { describe, expect, it } from "vitest";
import { only, simulate } from "./simulator";
import { EchoModel, cluster, config, get, hcm, listener, vhost } from "./simulator/fixtures";

const TLS_CHAIN = (names: string[], cert: string) => ({
  filterChainMatch: names.length ? { serverNames: names } : {},
  transportSocket: {
    name: "envoy.transport_sockets.tls",
    typedConfig: {
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
      commonTlsContext: { tlsCertificates: [{ certificateChain: { inlineString: cert }, privateKey: { inlineString: "k" } }] },
    },
  },
  filters: [hcm({ routeConfig: { name: `rc-${cert}`, virtualHosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, directResponse: { status: 200, body: { inlineString: cert } } }])] }, rds: undefined })],
});

describe("filter chain selection", () => {
  const tlsListener = {
    name: "tls",
    address: { socketAddress: { address: "0.0.0.0", portValue: 443 } },
    filterChains: [TLS_CHAIN(["example.org"], "exact"), TLS_CHAIN(["*.wildcard.org"], "wildcard"), TLS_CHAIN(["*.org"], "short-wildcard"), TLS_CHAIN([], "default")],
  };
  const cfg = config({ listeners: [tlsListener, listener(80)], vhosts: [] });
  const https = (sni: string | undefined) => get("/", "h", [], { port: 443, scheme: "https", sni });

  it.each([
    ["example.org", "exact"],
    ["a.wildcard.org", "wildcard"],
    ["a.b.wildcard.org", "wildcard"],
    ["other.org", "short-wildcard"],
    ["example.com", "default"],
    [undefined, "default"],
  ])("SNI %s → chain %s", (sni, chain) => {
    expect(only(simulate(cfg, https(sni), new EchoModel())).body).toBe(chain);
  });

  it("two chains with the same match are a listener Envoy rejects", () => {
    const twice = config({ listeners: [{ ...tlsListener, filterChains: [TLS_CHAIN(["a.org", "b.org"], "one"), TLS_CHAIN(["b.org", "a.org"], "two")] }], vhosts: [] });
    expect(() => simulate(twice, https("a.org"), new EchoModel())).toThrow(/Envoy would reject the listener/);
  });

  it("the client aborts when the chain does not serve the certificate it trusts", () => {
    expect(only(simulate(cfg, { ...https("example.org"), clientTrustsPem: "wildcard" }, new EchoModel())).reason).toMatch(/not the one the client trusts/);
    expect(only(simulate(cfg, { ...https("example.org"), clientTrustsPem: "exact" }, new EchoModel())).body).toBe("exact");
  });

  it("no listener on the port resets the connection", () => {
    expect(only(simulate(cfg, get("/", "h", [], { port: 81 }), new EchoModel())).status).toBe(0);
  });

  it("cleartext HTTP to a TLS-only chain resets the connection", () => {
    expect(only(simulate(cfg, get("/", "h", [], { port: 443 }), new EchoModel())).reason).toMatch(/cleartext/);
  });

  it("no matching chain and no default chain resets the connection", () => {
    const strict = config({ listeners: [{ ...tlsListener, filterChains: [TLS_CHAIN(["example.org"], "exact")] }], vhosts: [] });
    expect(only(simulate(strict, https("nope.com"), new EchoModel())).status).toBe(0);
  });
});

describe("timeouts and retries", () => {
  function run(route: Record<string, unknown>, replies: Array<{ status: number; latencyMs: number }>) {
    const cfg = config({ clusterNames: ["c"], vhosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, route: { cluster: "c", ...route } }])] });
    const model = new EchoModel();
    model.scripted.set("c.test", replies.map(r => ({ kind: "response" as const, headers: [], ...r })));
    const response = only(simulate(cfg, get("/"), model));
    return { status: response.status, attempts: model.calls.length };
  }

  it.each([
    ["default 15 s route timeout lets a 1 s answer through", {}, 1000, 200],
    ["default 15 s route timeout cuts a 16 s answer", {}, 16000, 504],
    ["a 500 ms route timeout cuts a 1 s answer", { timeout: { nanos: 500000000 } }, 1000, 504],
    ["a 0 s route timeout disables it", { timeout: {} }, 60000, 200],
  ])("%s", (_label, route, latencyMs, status) => {
    expect(run(route, [{ status: 200, latencyMs }]).status).toBe(status);
  });

  it("per_try_timeout cuts an attempt", () => {
    expect(run({ retryPolicy: { perTryTimeout: { nanos: 500000000 }, numRetries: { value: 0 } } }, [{ status: 200, latencyMs: 1000 }])).toEqual({ status: 504, attempts: 1 });
  });

  it("num_retries defaults to 1", () => {
    expect(run({ retryPolicy: { retryOn: "5xx" } }, [{ status: 500, latencyMs: 1 }])).toEqual({ status: 500, attempts: 2 });
  });

  it("retries retriable status codes until success", () => {
    const policy = { retryPolicy: { retryOn: "retriable-status-codes", retriableStatusCodes: [500], numRetries: { value: 3 } } };
    expect(run(policy, [{ status: 500, latencyMs: 1 }, { status: 500, latencyMs: 1 }, { status: 200, latencyMs: 1 }])).toEqual({ status: 200, attempts: 3 });
  });

  it("does not retry codes outside the policy", () => {
    const policy = { retryPolicy: { retryOn: "retriable-status-codes", retriableStatusCodes: [500], numRetries: { value: 3 } } };
    expect(run(policy, [{ status: 503, latencyMs: 1 }, { status: 200, latencyMs: 1 }])).toEqual({ status: 503, attempts: 1 });
  });

  it("gateway-error retries 502, 503 and 504 but not 500", () => {
    const policy = { retryPolicy: { retryOn: "gateway-error", numRetries: { value: 2 } } };
    expect(run(policy, [{ status: 502, latencyMs: 1 }, { status: 200, latencyMs: 1 }]).status).toBe(200);
    expect(run(policy, [{ status: 500, latencyMs: 1 }, { status: 200, latencyMs: 1 }]).status).toBe(500);
  });
});

describe("endpoints and upstream TLS", () => {
  const tlsCluster = (validation: Record<string, unknown> | undefined, sni = "abc.example.com") =>
    cluster("tls", {
      transportSocket: {
        name: "envoy.transport_sockets.tls",
        typedConfig: {
          "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
          sni,
          commonTlsContext: validation ? { validationContext: validation } : {},
        },
      },
    });
  const certificate = { dnsNames: ["abc.example.com"], uris: ["spiffe://abc.example.com/id"], issuerPem: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----" };

  function call(clusterMessage: ReturnType<typeof cluster>, withCert = true) {
    const cfg = config({ clusters: [clusterMessage], vhosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, route: { cluster: "tls" } }])] });
    const model = new EchoModel();
    if (withCert) model.certificates.set("tls.test", certificate);
    return only(simulate(cfg, get("/"), model));
  }

  it("passes the SNI and accepts a certificate issued by the trusted CA", () => {
    const response = call(tlsCluster({ trustedCa: { inlineString: certificate.issuerPem } }));
    expect([response.status, response.upstream?.tls?.sni]).toEqual([200, "abc.example.com"]);
  });

  it("fails the handshake (503) when the issuer is not trusted", () => {
    expect(call(tlsCluster({ trustedCa: { inlineString: "-----BEGIN CERTIFICATE-----\nOTHER\n-----END CERTIFICATE-----" } })).status).toBe(503);
  });

  it("fails when the system bundle is the trust anchor for a private CA", () => {
    expect(call(tlsCluster({ trustedCa: { filename: "/etc/ssl/certs/ca-certificates.crt" } })).status).toBe(503);
  });

  it.each([
    [[{ sanType: "DNS", matcher: { exact: "abc.example.com" } }], 200],
    [[{ sanType: "DNS", matcher: { exact: "dce.example.com" } }], 503],
    [[{ sanType: "URI", matcher: { exact: "spiffe://abc.example.com/id" } }], 200],
    [[{ sanType: "URI", matcher: { exact: "abc.example.com" } }], 503],
  ])("match_typed_subject_alt_names %j → %i", (sans, status) => {
    expect(call(tlsCluster({ trustedCa: { inlineString: certificate.issuerPem }, matchTypedSubjectAltNames: sans })).status).toBe(status);
  });

  it("without a validation context any certificate is accepted", () => {
    expect(call(tlsCluster(undefined)).status).toBe(200);
  });

  it("a plaintext endpoint fails a TLS cluster", () => {
    expect(call(tlsCluster(undefined), false).status).toBe(503);
  });

  it("EDS clusters use their ClusterLoadAssignment and skip unhealthy endpoints", () => {
    const eds = { name: "eds", type: "EDS", connectTimeout: { seconds: 1 }, edsClusterConfig: { serviceName: "eds-cla", edsConfig: { ads: {} } } };
    const ep = (address: string, healthStatus?: string) => ({ endpoint: { address: { socketAddress: { address, portValue: 3000 } } }, ...(healthStatus ? { healthStatus } : {}) });
    const cla = { clusterName: "eds-cla", endpoints: [{ lbEndpoints: [ep("10.0.0.1", "UNHEALTHY"), ep("10.0.0.2")] }] };
    const cfg = config({ clusters: [eds], endpoints: [cla], vhosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, route: { cluster: "eds" } }])] });
    expect(only(simulate(cfg, get("/"), new EchoModel())).upstream?.endpoint).toEqual({ address: "10.0.0.2", port: 3000 });
  });

  it("a cluster with no endpoint answers 503", () => {
    const empty = { name: "tls", type: "STATIC", connectTimeout: { seconds: 1 } };
    expect(call(empty).status).toBe(503);
  });
});

describe("WebSocket upgrades", () => {
  const ws = get("/ws", "h", [], { upgrade: "websocket" });
  const base = (hcmExtra: Record<string, unknown>, routeExtra: Record<string, unknown> = {}) =>
    config({ listeners: [listener(80, hcmExtra)], clusterNames: ["c"], vhosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, route: { cluster: "c", ...routeExtra } }])] });

  it("is refused with 403 unless the connection manager or the route enables it", () => {
    expect(only(simulate(base({}), ws, new EchoModel())).status).toBe(403);
    expect(only(simulate(base({ upgradeConfigs: [{ upgradeType: "websocket" }] }), ws, new EchoModel())).status).toBe(200);
    expect(only(simulate(base({}, { upgradeConfigs: [{ upgradeType: "websocket" }] }), ws, new EchoModel())).status).toBe(200);
  });

  it("a route can disable what the connection manager enables", () => {
    const cfg = base({ upgradeConfigs: [{ upgradeType: "websocket" }] }, { upgradeConfigs: [{ upgradeType: "websocket", enabled: { value: false } }] });
    expect(only(simulate(cfg, ws, new EchoModel())).status).toBe(403);
  });
});

describe("CORS", () => {
  const policy = {
    "@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy",
    allowOriginStringMatch: [{ exact: "https://www.foo.com" }, { safeRegex: { regex: "https://.*\\.bar\\.com" } }],
    allowMethods: "GET, OPTIONS",
    allowHeaders: "x-header-1",
    exposeHeaders: "x-header-3",
    maxAge: "3600",
    allowCredentials: { value: true },
  };
  const cfg = (withFilter: boolean) =>
    config({
      listeners: [listener(80, {}, withFilter)],
      clusterNames: ["c"],
      vhosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, route: { cluster: "c" }, typedPerFilterConfig: { "envoy.filters.http.cors": policy } }])],
    });
  const preflight = (origin: string) => get("/", "h", [["Origin", origin], ["Access-Control-Request-Method", "GET"]], { method: "OPTIONS" });

  it("answers an allowed preflight itself", () => {
    const response = only(simulate(cfg(true), preflight("https://x.bar.com"), new EchoModel()));
    expect([response.status, response.source]).toEqual([200, "envoy"]);
    expect(Object.fromEntries(response.headers)).toEqual({
      "access-control-allow-origin": "https://x.bar.com",
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "GET, OPTIONS",
      "access-control-allow-headers": "x-header-1",
      "access-control-max-age": "3600",
      "access-control-expose-headers": "x-header-3",
    });
  });

  it("forwards a preflight from an origin it does not allow, without CORS headers", () => {
    const response = only(simulate(cfg(true), preflight("https://evil.com"), new EchoModel()));
    expect([response.source, response.headers.some(([n]) => n.startsWith("access-control"))]).toEqual(["upstream", false]);
  });

  it("answers a preflight from an origin it does not allow itself, without allow-origin, when forward_not_matching_preflights is false", () => {
    const strict = config({
      listeners: [listener(80, {}, true)],
      clusterNames: ["c"],
      vhosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, route: { cluster: "c" }, typedPerFilterConfig: { "envoy.filters.http.cors": { ...policy, forwardNotMatchingPreflights: { value: false } } } }])],
    });
    const response = only(simulate(strict, preflight("https://evil.com"), new EchoModel()));
    expect([response.status, response.source]).toEqual([200, "envoy"]);
    expect(response.headers.map(([n]) => n)).not.toContain("access-control-allow-origin");
  });

  it("answers allow-methods and allow-headers \"*\" with what the preflight asked for", () => {
    const wildcard = { ...policy, allowMethods: "*", allowHeaders: "*" };
    const c = config({
      listeners: [listener(80, {}, true)],
      clusterNames: ["c"],
      vhosts: [vhost("v", ["*"], [{ match: { prefix: "/" }, route: { cluster: "c" }, typedPerFilterConfig: { "envoy.filters.http.cors": wildcard } }])],
    });
    const request = get("/", "h", [["Origin", "https://www.foo.com"], ["Access-Control-Request-Method", "PUT"], ["Access-Control-Request-Headers", "x-a, x-b"]], { method: "OPTIONS" });
    const headers = Object.fromEntries(only(simulate(c, request, new EchoModel())).headers);
    expect([headers["access-control-allow-methods"], headers["access-control-allow-headers"]]).toEqual(["PUT", "x-a, x-b"]);
  });

  it("takes each setting from the most specific policy that has it", () => {
    const c = config({
      listeners: [listener(80, {}, true)],
      clusterNames: ["c"],
      vhosts: [
        vhost("v", ["*"], [{ match: { prefix: "/" }, route: { cluster: "c" }, typedPerFilterConfig: { "envoy.filters.http.cors": { "@type": policy["@type"], allowMethods: "PATCH" } } }], {
          typedPerFilterConfig: { "envoy.filters.http.cors": policy },
        }),
      ],
    });
    const headers = Object.fromEntries(only(simulate(c, preflight("https://www.foo.com"), new EchoModel())).headers);
    expect([headers["access-control-allow-methods"], headers["access-control-allow-origin"]]).toEqual(["PATCH", "https://www.foo.com"]);
  });

  it("adds allow-origin to an allowed simple request's response", () => {
    const response = only(simulate(cfg(true), get("/", "h", [["Origin", "https://www.foo.com"]]), new EchoModel()));
    expect(response.headers).toContainEqual(["access-control-allow-origin", "https://www.foo.com"]);
  });

  it("does nothing when the connection manager lacks the CORS filter", () => {
    expect(only(simulate(cfg(false), preflight("https://www.foo.com"), new EchoModel())).source).toBe("upstream");
  });
});
