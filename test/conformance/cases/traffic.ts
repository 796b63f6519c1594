/**
 * Traffic handling: request mirrors (all, several, by percent and fraction), backend weights,
 * backendRef header modifiers under weights, request and backend-request timeouts, retries,
 * backend protocols (h2c, WebSocket), named rules, rules without backends, Service types.
 * Timeouts and retries are replayed with the echo backend's `delay` and retry-simulation
 * parameters, as the upstream tests use them.
 */
import type { ConformanceCase, RequestCase } from "./types";
import { INFRA, SAME, accepted, ns, ready, resolved, status, to } from "./helpers";

const v1 = "infra-backend-v1";
const v2 = "infra-backend-v2";
const v3 = "infra-backend-v3";
const MODIFY_SENT = { "X-Header-Remove": "remove-val", "X-Header-Add-Append": "append-val-1" };
const MODIFY_WANT = { "X-Header-Add": "header-val-1", "X-Header-Add-Append": "append-val-1,header-val-2", "X-Header-Set": "set-overwrites-values" };

function mirrored(path: string, mirrors: Array<{ name: string; percent?: number }>, modify = false): RequestCase {
  return to(SAME, path, v1, modify ? { headers: MODIFY_SENT } : {}, {
    request: { path, headers: modify ? MODIFY_WANT : undefined, absentHeaders: modify ? ["X-Header-Remove"] : undefined },
    mirroredTo: mirrors.map(m => ({ ...m, namespace: INFRA })),
  });
}

function retry(path: string, code: string, succeedAfter: number, want: number): RequestCase {
  const full = `${path}?responseCode=${code}&succeedAfter=${succeedAfter}&uuid=replay`;
  return want === 200 ? to(SAME, full, v3) : status(SAME, full, want, {}, { backend: v3, namespace: INFRA });
}

