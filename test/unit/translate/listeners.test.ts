import { describe, expect, it } from "vitest";
import { OTHER_KEY, TEST_CERT, TEST_KEY } from "./fixtures";
import { gateway, gatewayClass, gatewayIR, gatewayStatus, http, https, listenerStatus, referenceGrant, run, sr, tlsSecret } from "./helpers";

const gw = (listeners: unknown[], spec: Record<string, unknown> = {}) => [gatewayClass(), gateway("eg", listeners, { spec })];

describe("protocols (conformance: GatewayListenerUnsupportedProtocol)", () => {
  it("an unsupported protocol is Accepted=False UnsupportedProtocol with no supported kinds", () => {
    const result = run(gw([http("http"), { name: "invalid", port: 1111, protocol: "INVALID" }]));
    const invalid = listenerStatus(result, "invalid");
    expect(sr(invalid.conditions, "Accepted")).toBe("False/UnsupportedProtocol");
    expect(invalid.supportedKinds).toEqual([]);
    expect(sr(listenerStatus(result, "http").conditions, "Accepted")).toBe("True/Accepted");
    // At least one listener is valid: the Gateway is accepted, saying that some are not.
    expect(sr(gatewayStatus(result).conditions, "Accepted")).toBe("True/ListenersNotValid");
  });

  it("a Gateway whose only listener is unsupported is not accepted", () => {
    const result = run(gw([{ name: "invalid", port: 1111, protocol: "INVALID" }]));
    expect(sr(gatewayStatus(result).conditions, "Accepted")).toBe("False/ListenersNotValid");
    expect(sr(gatewayStatus(result).conditions, "Programmed")).toBe("False/Invalid");
    expect(result.ir.gateways).toEqual([]);
  });

  it("a port outside 1..65535 is PortUnavailable", () => {
    const result = run(gw([http("http", 70000)]));
    expect(sr(listenerStatus(result, "http").conditions, "Accepted")).toBe("False/PortUnavailable");
  });
});

describe("conflicts", () => {
  it("listeners sharing port and hostname are all Conflicted: HostnameConflict, and not programmed", () => {
    const result = run(gw([http("a", 80, { hostname: "foo.com" }), http("b", 80, { hostname: "foo.com" }), http("c", 80, { hostname: "bar.com" })]));
    for (const name of ["a", "b"]) {
      const l = listenerStatus(result, name);
      expect(sr(l.conditions, "Conflicted")).toBe("True/HostnameConflict");
      expect(sr(l.conditions, "Accepted")).toBe("False/HostnameConflict");
      expect(sr(l.conditions, "Programmed")).toBe("False/Invalid");
    }
    expect(sr(listenerStatus(result, "c").conditions, "Conflicted")).toBe("False/NoConflicts");
    // Only c is in the IR.
    expect(gatewayIR(result).routeConfigs[0].virtualHosts.map(v => v.name)).toEqual(["bar.com"]);
  });

  it("two listeners without hostname on one port conflict", () => {
    const result = run(gw([http("a"), http("b")]));
    expect(sr(listenerStatus(result, "a").conditions, "Conflicted")).toBe("True/HostnameConflict");
    expect(sr(gatewayStatus(result).conditions, "Accepted")).toBe("False/ListenersNotValid");
  });

  it("HTTP and HTTPS on one port are all Conflicted: ProtocolConflict", () => {
    const result = run([...gw([http("plain", 8443), https("tls", "cert", { port: 8443, hostname: "a.com" })]), tlsSecret("cert")]);
    expect(sr(listenerStatus(result, "plain").conditions, "Conflicted")).toBe("True/ProtocolConflict");
    expect(sr(listenerStatus(result, "tls").conditions, "Conflicted")).toBe("True/ProtocolConflict");
  });

  it("unsupported listeners take no part in conflicts; distinct hostnames and ports do not conflict", () => {
    const result = run(gw([http("a"), { name: "tcp", port: 80, protocol: "TCP" }, http("b", 80, { hostname: "x.com" }), http("c", 8080)]));
    for (const name of ["a", "b", "c"]) expect(sr(listenerStatus(result, name).conditions, "Conflicted")).toBe("False/NoConflicts");
    expect(sr(listenerStatus(result, "tcp").conditions, "Accepted")).toBe("False/UnsupportedProtocol");
  });
});

describe("route kinds (conformance: GatewayInvalidRouteKind)", () => {
  it("only invalid kinds: ResolvedRefs=False InvalidRouteKinds and no supported kinds", () => {
    const result = run(gw([http("http", 80, { allowedRoutes: { namespaces: { from: "All" }, kinds: [{ kind: "InvalidRoute" }] } })]));
    const l = listenerStatus(result, "http");
    expect(sr(l.conditions, "ResolvedRefs")).toBe("False/InvalidRouteKinds");
    expect(l.supportedKinds).toEqual([]);
  });

  it("invalid and HTTPRoute: ResolvedRefs=False, HTTPRoute listed, and the listener still programmed", () => {
    const result = run(gw([http("http", 80, { allowedRoutes: { kinds: [{ kind: "InvalidRoute" }, { kind: "HTTPRoute" }] } })]));
    const l = listenerStatus(result, "http");
    expect(sr(l.conditions, "ResolvedRefs")).toBe("False/InvalidRouteKinds");
    expect(l.supportedKinds).toEqual([{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }]);
    expect(sr(l.conditions, "Programmed")).toBe("True/Programmed");
  });
});

