/**
 * Gateway and GatewayClass status: attached route counts, listeners added and removed,
 * observedGeneration after spec changes, invalid route kinds, unsupported protocols, certificate
 * references (missing, malformed, wrong kind or group, cross-namespace with and without a
 * ReferenceGrant), invalid parametersRef, static addresses.
 */
import type { ConformanceCase, Cond, ListenerExpectation } from "./types";
import { INFRA, gwCond, httpListener, ns } from "./helpers";

const refFailure = (reason: string): Cond[] => [{ type: "ResolvedRefs", status: "False", reason }];
const secretListener = (name: string, conditions: Cond[]): ListenerExpectation => ({ name, supportedKinds: ["HTTPRoute"], attachedRoutes: 0, conditions });
const PROGRAMMED_RESOLVED: Cond[] = [
  { type: "Programmed", status: "True", reason: "Programmed" },
  { type: "ResolvedRefs", status: "True" },
];

function listenersOf(gateway: string, listeners: ListenerExpectation[]) {
  return { type: "gatewayListeners" as const, gateway, listeners };
}

export const gatewayCases: ConformanceCase[] = [
  {
    name: "GatewayWithAttachedRoutes",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["gateway-with-attached-routes.yaml"],
    steps: [
      {
        status: [
          listenersOf(ns("gateway-with-one-attached-route"), [httpListener("http", 1)]),
          listenersOf(ns("gateway-with-two-attached-routes"), [httpListener("http", 2)]),
          listenersOf(ns("unresolved-gateway-with-one-attached-unresolved-route"), [
            httpListener("tls", 1, [
              { type: "Programmed", status: "False" },
              { type: "ResolvedRefs", status: "False" },
            ]),
          ]),
          { type: "routeCondition", route: ns("http-route-4"), gateway: ns("unresolved-gateway-with-one-attached-unresolved-route"), condition: { type: "ResolvedRefs", status: "False" } },
        ],
      },
    ],
  },
  {
    name: "GatewayWithAttachedRoutesWithPort8080",
    features: ["Gateway", "GatewayPort8080", "HTTPRoute"],
    manifests: ["gateway-with-attached-routes-with-port-8080.yaml"],
    steps: [{ status: [listenersOf(ns("gateway-with-two-listeners-and-one-attached-route"), [httpListener("http-unattached", 0), httpListener("http", 1)])] }],
  },
  {
    name: "GatewayModifyListeners",
    features: ["Gateway"],
    manifests: ["gateway-modify-listeners.yaml"],
    steps: [
      { title: "before the changes", status: [{ type: "namespacesReady", namespaces: [INFRA] }, { type: "gatewayLatest", gateway: ns("gateway-add-listener") }, { type: "gatewayLatest", gateway: ns("gateway-remove-listener") }] },
      {
        title: "a listener added becomes available",
        mutate: [
          {
            kind: "Gateway",
            name: ns("gateway-add-listener"),
            change: o => o.spec.listeners.push({ name: "http", port: 80, protocol: "HTTP", hostname: "data.test.com", allowedRoutes: { namespaces: { from: "All" } } }),
          },
        ],
        status: [{ type: "namespacesReady", namespaces: [INFRA] }, listenersOf(ns("gateway-add-listener"), [httpListener("https", 1), httpListener("http", 1)])],
      },
      {
        title: "a listener removed stops routing",
        mutate: [{ kind: "Gateway", name: ns("gateway-remove-listener"), change: o => (o.spec.listeners = o.spec.listeners.filter((l: { name: string }) => l.name === "http")) }],
        status: [{ type: "namespacesReady", namespaces: [INFRA] }, listenersOf(ns("gateway-remove-listener"), [httpListener("http", 1)])],
      },
    ],
  },
  {
    name: "GatewayObservedGenerationBump",
    features: ["Gateway"],
    manifests: ["gateway-observed-generation-bump.yaml"],
    steps: [
      { title: "before the change", status: [{ type: "namespacesReady", namespaces: [INFRA] }, { type: "gatewayLatest", gateway: ns("gateway-observed-generation-bump") }] },
      {
        title: "after a listener is added",
        mutate: [
          {
            kind: "Gateway",
            name: ns("gateway-observed-generation-bump"),
            change: o => o.spec.listeners.push({ name: "alternate", hostname: "foo.com", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }),
          },
        ],
        status: [{ type: "namespacesReady", namespaces: [INFRA] }, { type: "gatewayLatest", gateway: ns("gateway-observed-generation-bump") }],
      },
    ],
  },
  {
    name: "GatewayClassObservedGenerationBump",
    features: ["Gateway"],
    manifests: ["gatewayclass-observed-generation-bump.yaml"],
    steps: [
      { title: "before the change", status: [{ type: "gatewayClassAccepted", name: "gatewayclass-observed-generation-bump", status: "True" }] },
      {
        title: "after the description changes",
        mutate: [{ kind: "GatewayClass", name: "gatewayclass-observed-generation-bump", change: o => (o.spec.description = "new") }],
        status: [{ type: "gatewayClassAccepted", name: "gatewayclass-observed-generation-bump", status: "True" }],
      },
    ],
  },
  {
    name: "GatewayInvalidRouteKind",
    features: ["Gateway"],
    manifests: ["gateway-invalid-route-kind.yaml"],
    steps: [
      {
        status: [
          listenersOf(ns("gateway-only-invalid-route-kind"), [{ name: "http", supportedKinds: [], attachedRoutes: 0, conditions: refFailure("InvalidRouteKinds") }]),
          listenersOf(ns("gateway-supported-and-invalid-route-kind"), [{ name: "http", supportedKinds: ["HTTPRoute"], attachedRoutes: 0, conditions: refFailure("InvalidRouteKinds") }]),
        ],
      },
    ],
  },
  {
    name: "GatewayListenerUnsupportedProtocol",
    features: ["Gateway"],
    manifests: ["gateway-invalid-listeners-unsupported-protocol.yaml"],
    steps: [
      {
        status: [
          gwCond(ns("gateway-only-unsupported-protocols"), "Accepted", "False", "ListenersNotValid"),
          listenersOf(ns("gateway-only-unsupported-protocols"), [{ name: "invalid", supportedKinds: [], attachedRoutes: 0, conditions: [{ type: "Accepted", status: "False", reason: "UnsupportedProtocol" }] }]),
          gwCond(ns("gateway-supported-and-unsupported-protocols"), "Accepted", "True", "ListenersNotValid"),
          listenersOf(ns("gateway-supported-and-unsupported-protocols"), [
            httpListener("http", 0, [{ type: "Accepted", status: "True", reason: "Accepted" }]),
            { name: "invalid", supportedKinds: [], attachedRoutes: 0, conditions: [{ type: "Accepted", status: "False", reason: "UnsupportedProtocol" }] },
          ]),
        ],
      },
    ],
  },
  {
    name: "GatewayInvalidTLSConfiguration",
    features: ["Gateway"],
    manifests: ["gateway-invalid-tls-configuration.yaml"],
    steps: [
      {
        status: ["nonexistent-secret", "unsupported-group", "unsupported-kind", "malformed-secret"].map(g =>
          listenersOf(ns(`gateway-certificate-${g}`), [secretListener("https", refFailure("InvalidCertificateRef"))]),
        ),
      },
    ],
  },
  {
    name: "GatewaySecretInvalidReferenceGrant",
    features: ["Gateway", "ReferenceGrant"],
    manifests: ["gateway-secret-invalid-reference-grant.yaml"],
    steps: [{ status: [listenersOf(ns("gateway-secret-invalid-reference-grant"), [secretListener("https", refFailure("RefNotPermitted"))])] }],
  },
  {
    name: "GatewaySecretMissingReferenceGrant",
    features: ["Gateway", "ReferenceGrant"],
    manifests: ["gateway-secret-missing-reference-grant.yaml"],
    steps: [
      {
        status: [
          listenersOf(ns("gateway-secret-missing-reference-grant"), [secretListener("https", refFailure("RefNotPermitted"))]),
        ],
      },
    ],
  },
  {
    name: "GatewaySecretReferenceGrantAllInNamespace",
    features: ["Gateway", "ReferenceGrant"],
    manifests: ["gateway-secret-reference-grant-all-in-namespace.yaml"],
    steps: [{ status: [listenersOf(ns("gateway-secret-reference-grant-all-in-namespace"), [secretListener("https", PROGRAMMED_RESOLVED)])] }],
  },
  {
    name: "GatewaySecretReferenceGrantSpecific",
    features: ["Gateway", "ReferenceGrant"],
    manifests: ["gateway-secret-reference-grant-specific.yaml"],
    steps: [{ status: [listenersOf(ns("gateway-secret-reference-grant-specific"), [secretListener("https", PROGRAMMED_RESOLVED)])] }],
  },
  {
    name: "GatewayInvalidParametersRef",
    features: ["Gateway"],
    manifests: ["gateway-invalid-parameters-ref.yaml"],
    steps: [{ status: [gwCond(ns("gateway-invalid-parameters-ref"), "Accepted", "False", "InvalidParameters")] }],
  },
  {
    name: "GatewayOptionalAddressValue",
    features: ["Gateway", "GatewayAddressEmpty"],
    manifests: ["gateway-optional-address-value.yaml"],
    steps: [{ status: [{ type: "namespacesReady", namespaces: [INFRA] }, { type: "gatewayLatest", gateway: ns("gateway-without-address-value") }] }],
    notReplayed: "the address the suite then waits for is assigned by provisioning (the Gateway's Service), not by translation",
  },
  {
    name: "GatewayStaticAddresses",
    features: ["Gateway", "GatewayStaticAddresses"],
    manifests: ["gateway-static-addresses.yaml"],
    steps: [
      {
        title: "an address of an unsupported type",
        mutate: [{ kind: "Gateway", name: ns("gateway-static-addresses"), change: o => (o.spec.addresses = [o.spec.addresses[0], { type: "IPAddress", value: "192.0.2.77" }]) }],
        status: [gwCond(ns("gateway-static-addresses"), "Accepted", "False", "UnsupportedAddress")],
      },
      {
        title: "only the usable address left",
        mutate: [{ kind: "Gateway", name: ns("gateway-static-addresses"), change: o => (o.spec.addresses = [{ type: "IPAddress", value: "192.0.2.77" }]) }],
        status: [
          gwCond(ns("gateway-static-addresses"), "Accepted", "True", "Accepted"),
          gwCond(ns("gateway-static-addresses"), "Programmed", "True", "Programmed"),
          listenersOf(ns("gateway-static-addresses"), [httpListener("http", 0)]),
          { type: "gatewayAddresses", gateway: ns("gateway-static-addresses"), addresses: [{ type: "IPAddress", value: "192.0.2.77" }] },
        ],
      },
    ],
    notReplayed:
      "the suite substitutes usable and unusable addresses of the test environment for its placeholders; here the usable one is 192.0.2.77 and the unusable-address step (Programmed=False, AddressNotUsable) is not replayed, since which address a cluster cannot use is not a property of translation",
  },
];
