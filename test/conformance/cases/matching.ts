/**
 * HTTPRoute matching: simple attachment, path (prefix/exact), header, query parameter and method
 * matches, precedence within and across routes, cross-namespace attachment. Requests and
 * expected backends as the upstream tests assert them.
 */
import type { ConformanceCase } from "./types";
import { INFRA, SAME, WEB, ns, ready, status, to } from "./helpers";

const v1 = "infra-backend-v1";
const v2 = "infra-backend-v2";
const v3 = "infra-backend-v3";
const h = (headers: Record<string, string>) => ({ headers });

export const matchingCases: ConformanceCase[] = [
  {
    name: "HTTPRouteSimpleSameNamespace",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-simple-same-namespace.yaml"],
    steps: [{ status: ready(SAME, ns("gateway-conformance-infra-test")), requests: [to(SAME, "/", v1)] }],
  },
  {
    name: "HTTPRouteMatching",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-matching.yaml"],
    steps: [
      {
        status: ready(SAME, ns("matching")),
        requests: [
          to(SAME, "/", v1),
          to(SAME, "/example", v1),
          to(SAME, "/", v1, h({ Version: "one" })),
          to(SAME, "/v2", v2),
          to(SAME, "/v2/example", v2),
          to(SAME, "/", v2, h({ Version: "two" })),
        ],
      },
    ],
  },
  {
    name: "HTTPExactPathMatching",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-exact-path-matching.yaml"],
    steps: [
      {
        status: ready(SAME, ns("exact-matching")),
        requests: [to(SAME, "/one", v1), to(SAME, "/two", v2), status(SAME, "/", 404), status(SAME, "/one/example", 404), status(SAME, "/two/", 404), status(SAME, "/Two", 404)],
      },
    ],
  },
  {
    name: "HTTPRouteHeaderMatching",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-header-matching.yaml"],
    steps: [
      {
        status: ready(SAME, ns("header-matching")),
        requests: [
          to(SAME, "/", v1, h({ Version: "one" })),
          to(SAME, "/", v2, h({ Version: "two" })),
          to(SAME, "/", v1, h({ Version: "two", Color: "orange" })),
          to(SAME, "/", v2, h({ Version: "two", Color: "blue" })),
          status(SAME, "/", 404, h({ Color: "orange" })),
          status(SAME, "/", 404, h({ "Some-Other-Header": "one" })),
          to(SAME, "/", v1, h({ Color: "blue" })),
          to(SAME, "/", v1, h({ Color: "green" })),
          to(SAME, "/", v2, h({ Color: "red" })),
          to(SAME, "/", v2, h({ Color: "yellow" })),
          status(SAME, "/", 404, h({ Color: "purple" })),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteQueryParamMatching",
    features: ["Gateway", "HTTPRoute", "HTTPRouteQueryParamMatching"],
    manifests: ["httproute-query-param-matching.yaml"],
    steps: [
      {
        status: ready(SAME, ns("query-param-matching")),
        requests: [
          to(SAME, "/?animal=whale", v1),
          to(SAME, "/?animal=dolphin", v2),
          to(SAME, "/?animal=dolphin&color=blue", v3),
          to(SAME, "/?ANIMAL=Whale", v3),
          to(SAME, "/?animal=whale&otherparam=irrelevant", v1),
          to(SAME, "/?animal=dolphin&color=yellow", v2),
          status(SAME, "/?color=blue", 404),
          status(SAME, "/?animal=dog", 404),
          status(SAME, "/?animal=whaledolphin", 404),
          status(SAME, "/", 404),
          to(SAME, "/path1?animal=whale", v1),
          to(SAME, "/?animal=whale", v2, h({ version: "one" })),
          to(SAME, "/path2?animal=whale", v3, h({ version: "two" })),
          to(SAME, "/path3?animal=shark", v1),
          to(SAME, "/path4?animal=kraken", v1, h({ version: "three" })),
          status(SAME, "/?animal=shark", 404),
          status(SAME, "/path4?animal=kraken", 404),
          to(SAME, "/path5?animal=hydra", v1),
          to(SAME, "/?animal=hydra", v3, h({ version: "four" })),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteMethodMatching",
    features: ["Gateway", "HTTPRoute", "HTTPRouteMethodMatching"],
    manifests: ["httproute-method-matching.yaml"],
    steps: [
      {
        status: ready(SAME, ns("method-matching")),
        requests: [
          to(SAME, "/", v1, { method: "POST" }),
          to(SAME, "/", v2, { method: "GET" }),
          status(SAME, "/", 404, { method: "HEAD" }),
          to(SAME, "/path1", v1, { method: "GET" }),
          to(SAME, "/", v2, { method: "PUT", headers: { version: "one" } }),
          to(SAME, "/path2", v3, { method: "POST", headers: { version: "two" } }),
          to(SAME, "/path3", v1, { method: "PATCH" }),
          to(SAME, "/path4", v1, { method: "DELETE", headers: { version: "three" } }),
          status(SAME, "/", 404, { method: "PUT" }),
          status(SAME, "/path4", 404, { method: "DELETE" }),
          to(SAME, "/path5", v1, { method: "PATCH" }),
          to(SAME, "/", v2, { method: "PATCH", headers: { version: "four" } }),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteMatchingAcrossRoutes",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-matching-across-routes.yaml"],
    steps: [
      {
        status: ready(SAME, ns("matching-part1"), ns("matching-part2")),
        requests: [
          to(SAME, "/", v1, { host: "example.com" }),
          to(SAME, "/example", v1, { host: "example.com" }),
          to(SAME, "/example", v1, { host: "example.net" }),
          to(SAME, "/example", v1, { host: "example.com", headers: { Version: "one" } }),
          to(SAME, "/v2", v2, { host: "example.com" }),
          to(SAME, "/v2", v1, { host: "example.net" }),
          to(SAME, "/v2/example", v2, { host: "example.com" }),
          to(SAME, "/", v2, { host: "example.com", headers: { Version: "two" } }),
        ],
      },
    ],
  },
  {
    name: "HTTPRoutePathMatchOrder",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-path-match-order.yaml"],
    steps: [
      {
        status: ready(SAME, ns("path-matching-order")),
        requests: [
          to(SAME, "/match/exact/one", v3),
          to(SAME, "/match/exact", v2),
          to(SAME, "/match", v1),
          to(SAME, "/match/prefix/one/any", v2),
          to(SAME, "/match/prefix/any", v1),
          to(SAME, "/match/any", v3),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteCrossNamespace",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-cross-namespace.yaml"],
    steps: [
      {
        status: ready(`${INFRA}/backend-namespaces`, `${WEB}/cross-namespace`),
        requests: [{ gateway: `${INFRA}/backend-namespaces`, path: "/", expect: { backend: "web-backend", namespace: WEB } }],
      },
    ],
  },
];
