/**
 * Listeners and hostnames: listener isolation, hostname intersection between listeners and
 * routes, listeners told apart by hostname or by port, HTTPS listeners with SNI (including
 * misdirected requests answered 421), one route attached to several Gateways.
 */
import type { ConformanceCase, RequestCase } from "./types";
import { HTTPS_GW, INFRA, SAME, accepted, httpListener, ns, ready, resolved, status, to } from "./helpers";

const v1 = "infra-backend-v1";
const v2 = "infra-backend-v2";
const v3 = "infra-backend-v3";
const host = (h: string) => ({ host: h });

function isolation(gateway: string): RequestCase[] {
  const paths = ["/empty-hostname", "/wildcard-example-com", "/wildcard-foo-example-com", "/abc-foo-example-com"];
  const hosts = ["bar.com", "bar.example.com", "bar.foo.example.com", "abc.foo.example.com"];
  return hosts.flatMap((h, i) => paths.map((p, j) => (i === j ? to(gateway, p, v1, host(h)) : status(gateway, p, 404, host(h)))));
}

const ISO = ns("http-listener-isolation");
const ISO_X = ns("http-listener-isolation-with-hostname-intersection");
const HI = ns("httproute-hostname-intersection");
const HI_ALL = ns("httproute-hostname-intersection-all");
const LHM = ns("httproute-listener-hostname-matching");
const LPM = ns("httproute-listener-port-matching");
const https = (sni: string, h: string) => ({ scheme: "https" as const, sni, host: h });

function misdirected(sni: string, h: string, code: number, backend?: string): RequestCase {
  return { gateway: HTTPS_GW, path: "/detect-misdirected-requests", ...https(sni, h), expect: { status: [code], backend, namespace: INFRA } };
}

