/**
 * HTTPRouteCORS: preflight and simple requests against four routes with CORS filters (exact and
 * wildcard origins, wildcard methods and headers, with and without credentials). A preflight is
 * answered by the gateway itself, so for those the upstream test names no backend; headers are
 * compared ignoring whitespace where the upstream test says so.
 */
import type { ConformanceCase, RequestCase, ResponseExpectation } from "./types";
import { INFRA, SAME, ns, ready } from "./helpers";

function cors(name: string, path: string, method: string, headers: Record<string, string>, expect: ResponseExpectation): RequestCase {
  return { name, gateway: SAME, path, method, headers, expect };
}

const PREFLIGHT_1 = { "access-control-request-method": "GET", "access-control-request-headers": "x-header-1, x-header-2" };
const FULL_PREFLIGHT = (origin: string): ResponseExpectation => ({
  status: [200, 204],
  request: { method: "OPTIONS", path: "" },
  validHeaderValues: {
    "access-control-allow-origin": [origin],
    "access-control-allow-methods": ["GET, OPTIONS", "OPTIONS, GET"],
    "access-control-allow-headers": ["x-header-1, x-header-2", "x-header-2, x-header-1"],
    "access-control-expose-headers": ["x-header-3, x-header-4", "x-header-4, x-header-3"],
    "access-control-max-age": ["3600"],
    "access-control-allow-credentials": ["true"],
  },
  ignoreWhitespace: true,
});

