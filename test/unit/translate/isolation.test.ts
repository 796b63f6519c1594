/**
 * Listener isolation and hostname matching, end to end on the IR: requests are routed the way
 * Envoy would (see envoy.ts) and compared with the upstream conformance expectations.
 */
import { describe, expect, it } from "vitest";
import { pick } from "./envoy";
import { gateway, gatewayClass, gatewayIR, http, https, pathRoute, run, tlsSecret } from "./helpers";

const all = { namespaces: { from: "All" } };
const isolationListeners = [
  http("empty-hostname", 80, { allowedRoutes: all }),
  http("wildcard-example-com", 80, { hostname: "*.example.com", allowedRoutes: all }),
  http("wildcard-foo-example-com", 80, { hostname: "*.foo.example.com", allowedRoutes: all }),
  http("abc-foo-example-com", 80, { hostname: "abc.foo.example.com", allowedRoutes: all }),
];
const names = isolationListeners.map(l => l.name);
const routeName = (listener: string) => `httproute/default/attaches-to-${listener}/rule/0/match/0`;

// GatewayHTTPListenerIsolation: host → the one path that is served (the other three get 404).
const expectations: Array<[string, string]> = [
  ["bar.com", "empty-hostname"],
  ["bar.example.com", "wildcard-example-com"],
  ["bar.foo.example.com", "wildcard-foo-example-com"],
  ["abc.foo.example.com", "abc-foo-example-com"],
];

function checkIsolation(hostnames?: string[]) {
  const routes = names.map(n => pathRoute(`attaches-to-${n}`, [{ name: "eg", sectionName: n }], `/${n}`, hostnames ? { hostnames } : {}));
  const ir = gatewayIR(run([gatewayClass(), gateway("eg", isolationListeners), ...routes]));
  for (const [host, served] of expectations) {
    for (const path of names) {
      const got = pick(ir, { port: 80, host, path: `/${path}` });
      expect({ host, path, got }).toEqual({ host, path, got: path === served ? routeName(path) : "404" });
    }
  }
  return ir;
}

describe("GatewayHTTPListenerIsolation", () => {
  it("hostnames only on listeners", () => {
    const ir = checkIsolation();
    expect(ir.listeners).toHaveLength(1); // four listeners on port 80 merged
    expect(ir.routeConfigs[0].virtualHosts.map(v => v.name)).toEqual(["*", "*.example.com", "*.foo.example.com", "abc.foo.example.com"]);
  });

  it("with intersecting hostnames on the routes as well", () => {
    checkIsolation(["bar.com", "*.example.com", "*.foo.example.com", "abc.foo.example.com"]);
  });
});

describe("HTTPRouteListenerHostnameMatching", () => {
  it("routes each host to the route of the most specific listener, 404 elsewhere", () => {
    const same = { namespaces: { from: "Same" } };
    const listeners = [
      http("listener-1", 80, { hostname: "bar.com", allowedRoutes: same }),
      http("listener-2", 80, { hostname: "foo.bar.com", allowedRoutes: same }),
      http("listener-3", 80, { hostname: "*.bar.com", allowedRoutes: same }),
      http("listener-4", 80, { hostname: "*.foo.com", allowedRoutes: same }),
    ];
    const routes = [
      pathRoute("backend-v1", [{ name: "eg", sectionName: "listener-1" }], "/"),
      pathRoute("backend-v2", [{ name: "eg", sectionName: "listener-2" }], "/"),
      pathRoute("backend-v3", [{ name: "eg", sectionName: "listener-3" }, { name: "eg", sectionName: "listener-4" }], "/"),
    ];
    const ir = gatewayIR(run([gatewayClass(), gateway("eg", listeners), ...routes]));
    const served = (host: string) => pick(ir, { port: 80, host, path: "/" }).replace(/^httproute\/default\/(.*)\/rule.*$/, "$1");
    expect(
      ["bar.com", "foo.bar.com", "baz.bar.com", "boo.bar.com", "multiple.prefixes.bar.com", "multiple.prefixes.foo.com", "foo.com", "no.matching.host"].map(served),
    ).toEqual(["backend-v1", "backend-v2", "backend-v3", "backend-v3", "backend-v3", "backend-v3", "404", "404"]);
  });
});

