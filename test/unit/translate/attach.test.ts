import { describe, expect, it } from "vitest";
import { CONTROLLER, gateway, gatewayClass, gatewayIR, http, https, listenerStatus, namespace, parents, pathRoute, route, run, sr, tlsSecret } from "./helpers";

const ref = (extra: Record<string, unknown> = {}) => ({ name: "eg", namespace: "default", ...extra });
const base = (listeners: unknown[] = [http("http", 80, { allowedRoutes: { namespaces: { from: "All" } } })]) => [
  gatewayClass(),
  gateway("eg", listeners),
];

describe("parentRefs: sectionName and port", () => {
  const listeners = [
    http("listener-1", 80, { hostname: "foo.com" }),
    http("listener-2", 8080, { hostname: "foo.com" }),
    http("listener-3", 8080, { hostname: "bar.com" }),
  ];

  it("a port selects every listener on it (conformance: HTTPRouteListenerPortMatching)", () => {
    const result = run([...base(listeners), pathRoute("r", [ref({ port: 8080 })], "/")]);
    expect(sr(parents(result, "default/r")[0].conditions, "Accepted")).toBe("True/Accepted");
    expect(listeners.map(l => listenerStatus(result, l.name).attachedRoutes)).toEqual([0, 1, 1]);
  });

  it.each([
    ["no listener on the port (HTTPRouteInvalidParentRefNotMatchingListenerPort)", { port: 81 }],
    ["no listener of that name (HTTPRouteInvalidParentRefNotMatchingSectionName)", { port: 80, sectionName: "http1" }],
    ["a name whose port differs (HTTPRouteInvalidParentRefSectionNameNotMatchingPort)", { sectionName: "listener-1", port: 81 }],
  ])("%s is NoMatchingParent, ResolvedRefs still reported, nothing attached", (_what, extra) => {
    const result = run([...base(listeners), pathRoute("r", [ref(extra)], "/")]);
    const [parent] = parents(result, "default/r");
    expect(sr(parent.conditions, "Accepted")).toBe("False/NoMatchingParent");
    expect(sr(parent.conditions, "ResolvedRefs")).toBe("True/ResolvedRefs");
    expect(listeners.map(l => listenerStatus(result, l.name).attachedRoutes)).toEqual([0, 0, 0]);
  });

  it("a sectionName selects that listener only (conformance: GatewayWithAttachedRoutesWithPort8080)", () => {
    const two = [http("http-unattached", 8080, { allowedRoutes: { namespaces: { from: "All" } } }), http("http", 80, { allowedRoutes: { namespaces: { from: "All" } } })];
    const result = run([...base(two), pathRoute("r", [{ kind: "Gateway", ...ref({ sectionName: "http" }) }], "/")]);
    expect(listenerStatus(result, "http-unattached").attachedRoutes).toBe(0);
    expect(listenerStatus(result, "http").attachedRoutes).toBe(1);
  });
});

describe("NotAllowedByListeners", () => {
  it("a route in another namespace under from: Same (conformance: HTTPRouteInvalidCrossNamespaceParentRef)", () => {
    const result = run([...base([http("http", 80, { allowedRoutes: { namespaces: { from: "Same" } } })]), { ...pathRoute("r", [ref()], "/"), metadata: { name: "r", namespace: "web" } }]);
    expect(sr(parents(result, "web/r")[0].conditions, "Accepted")).toBe("False/NotAllowedByListeners");
    expect(listenerStatus(result, "http").attachedRoutes).toBe(0);
  });

  it("a listener that only allows TLSRoutes (conformance: HTTPRouteDisallowedKind)", () => {
    const tls = { name: "tls", port: 443, protocol: "TLS", tls: { mode: "Passthrough" }, allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "TLSRoute" }] } };
    const result = run([...base([tls]), pathRoute("r", [ref()], "/")]);
    expect(sr(parents(result, "default/r")[0].conditions, "Accepted")).toBe("False/NotAllowedByListeners");
    expect(listenerStatus(result, "tls").attachedRoutes).toBe(0);
  });

  it("a namespace selected by label (conformance: HTTPRouteCrossNamespace)", () => {
    const sel = http("http", 80, { allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { "gateway-conformance": "backend" } } } } });
    const objects = [...base([sel]), namespace("web", { "gateway-conformance": "backend" }), namespace("default", { "gateway-conformance": "infra" })];
    const inWeb = { ...pathRoute("r", [ref()], "/"), metadata: { name: "r", namespace: "web" } };
    const result = run([...objects, inWeb, pathRoute("same", [ref()], "/")]);
    expect(sr(parents(result, "web/r")[0].conditions, "Accepted")).toBe("True/Accepted");
    expect(sr(parents(result, "default/same")[0].conditions, "Accepted")).toBe("False/NotAllowedByListeners");
  });
});