export const corsCases: ConformanceCase[] = [
  {
    name: "HTTPRouteCORS",
    features: ["Gateway", "HTTPRoute", "HTTPRouteCORS"],
    manifests: ["httproute-cors.yaml"],
    steps: [
      {
        status: [
          ...ready(SAME, ns("cors-multiple-origins-methods-headers"), ns("cors-wildcard-methods")),
          ...["cors-wildcard-origin", "cors-wildcard-methods-headers"].map(r => ({ type: "routeCondition" as const, route: ns(r), gateway: SAME, condition: { type: "ResolvedRefs", status: "True" as const, reason: "ResolvedRefs" } })),
        ],
        requests: [
          cors("preflight from an exact matching origin is allowed", "/cors-1", "OPTIONS", { Origin: "https://www.foo.com", ...PREFLIGHT_1 }, FULL_PREFLIGHT("https://www.foo.com")),
          cors("preflight from a wildcard matching origin is allowed", "/cors-1", "OPTIONS", { Origin: "https://www.bar.com", ...PREFLIGHT_1 }, { ...FULL_PREFLIGHT("https://www.bar.com"), status: [200] }),
          cors("preflight from a wildcard origin with more labels is allowed", "/cors-1", "OPTIONS", { Origin: "https://xpto.www.bar.com", ...PREFLIGHT_1 }, { ...FULL_PREFLIGHT("https://xpto.www.bar.com"), status: [200] }),
          cors("preflight from a non-matching origin is not allowed", "/cors-1", "OPTIONS", { Origin: "https://foobar.com", "access-control-request-method": "GET" }, {
            status: [200, 204, 403],
            request: { method: "OPTIONS", path: "" },
            absentResponseHeaders: ["access-control-allow-origin"],
          }),
          cors("simple request from an exact matching origin is allowed", "/cors-1", "GET", { Origin: "https://www.foo.com", ...PREFLIGHT_1 }, {
            status: [200, 204],
            namespace: INFRA,
            responseHeaders: { "access-control-allow-origin": "https://www.foo.com" },
          }),
          cors("simple request from a wildcard matching origin is allowed", "/cors-1", "GET", { Origin: "https://www.bar.com", ...PREFLIGHT_1 }, {
            status: [200, 204],
            namespace: INFRA,
            responseHeaders: { "access-control-allow-origin": "https://www.bar.com" },
          }),
          cors("simple request from a non-matching origin is not allowed", "/cors-1", "GET", { Origin: "https://foobar.com", "access-control-request-method": "GET" }, {
            namespace: INFRA,
            absentResponseHeaders: ["access-control-allow-origin"],
          }),
          cors("preflight with POST is allowed by wildcard allowMethods", "/cors-2", "OPTIONS", { Origin: "https://www.foo.com", "access-control-request-method": "POST" }, {
            status: [200, 204],
            request: { method: "OPTIONS", path: "" },
            validHeaderValues: { "access-control-allow-methods": ["POST", "*"] },
            responseHeaders: { "access-control-allow-origin": "https://www.foo.com" },
            absentResponseHeaders: ["access-control-allow-credentials"],
          }),
          cors("preflight without allowCredentials gets no allow-credentials", "/cors-2", "OPTIONS", { Origin: "https://www.foo.com", "access-control-request-method": "POST" }, {
            request: { method: "OPTIONS", path: "" },
            absentResponseHeaders: ["Access-Control-Allow-Credentials"],
          }),
          cors("preflight from a wildcard origin echoes the origin or *", "/cors-wildcard-origin", "OPTIONS", { Origin: "https://foobar.com", "access-control-request-method": "PUT" }, {
            status: [200, 204],
            request: { method: "OPTIONS", path: "" },
            validHeaderValues: { "access-control-allow-origin": ["https://foobar.com", "*"], "access-control-allow-methods": ["PUT"] },
            absentResponseHeaders: ["Access-Control-Allow-Credentials"],
          }),
          cors("preflight from a wildcard origin with a port echoes the origin or *", "/cors-wildcard-origin", "OPTIONS", { Origin: "https://foobar.com:12345", "access-control-request-method": "PUT" }, {
            status: [200, 204],
            request: { method: "OPTIONS", path: "" },
            validHeaderValues: { "access-control-allow-origin": ["https://foobar.com:12345", "*"], "access-control-allow-methods": ["PUT"] },
            absentResponseHeaders: ["Access-Control-Allow-Credentials"],
          }),
          cors("request from a wildcard origin with a port echoes the origin or *", "/cors-wildcard-origin", "PUT", { Origin: "https://foobar.com:12345" }, {
            status: [200],
            namespace: INFRA,
            validHeaderValues: { "access-control-allow-origin": ["https://foobar.com:12345", "*"] },
          }),
          cors("simple request from a wildcard origin echoes the origin or *", "/cors-wildcard-origin", "PUT", { Origin: "https://foobar.com" }, {
            status: [200, 204],
            namespace: INFRA,
            validHeaderValues: { "access-control-allow-origin": ["https://foobar.com", "*"] },
            absentResponseHeaders: ["Access-Control-Allow-Credentials"],
          }),
          cors("preflight asking for credentials echoes origin, method and headers", "/cors-wildcard-methods-headers", "OPTIONS", { Origin: "https://other.foo.com", "access-control-request-method": "PUT", "access-control-request-headers": "x-header-1, x-header-2" }, {
            status: [200],
            request: { method: "OPTIONS", path: "" },
            validHeaderValues: {
              "access-control-allow-origin": ["https://other.foo.com"],
              "access-control-allow-methods": ["PUT"],
              "access-control-allow-headers": ["x-header-1, x-header-2", "x-header-2, x-header-1"],
              "access-control-allow-credentials": ["true"],
            },
            ignoreWhitespace: true,
          }),
          cors("preflight on the path without credentials gets no allow-credentials", "/cors-wildcard-methods-headers-unauth", "OPTIONS", { Origin: "https://other.foo.com", "access-control-request-method": "PUT", "access-control-request-headers": "x-header-1, x-header-2" }, {
            status: [200],
            request: { method: "OPTIONS", path: "" },
            validHeaderValues: {
              "access-control-allow-origin": ["https://other.foo.com", "*"],
              "access-control-allow-methods": ["PUT", "*"],
              "access-control-allow-headers": ["x-header-1, x-header-2", "x-header-2, x-header-1", "*"],
            },
            absentResponseHeaders: ["access-control-allow-credentials"],
            ignoreWhitespace: true,
          }),
          cors("simple request with credentials echoes the origin", "/cors-wildcard-methods-headers", "GET", { Origin: "https://other.foo.com", Authorization: "Bearer test" }, {
            status: [200],
            namespace: INFRA,
            validHeaderValues: { "access-control-allow-origin": ["https://other.foo.com"], "access-control-allow-credentials": ["true"] },
          }),
          cors("simple request with credentials on the path without them gets no allow-credentials", "/cors-wildcard-methods-headers-unauth", "GET", { Origin: "https://other.foo.com", Authorization: "Bearer test" }, {
            status: [200],
            namespace: INFRA,
            validHeaderValues: { "access-control-allow-origin": ["https://other.foo.com"] },
            absentResponseHeaders: ["access-control-allow-credentials"],
          }),
        ],
      },
    ],
    notReplayed: "with no explicit ExpectedRequest, a simple request's backend report is compared with the request as sent, as upstream",
  },
];
