/**
 * HTTPRoutes with references that cannot be honoured (unknown backend kind, missing Service,
 * cross-namespace backend without or with a non-matching ReferenceGrant, parentRefs that match no
 * listener by port or section name, a listener that does not allow the kind) and the status and
 * 500/404 answers the suite expects (HTTPRouteDisallowedKind is left out: it needs a TLS listener,
 * which is outside the GATEWAY-HTTP profile); ReferenceGrant granting and revoking; observedGeneration
 * following a route change.
 */
import type { ConformanceCase, StatusAssertion } from "./types";
import { APP, INFRA, SAME, WEB, accepted, ns, ready, routeCond, status } from "./helpers";

/** Route not accepted by the Gateway: the reason on its parent, no accepted parent, nothing attached. */
function rejected(route: string, gateway: string, reason: string): StatusAssertion[] {
  return [
    routeCond(route, gateway, "ResolvedRefs", "True", "ResolvedRefs"),
    routeCond(route, gateway, "Accepted", "False", reason),
    { type: "routeNoAcceptedParents", route },
    { type: "gatewayZeroRoutes", gateway },
  ];
}

export const invalidCases: ConformanceCase[] = [
  {
    name: "HTTPRouteInvalidBackendRefUnknownKind",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-invalid-backendref-unknown-kind.yaml"],
    steps: [
      {
        status: [accepted(SAME, [ns("invalid-backend-ref-unknown-kind")]), routeCond(ns("invalid-backend-ref-unknown-kind"), SAME, "ResolvedRefs", "False", "InvalidKind")],
        requests: [status(SAME, "/v2", 500)],
      },
    ],
  },
  {
    name: "HTTPRouteInvalidCrossNamespaceBackendRef",
    features: ["Gateway", "HTTPRoute", "ReferenceGrant"],
    manifests: ["httproute-invalid-cross-namespace-backend-ref.yaml"],
    steps: [
      {
        status: [accepted(SAME, [ns("invalid-cross-namespace-backend-ref")]), routeCond(ns("invalid-cross-namespace-backend-ref"), SAME, "ResolvedRefs", "False", "RefNotPermitted")],
        requests: [status(SAME, "/", 500)],
      },
    ],
  },
  {
    name: "HTTPRouteInvalidCrossNamespaceParentRef",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-invalid-cross-namespace-parent-ref.yaml"],
    steps: [{ status: rejected(`${WEB}/invalid-cross-namespace-parent-ref`, SAME, "NotAllowedByListeners") }],
  },
  {
    name: "HTTPRouteInvalidNonExistentBackendRef",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-invalid-nonexistent-backendref.yaml"],
    steps: [
      {
        status: [accepted(SAME, [ns("invalid-nonexistent-backend-ref")]), routeCond(ns("invalid-nonexistent-backend-ref"), SAME, "ResolvedRefs", "False", "BackendNotFound")],
        requests: [status(SAME, "/", 500)],
      },
    ],
  },
  {
    name: "HTTPRouteInvalidParentRefNotMatchingListenerPort",
    features: ["Gateway", "HTTPRoute", "RouteDestinationPortMatching"],
    manifests: ["httproute-invalid-parentref-not-matching-listener-port.yaml"],
    steps: [{ status: rejected(ns("httproute-listener-not-matching-route-port"), SAME, "NoMatchingParent") }],
  },
  {
    name: "HTTPRouteInvalidParentRefNotMatchingSectionName",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-invalid-parentref-not-matching-section-name.yaml"],
    steps: [{ status: rejected(ns("httproute-listener-not-matching-section-name"), SAME, "NoMatchingParent").filter(a => a.type !== "routeCondition" || a.condition.type !== "ResolvedRefs") }],
  },
  {
    name: "HTTPRouteInvalidParentRefSectionNameNotMatchingPort",
    features: ["Gateway", "HTTPRoute", "HTTPRouteParentRefPort"],
    manifests: ["httproute-invalid-parentref-section-name-not-matching-port.yaml"],
    steps: [
      {
        status: rejected(ns("httproute-listener-section-name-not-matching-port"), ns("gateway-with-one-not-matching-port-and-section-name-route"), "NoMatchingParent").filter(
          a => a.type !== "routeCondition" || a.condition.type !== "ResolvedRefs",
        ),
      },
    ],
  },
  {
    name: "HTTPRouteReferenceGrant",
    features: ["Gateway", "HTTPRoute", "ReferenceGrant"],
    manifests: ["httproute-reference-grant.yaml"],
    steps: [
      {
        status: ready(SAME, ns("reference-grant")),
        requests: [{ gateway: SAME, path: "/", expect: { backend: "web-backend", namespace: WEB } }],
      },
      {
        title: "after the ReferenceGrant is deleted",
        mutate: [{ kind: "ReferenceGrant", name: `${WEB}/reference-grant` }],
        requests: [status(SAME, "/", 500)],
      },
    ],
  },
  {
    name: "HTTPRouteInvalidReferenceGrant",
    features: ["Gateway", "HTTPRoute", "ReferenceGrant"],
    manifests: ["httproute-invalid-reference-grant.yaml"],
    steps: [
      {
        status: [accepted(SAME, [ns("reference-grant")]), routeCond(ns("reference-grant"), SAME, "ResolvedRefs", "False", "RefNotPermitted")],
        requests: [status(SAME, "/", 500)],
      },
    ],
  },
  {
    name: "HTTPRoutePartiallyInvalidViaInvalidReferenceGrant",
    features: ["Gateway", "HTTPRoute", "ReferenceGrant"],
    manifests: ["httproute-partially-invalid-via-invalid-reference-grant.yaml"],
    steps: [
      {
        status: [accepted(SAME, [ns("invalid-reference-grant")]), routeCond(ns("invalid-reference-grant"), SAME, "ResolvedRefs", "False", "RefNotPermitted")],
        requests: [status(SAME, "/v2", 500), { gateway: SAME, path: "/", expect: { backend: "app-backend-v1", namespace: APP } }],
      },
    ],
  },
  {
    name: "HTTPRouteObservedGenerationBump",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-observed-generation-bump.yaml"],
    steps: [
      { title: "before the change", status: [{ type: "namespacesReady", namespaces: [INFRA] }, routeCond(ns("observed-generation-bump"), SAME, "Accepted", "True")] },
      {
        title: "after a backendRef changes",
        mutate: [{ kind: "HTTPRoute", name: ns("observed-generation-bump"), change: o => (o.spec.rules[0].backendRefs[0].name = "infra-backend-v2") }],
        status: [routeCond(ns("observed-generation-bump"), SAME, "Accepted", "True")],
      },
    ],
  },
];