export const listenerCases: ConformanceCase[] = [
  {
    name: "GatewayHTTPListenerIsolation",
    features: ["Gateway", "GatewayHTTPListenerIsolation", "HTTPRoute"],
    manifests: ["gateway-http-listener-isolation.yaml", "gateway-http-listener-isolation-with-hostname-intersection.yaml"],
    steps: [
      {
        title: "hostnames are configured only in listeners",
        status: [{ type: "namespacesReady", namespaces: [INFRA] }, ...ready(ISO, ...["attaches-to-empty-hostname", "attaches-to-wildcard-example-com", "attaches-to-wildcard-foo-example-com", "attaches-to-abc-foo-example-com"].map(ns))],
        requests: isolation(ISO),
      },
      {
        title: "intersecting hostnames are configured in listeners and HTTPRoutes",
        status: ready(ISO_X, ...["empty-hostname", "wildcard-example-com", "wildcard-foo-example-com", "abc-foo-example-com"].map(r => ns(`attaches-to-${r}-with-hostname-intersection`))),
        requests: isolation(ISO_X),
      },
    ],
  },
  {
    name: "HTTPRouteHostnameIntersection",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-hostname-intersection.yaml"],
    steps: [
      {
        title: "routes that intersect with listener hostnames",
        status: [
          { type: "namespacesReady", namespaces: [INFRA] },
          ...ready(HI, ...["specific-host-matches-listener-specific-host", "specific-host-matches-listener-wildcard-host", "wildcard-host-matches-listener-specific-host", "wildcard-host-matches-listener-wildcard-host"].map(ns)),
        ],
        requests: [
          to(HI, "/s1", v1, host("very.specific.com")),
          to(HI, "/s1", v1, host("very.specific.com:1234")),
          ...["non.matching.com", "foo.nonmatchingwildcard.io", "foo.wildcard.io"].map(h => status(HI, "/s1", 404, host(h))),
          status(HI, "/non-matching-prefix", 404, host("very.specific.com")),
          ...["foo.wildcard.io", "bar.wildcard.io", "foo.bar.wildcard.io"].map(h => to(HI, "/s2", v2, host(h))),
          ...["non.matching.com", "wildcard.io", "very.specific.com"].map(h => status(HI, "/s2", 404, host(h))),
          status(HI, "/non-matching-prefix", 404, host("foo.wildcard.io")),
          to(HI, "/s3", v3, host("very.specific.com")),
          ...["non.matching.com", "foo.specific.com", "foo.wildcard.io"].map(h => status(HI, "/s3", 404, host(h))),
          status(HI, "/non-matching-prefix", 404, host("very.specific.com")),
          ...["foo.anotherwildcard.io", "bar.anotherwildcard.io", "foo.bar.anotherwildcard.io"].map(h => to(HI, "/s4", v1, host(h))),
          ...["anotherwildcard.io", "foo.wildcard.io", "very.specific.com"].map(h => status(HI, "/s4", 404, host(h))),
          status(HI, "/non-matching-prefix", 404, host("foo.anotherwildcard.io")),
        ],
      },
      {
        title: "routes that do not intersect with listener hostnames",
        status: [
          accepted(HI, []),
          { type: "routeParents", route: ns("no-intersecting-hosts"), namespaceRequired: true, parents: [{ gateway: HI, namespaceInRef: true, conditions: [{ type: "Accepted", status: "False", reason: "NoMatchingListenerHostname" }] }] },
        ],
        requests: [status(HI, "/s5", 404, host("specific.but.wrong.com")), status(HI, "/s5", 404, host("wildcard.io"))],
      },
      {
        title: "only accepted routes count in attachedRoutes",
        status: [{ type: "gatewayListeners", gateway: HI, listeners: [httpListener("listener-1", 2), httpListener("listener-2", 1), httpListener("listener-3", 1)] }],
      },
      {
        title: "routes intersect with a listener without hostname",
        status: ready(HI_ALL, HI_ALL),
        requests: [
          ...["first.com", "sub.first.com", "second.com", "sub.second.com"].map(h => to(HI_ALL, "/", v2, host(h))),
          status(HI_ALL, "/", 404, host("third.com")),
          status(HI_ALL, "/", 404, host("sub.third.com")),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteListenerHostnameMatching",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-listener-hostname-matching.yaml"],
    steps: [
      {
        status: [
          { type: "namespacesReady", namespaces: [INFRA] },
          accepted(LHM, [ns("backend-v1")], ["listener-1"]),
          resolved(ns("backend-v1"), LHM),
          accepted(LHM, [ns("backend-v2")], ["listener-2"]),
          resolved(ns("backend-v2"), LHM),
          accepted(LHM, [ns("backend-v3")], ["listener-3", "listener-4"]),
          resolved(ns("backend-v3"), LHM),
        ],
        requests: [
          to(LHM, "/", v1, host("bar.com")),
          to(LHM, "/", v2, host("foo.bar.com")),
          ...["baz.bar.com", "boo.bar.com", "multiple.prefixes.bar.com", "multiple.prefixes.foo.com"].map(h => to(LHM, "/", v3, host(h))),
          status(LHM, "/", 404, host("foo.com")),
          status(LHM, "/", 404, host("no.matching.host")),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteListenerPortMatching",
    features: ["Gateway", "HTTPRoute", "HTTPRouteParentRefPort"],
    manifests: ["httproute-listener-port-matching.yaml"],
    steps: [
      {
        status: [
          { type: "namespacesReady", namespaces: [INFRA] },
          ...[
            ["backend-v1", "listener-1"],
            ["backend-v2", "listener-2"],
            ["backend-v3", "listener-4"],
          ].flatMap(([r, l]) => [accepted(LPM, [ns(r)], [l]), resolved(ns(r), LPM)]),
        ],
        requests: [
          to(LPM, "/", v1, { host: "foo.com", port: 80 }),
          to(LPM, "/", v2, { host: "foo.com:8080", port: 8080 }),
          to(LPM, "/", v2, { host: "bar.com:8080", port: 8080 }),
          to(LPM, "/", v3, { host: "foo.com:8090", port: 8090 }),
          status(LPM, "/", 404, { host: "bar.com:8090", port: 8090 }),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteHTTPSListener",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-https-listener.yaml"],
    steps: [
      {
        status: ready(HTTPS_GW, ns("httproute-https-test"), ns("httproute-https-test-no-hostname")),
        requests: [
          to(HTTPS_GW, "/", v1, https("example.org", "example.org")),
          status(HTTPS_GW, "/", 404, https("unknown-example.org", "unknown-example.org")),
          to(HTTPS_GW, "/", v2, https("second-example.org", "second-example.org")),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteHTTPSListenerDetectMisdirectedRequests",
    features: ["Gateway", "GatewayHTTPSListenerDetectMisdirectedRequests", "HTTPRoute"],
    manifests: ["httproute-https-listener-detect-misdirected-requests.yaml"],
    steps: [
      {
        status: ready(HTTPS_GW, ...[1, 2, 3, 4].map(i => ns(`https-listener-detect-misdirected-requests-test-${i}`))),
        requests: [
          misdirected("example.org", "example.org", 200, v1),
          misdirected("example.org", "second-example.org", 421),
          misdirected("example.org", "unknown-example.org", 404),
          misdirected("second-example.org", "second-example.org", 200, v2),
          misdirected("second-example.org", "example.org", 421),
          misdirected("second-example.org", "unknown-example.org", 421),
          misdirected("third-example.wildcard.org", "third-example.wildcard.org", 200, v3),
          misdirected("third-example.wildcard.org", "fith-example.wildcard.org", 200, v3),
          misdirected("third-example.wildcard.org", "fourth-example.wildcard.org", 421),
          misdirected("third-example.wildcard.org", "second-example.org", 421),
          misdirected("third-example.wildcard.org", "unknown-example.org", 421),
          misdirected("fourth-example.wildcard.org", "fourth-example.wildcard.org", 200, v1),
          misdirected("fourth-example.wildcard.org", "fith-example.wildcard.org", 421),
          misdirected("unknown-example.org", "example.org", 200, v1),
          misdirected("unknown-example.org", "unknown-example.org", 404),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteMultipleGateways",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-multiple-gateways.yaml"],
    steps: [
      {
        title: "Gateway same-namespace",
        status: [accepted(SAME, [ns("multiple-gateways-shared-route"), ns("same-namespace-dedicated-route")])],
        requests: [to(SAME, "/shared", v1), to(SAME, "/", v2)],
      },
      {
        title: "Gateway all-namespaces",
        status: [accepted(ns("all-namespaces"), [ns("multiple-gateways-shared-route"), ns("all-namespaces-dedicated-route")])],
        requests: [to(ns("all-namespaces"), "/shared", v1), to(ns("all-namespaces"), "/", v3)],
      },
    ],
  },
];