describe("HTTPRouteHostnameIntersection", () => {
  it("serves only the intersecting hostnames; the Host port is ignored", () => {
    const same = { namespaces: { from: "Same" } };
    const listeners = [
      http("listener-1", 80, { hostname: "very.specific.com", allowedRoutes: same }),
      http("listener-2", 80, { hostname: "*.wildcard.io", allowedRoutes: same }),
      http("listener-3", 80, { hostname: "*.anotherwildcard.io", allowedRoutes: same }),
    ];
    const r = (name: string, path: string, hostnames: string[]) => pathRoute(name, [{ name: "eg" }], path, { hostnames });
    const ir = gatewayIR(
      run([
        gatewayClass(),
        gateway("eg", listeners),
        r("s1", "/s1", ["non.matching.com", "*.nonmatchingwildcard.io", "very.specific.com"]),
        r("s2", "/s2", ["non.matching.com", "wildcard.io", "foo.wildcard.io", "bar.wildcard.io", "foo.bar.wildcard.io"]),
        r("s3", "/s3", ["non.matching.com", "*.specific.com"]),
        r("s4", "/s4", ["*.anotherwildcard.io"]),
        r("s5", "/s5", ["specific.but.wrong.com", "wildcard.io"]),
      ]),
    );
    const got = (host: string, path: string) => pick(ir, { port: 80, host, path }).replace(/^httproute\/default\/(s\d)\/.*$/, "$1");
    const cases: Array<[string, string, string]> = [
      ["very.specific.com", "/s1", "s1"],
      ["very.specific.com:1234", "/s1", "s1"],
      ["non.matching.com", "/s1", "404"],
      ["foo.nonmatchingwildcard.io", "/s1", "404"],
      ["foo.wildcard.io", "/s1", "404"],
      ["very.specific.com", "/non-matching-prefix", "404"],
      ["foo.wildcard.io", "/s2", "s2"],
      ["bar.wildcard.io", "/s2", "s2"],
      ["foo.bar.wildcard.io", "/s2", "s2"],
      ["wildcard.io", "/s2", "404"],
      ["very.specific.com", "/s2", "404"],
      ["very.specific.com", "/s3", "s3"],
      ["foo.specific.com", "/s3", "404"],
      ["foo.anotherwildcard.io", "/s4", "s4"],
      ["foo.bar.anotherwildcard.io", "/s4", "s4"],
      ["anotherwildcard.io", "/s4", "404"],
      ["specific.but.wrong.com", "/s5", "404"],
      ["wildcard.io", "/s5", "404"],
    ];
    expect(cases.map(([host, path]) => [host, path, got(host, path)])).toEqual(cases);
  });
});

describe("HTTPS listeners on one port (HTTPRouteHTTPSListenerDetectMisdirectedRequests)", () => {
  const same = { namespaces: { from: "Same" } };
  const listeners = [
    https("https", "cert", { allowedRoutes: same }),
    https("https-with-hostname", "cert", { hostname: "second-example.org", allowedRoutes: same }),
    https("https-with-wildcard-hostname", "cert", { hostname: "*.wildcard.org", allowedRoutes: same }),
    https("https-with-hostname-matching-wildcard", "cert", { hostname: "fourth-example.wildcard.org", allowedRoutes: same }),
  ];
  const routes = [
    pathRoute("t1", [{ name: "eg", sectionName: "https" }], "/detect", { hostnames: ["example.org"] }),
    pathRoute("t2", [{ name: "eg", sectionName: "https-with-hostname" }], "/detect"),
    pathRoute("t3", [{ name: "eg", sectionName: "https-with-wildcard-hostname" }], "/detect"),
    pathRoute("t4", [{ name: "eg", sectionName: "https-with-hostname-matching-wildcard" }], "/detect"),
  ];

  it("answers 421 when the Host belongs to another listener, 404 when no listener claims it", () => {
    const ir = gatewayIR(run([gatewayClass(), gateway("eg", listeners), tlsSecret("cert"), ...routes]));
    expect(ir.listeners[0].filterChains.map(c => c.serverNames)).toEqual([
      [],
      ["second-example.org"],
      ["fourth-example.wildcard.org"],
      ["*.wildcard.org"],
    ]);
    const got = (sni: string, host: string) => pick(ir, { port: 443, sni, host, path: "/detect" }).replace(/^httproute\/default\/(t\d)\/.*$/, "$1");
    const cases: Array<[string, string, string]> = [
      ["example.org", "example.org", "t1"],
      ["example.org", "second-example.org", "421"],
      ["example.org", "unknown-example.org", "404"],
      ["second-example.org", "second-example.org", "t2"],
      ["second-example.org", "example.org", "421"],
      ["second-example.org", "unknown-example.org", "421"],
      ["third-example.wildcard.org", "third-example.wildcard.org", "t3"],
      ["third-example.wildcard.org", "fith-example.wildcard.org", "t3"],
      ["third-example.wildcard.org", "fourth-example.wildcard.org", "421"],
      ["third-example.wildcard.org", "second-example.org", "421"],
      ["third-example.wildcard.org", "unknown-example.org", "421"],
      ["fourth-example.wildcard.org", "fourth-example.wildcard.org", "t4"],
      ["fourth-example.wildcard.org", "fith-example.wildcard.org", "421"],
      ["unknown-example.org", "example.org", "t1"],
      ["unknown-example.org", "unknown-example.org", "404"],
    ];
    expect(cases.map(([sni, host]) => [sni, host, got(sni, host)])).toEqual(cases);
  });

  it("without a catch-all listener, a Host no listener claims is 404 on every chain", () => {
    const ir = gatewayIR(run([gatewayClass(), gateway("eg", listeners.slice(1)), tlsSecret("cert"), ...routes.slice(1)]));
    expect(pick(ir, { port: 443, sni: "second-example.org", host: "unknown-example.org", path: "/detect" })).toBe("404");
    expect(pick(ir, { port: 443, sni: "nothing.org", host: "second-example.org", path: "/detect" })).toBe("no-chain");
  });
});