describe("hostnames (conformance: HTTPRouteHostnameIntersection, GatewayWithAttachedRoutes)", () => {
  const listeners = [
    http("listener-1", 80, { hostname: "very.specific.com" }),
    http("listener-2", 80, { hostname: "*.wildcard.io" }),
    http("listener-3", 80, { hostname: "*.anotherwildcard.io" }),
  ];
  const hostRoute = (name: string, hostnames: string[]) => pathRoute(name, [ref()], "/", { hostnames });

  it("attaches to the listeners whose hostname intersects, and counts only accepted routes", () => {
    const result = run([
      ...base(listeners),
      hostRoute("s1", ["non.matching.com", "*.nonmatchingwildcard.io", "very.specific.com"]),
      hostRoute("s2", ["non.matching.com", "wildcard.io", "foo.wildcard.io", "bar.wildcard.io", "foo.bar.wildcard.io"]),
      hostRoute("s3", ["non.matching.com", "*.specific.com"]),
      hostRoute("s4", ["*.anotherwildcard.io"]),
      hostRoute("s5", ["specific.but.wrong.com", "wildcard.io"]),
    ]);
    for (const r of ["s1", "s2", "s3", "s4"]) expect(sr(parents(result, `default/${r}`)[0].conditions, "Accepted")).toBe("True/Accepted");
    expect(sr(parents(result, "default/s5")[0].conditions, "Accepted")).toBe("False/NoMatchingListenerHostname");
    expect(listeners.map(l => listenerStatus(result, l.name).attachedRoutes)).toEqual([2, 1, 1]);
  });

  it("routes still attach (and count) to a listener whose certificate is missing", () => {
    const listener = https("tls", "does-not-exist", { allowedRoutes: { namespaces: { from: "Same" } } });
    const result = run([...base([listener]), pathRoute("r", [ref({ sectionName: "tls" })], "/")]);
    const l = listenerStatus(result, "tls");
    expect(l.attachedRoutes).toBe(1);
    expect(sr(l.conditions, "Programmed")).toBe("False/Invalid");
    expect(sr(l.conditions, "ResolvedRefs")).toBe("False/InvalidCertificateRef");
    expect(gatewayIR(result).listeners).toEqual([]);
  });
});

describe("parent status entries", () => {
  it("one entry per distinct parentRef of ours, in order, group and kind defaulted, namespace as written", () => {
    const other = { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "other" }, spec: { controllerName: "example.com/x" } };
    const theirs = { ...gateway("theirs", [http("http")]), spec: { gatewayClassName: "other", listeners: [http("http")] } };
    const refs = [{ name: "eg" }, { name: "theirs" }, { name: "eg" }, { name: "eg", namespace: "default", sectionName: "http" }, { name: "svc", kind: "Service", group: "" }];
    const result = run([...base(), other, theirs, pathRoute("r", refs, "/")]);
    const ps = parents(result, "default/r");
    expect(ps.map(p => p.parentRef)).toEqual([
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "eg" },
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "eg", namespace: "default", sectionName: "http" },
    ]);
    expect(ps.every(p => p.controllerName === CONTROLLER)).toBe(true);
    // Both parentRefs select the same listener: the route counts once.
    expect(listenerStatus(result, "http").attachedRoutes).toBe(1);
  });

  it("a route refused by route-level translation keeps that reason and is not counted", () => {
    const result = run([...base(), pathRoute("r", [ref()], "/", {}, { annotations: { "test/refuse": "UnsupportedValue" } })]);
    expect(sr(parents(result, "default/r")[0].conditions, "Accepted")).toBe("False/UnsupportedValue");
    expect(listenerStatus(result, "http").attachedRoutes).toBe(0);
    expect(gatewayIR(result).routeConfigs[0].virtualHosts[0].routes).toEqual([]);
  });

  it("a partially invalid route says so next to Accepted=True, and only where it is accepted", () => {
    const partial = { annotations: { "test/partial": "yes" } };
    const result = run([...base(), pathRoute("r", [ref(), ref({ sectionName: "nope" })], "/", {}, partial)]);
    const [ok, no] = parents(result, "default/r");
    expect(ok.conditions.map(c => `${c.type}=${c.status}`)).toEqual(["Accepted=True", "ResolvedRefs=True", "PartiallyInvalid=True"]);
    expect(no.conditions.map(c => `${c.type}=${c.status}`)).toEqual(["Accepted=False", "ResolvedRefs=True"]);
  });

  it("one route, two Gateways (conformance: HTTPRouteMultipleGateways)", () => {
    const result = run([gatewayClass(), gateway("a", [http("http")]), gateway("b", [http("http")]), pathRoute("shared", [{ name: "a" }, { name: "b" }], "/shared")]);
    expect(parents(result, "default/shared").map(p => `${p.parentRef.name}:${sr(p.conditions, "Accepted")}`)).toEqual([
      "a:True/Accepted",
      "b:True/Accepted",
    ]);
    for (const key of ["default/a", "default/b"]) {
      expect(gatewayIR(result, key).routeConfigs[0].virtualHosts[0].routes.map(r => r.name)).toEqual(["httproute/default/shared/rule/0/match/0"]);
    }
  });

  it("routes without a parentRef to one of our Gateways get no status", () => {
    const result = run([...base(), route("lonely", { parentRefs: [{ name: "nope" }] }), route("none", {})]);
    expect(parents(result, "default/lonely")).toEqual([]);
    expect(parents(result, "default/none")).toEqual([]);
  });
});

describe("cluster and secret collection", () => {
  it("takes clusters of served routes only, deduplicated and sorted", () => {
    const result = run([
      ...base([http("a", 80, { hostname: "a.com" }), https("b", "cert", { hostname: "b.com" })]),
      tlsSecret("cert"),
      pathRoute("z", [ref()], "/"),
      pathRoute("y", [ref()], "/", { hostnames: ["nomatch.org"] }),
      pathRoute("x", [ref({ sectionName: "a" }), ref({ sectionName: "b" })], "/"),
    ]);
    const ir = gatewayIR(result);
    expect(ir.clusters.map(c => c.name)).toEqual(["service/default/x/80", "service/default/z/80"]);
    expect(ir.secrets.map(s => s.name)).toEqual(["certificate/default/cert"]);
  });
});