export const trafficCases: ConformanceCase[] = [
  {
    name: "HTTPRouteRequestMirror",
    features: ["Gateway", "HTTPRoute", "HTTPRouteRequestMirror"],
    manifests: ["httproute-request-mirror.yaml"],
    steps: [{ status: [accepted(SAME, [ns("request-mirror")])], requests: [mirrored("/mirror", [{ name: v2 }]), mirrored("/mirror-and-modify-headers", [{ name: v2 }], true)] }],
  },
  {
    name: "HTTPRouteRequestMultipleMirrors",
    features: ["Gateway", "HTTPRoute", "HTTPRouteRequestMirror", "HTTPRouteRequestMultipleMirrors"],
    manifests: ["httproute-request-multiple-mirrors.yaml"],
    steps: [
      {
        status: [accepted(SAME, [ns("request-multiple-mirrors")])],
        requests: [mirrored("/multi-mirror", [{ name: v2 }, { name: v3 }]), mirrored("/multi-mirror-and-modify-request-headers", [{ name: v2 }, { name: v3 }], true)],
      },
    ],
  },
  {
    name: "HTTPRouteRequestPercentageMirror",
    features: ["Gateway", "HTTPRoute", "HTTPRouteRequestPercentageMirror"],
    manifests: ["httproute-request-percentage-mirror.yaml"],
    steps: [
      {
        status: ready(SAME, ns("request-percentage-mirror")),
        requests: [
          mirrored("/percent-mirror", [{ name: v2, percent: 20 }]),
          mirrored("/percent-mirror-fraction", [{ name: v2, percent: 50 }]),
          mirrored("/percent-mirror-and-modify-headers", [{ name: v2, percent: 35 }], true),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteWeight",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-weight.yaml"],
    steps: [
      {
        status: ready(SAME, ns("weighted-backends")),
        requests: [{ gateway: SAME, path: "/", expect: { namespace: INFRA, weights: { [v1]: 0.7, [v2]: 0.3, [v3]: 0 } } }],
      },
    ],
  },
  {
    name: "HTTPRouteRequestHeaderModifierBackendWeights",
    features: ["Gateway", "HTTPRoute", "HTTPRouteBackendRequestHeaderModification"],
    manifests: ["httproute-request-header-modifier-backend-weights.yaml"],
    steps: [
      {
        status: ready(SAME, ns("request-header-modifier-backend-weights")),
        requests: [{ gateway: SAME, path: "/", expect: { namespace: INFRA, request: { path: "/" }, backendFromHeader: "Backend" } }],
      },
    ],
  },
  {
    name: "HTTPRouteTimeoutRequest",
    features: ["Gateway", "HTTPRoute", "HTTPRouteRequestTimeout"],
    manifests: ["httproute-timeout-request.yaml"],
    steps: [
      {
        status: ready(SAME, ns("request-timeout")),
        requests: [
          to(SAME, "/request-timeout", ""),
          status(SAME, "/request-timeout?delay=1s", 504, {}, { namespace: INFRA }),
          to(SAME, "/disable-request-timeout?delay=1s", ""),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteTimeoutBackendRequest",
    features: ["Gateway", "HTTPRoute", "HTTPRouteBackendTimeout"],
    manifests: ["httproute-timeout-backend-request.yaml"],
    steps: [
      {
        status: ready(SAME, ns("backend-request-timeout")),
        requests: [
          to(SAME, "/backend-timeout", ""),
          status(SAME, "/backend-timeout?delay=1s", 504, {}, { namespace: INFRA }),
          to(SAME, "/disable-backend-timeout?delay=1s", ""),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteRetry",
    features: ["Gateway", "HTTPRoute", "HTTPRouteRetry"],
    manifests: ["httproute-retry.yaml"],
    steps: [
      {
        status: ready(SAME, ns("retries")),
        requests: [
          retry("/retry/code-500-attempts-3", "500", 2, 200),
          retry("/retry/code-500-attempts-3", "500", 4, 500),
          retry("/retry/code-500-attempts-3", "503", 2, 503),
          retry("/retry/code-all-attempts-2", "500", 1, 200),
          retry("/retry/code-all-attempts-2", "500", 3, 500),
          retry("/retry/code-all-attempts-2", "502", 1, 200),
          retry("/retry/code-all-attempts-2", "502", 3, 502),
          retry("/retry/code-all-attempts-2", "503", 1, 200),
          retry("/retry/code-all-attempts-2", "503", 3, 503),
          retry("/retry/code-all-attempts-2", "504", 1, 200),
          retry("/retry/code-all-attempts-2", "504", 3, 504),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteBackendProtocolH2C",
    features: ["Gateway", "HTTPRoute", "HTTPRouteBackendProtocolH2C"],
    manifests: ["httproute-backend-protocol-h2c.yaml"],
    steps: [{ status: [accepted(SAME, [ns("backend-protocol-h2c")])], requests: [to(SAME, "/", v1, { h2c: true })] }],
  },
  {
    name: "HTTPRouteBackendProtocolWebSocket",
    features: ["Gateway", "HTTPRoute", "HTTPRouteBackendProtocolWebSocket"],
    manifests: ["httproute-backend-protocol-websocket.yaml"],
    steps: [{ status: [accepted(SAME, [ns("backend-protocol-ws")])], requests: [{ gateway: SAME, path: "/ws", websocket: true, expect: { websocket: true, backend: v1, namespace: INFRA } }] }],
  },
  {
    name: "HTTPRouteNamedRule",
    features: ["Gateway", "HTTPRoute", "HTTPRouteNamedRouteRule"],
    manifests: ["httproute-named-rule.yaml"],
    steps: [{ status: ready(SAME, ns("http-named-rules")), requests: [to(SAME, "/named", ""), to(SAME, "/unnamed", "")] }],
  },
  {
    name: "HTTPRouteNoBackendRefs",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-omitted-backendrefs.yaml"],
    steps: [
      {
        status: [
          { type: "gatewayLatest", gateway: SAME },
          resolved(ns("omitted-backendrefs"), SAME),
          { type: "routeParents", route: ns("omitted-backendrefs"), namespaceRequired: true, parents: [{ gateway: SAME, namespaceInRef: false, conditions: [{ type: "Accepted", status: "True" }] }] },
        ],
        requests: [to(SAME, "/forward", v1), status(SAME, "/omitted-no-forward", 500), status(SAME, "/empty-no-forward", 500)],
      },
    ],
  },
  {
    name: "HTTPRouteServiceTypes",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-service-types.yaml"],
    steps: [
      {
        status: ready(SAME, ns("service-types")),
        requests: ["/manual-endpointslices", "/headless-manual-endpointslices", "/headless"].map(p => to(SAME, p, v1)),
      },
    ],
  },
];