describe("HTTPS certificates (conformance: GatewayInvalidTLSConfiguration, GatewaySecret*ReferenceGrant)", () => {
  const resolved = (objects: unknown[], listener = "https") => sr(listenerStatus(run(objects), listener).conditions, "ResolvedRefs");

  it("a kubernetes.io/tls Secret with a matching pair resolves and is served on the chain", () => {
    const result = run([...gw([https("https", "cert", { hostname: "a.example.test" })]), tlsSecret("cert")]);
    expect(sr(listenerStatus(result, "https").conditions, "ResolvedRefs")).toBe("True/ResolvedRefs");
    const ir = gatewayIR(result);
    expect(ir.listeners[0].filterChains[0]).toMatchObject({ serverNames: ["a.example.test"], certificateSecrets: ["certificate/default/cert"] });
    expect(ir.secrets).toEqual([
      { name: "certificate/default/cert", kind: "certificate", certificateChain: TEST_CERT, privateKey: TEST_KEY },
    ]);
  });

  it.each([
    ["a missing Secret", [], [{ name: "nonexistent" }]],
    ["an unsupported group", [tlsSecret("cert")], [{ group: "wrong.group.company.io", kind: "Secret", name: "cert" }]],
    ["an unsupported kind", [tlsSecret("cert")], [{ group: "", kind: "WrongKind", name: "cert" }]],
    ["malformed PEM", [tlsSecret("cert", "default", "Hello world\n", "Hello world\n")], [{ name: "cert" }]],
    ["a key of another certificate", [tlsSecret("cert", "default", TEST_CERT, OTHER_KEY)], [{ name: "cert" }]],
    ["an Opaque Secret", [tlsSecret("cert", "default", TEST_CERT, TEST_KEY, "Opaque")], [{ name: "cert" }]],
    ["no certificateRefs", [], []],
  ])("%s is InvalidCertificateRef, and the listener is not programmed", (_what, extra, refs) => {
    const result = run([...gw([https("https", refs)]), ...extra]);
    const l = listenerStatus(result, "https");
    expect(sr(l.conditions, "ResolvedRefs")).toBe("False/InvalidCertificateRef");
    expect(sr(l.conditions, "Programmed")).toBe("False/Invalid");
    expect(l.supportedKinds).toHaveLength(1);
  });

  const crossRef = [{ group: "", kind: "Secret", name: "certificate", namespace: "web" }];
  const from = { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "default" };

  it("a Secret in another namespace without a ReferenceGrant is RefNotPermitted", () => {
    expect(resolved([...gw([https("https", crossRef)]), tlsSecret("certificate", "web")])).toBe("False/RefNotPermitted");
  });

  it.each([
    ["wrong from kind", { ...from, kind: "HTTPRoute" }, { group: "", kind: "Secret", name: "certificate" }],
    ["wrong from namespace", { ...from, namespace: "other" }, { group: "", kind: "Secret" }],
    ["wrong to name", from, { group: "", kind: "Secret", name: "not-it" }],
    ["wrong to kind", from, { group: "", kind: "Service", name: "certificate" }],
  ])("a ReferenceGrant with %s does not permit it", (_what, f, to) => {
    expect(resolved([...gw([https("https", crossRef)]), tlsSecret("certificate", "web"), referenceGrant("web", f, to)])).toBe(
      "False/RefNotPermitted",
    );
  });

  it.each([
    ["the Secret by name", { group: "", kind: "Secret", name: "certificate" }],
    ["all Secrets of the namespace", { group: "", kind: "Secret" }],
  ])("a ReferenceGrant for %s permits it", (_what, to) => {
    expect(resolved([...gw([https("https", crossRef)]), tlsSecret("certificate", "web"), referenceGrant("web", from, to)])).toBe(
      "True/ResolvedRefs",
    );
  });

  it("TLS passthrough and client certificate validation are not supported (UnsupportedValue)", () => {
    const passthrough = run([...gw([{ ...https("https", "cert"), tls: { mode: "Passthrough" } }]), tlsSecret("cert")]);
    expect(sr(listenerStatus(passthrough, "https").conditions, "Accepted")).toBe("False/UnsupportedValue");
    const frontend = { tls: { frontend: { default: { validation: { caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "ca" }] } } } } };
    const mtls = run([...gw([https("https", "cert")], frontend), tlsSecret("cert")]);
    expect(sr(listenerStatus(mtls, "https").conditions, "Accepted")).toBe("False/UnsupportedValue");
  });
});
