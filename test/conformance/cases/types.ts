/**
 * The shape of a conformance expectation table: one entry per upstream conformance test
 * (Gateway API v1.6.1, conformance/tests/*.go), written as data. A case names the manifests the
 * upstream test applies (besides base/manifests.yaml), then steps: optional changes to objects,
 * the status assertions the upstream test makes, and the HTTP requests it sends with what it
 * expects back.
 *
 * Names of objects are "namespace/name" (cluster-scoped: "name").
 */

export interface Cond {
  type: string;
  status: "True" | "False" | "Unknown";
  /** Omitted = any reason (as the upstream assertion says). */
  reason?: string;
}

export type StatusAssertion =
  /** The Gateway is ready and each route has a parent for it with Accepted=True (reason Accepted);
   *  every listener of the Gateway has Accepted, ResolvedRefs and Programmed True. One expected
   *  parent per listener name given (none given = one parent). */
  | { type: "routesAccepted"; gateway: string; routes: string[]; listeners?: string[] }
  /** A parent of the route naming the Gateway has the condition; every parent's conditions are current. */
  | { type: "routeCondition"; route: string; gateway: string; condition: Cond }
  /** No parent, or exactly one with Accepted=False. */
  | { type: "routeNoAcceptedParents"; route: string }
  /** Each expected parent is present (controller, group, kind, name, namespace) with its conditions. */
  | { type: "routeParents"; route: string; namespaceRequired: boolean; parents: Array<{ gateway: string; namespaceInRef: boolean; conditions: Cond[] }> }
  /** The Gateway's conditions are current and include this one. */
  | { type: "gatewayCondition"; gateway: string; condition: Cond }
  /** Every Gateway condition carries the Gateway's current generation. */
  | { type: "gatewayLatest"; gateway: string }
  /** Exactly these listeners (by name), each with the kinds, attached routes and conditions given. */
  | { type: "gatewayListeners"; gateway: string; listeners: ListenerExpectation[] }
  /** No listener status, or one listener with attachedRoutes 0. */
  | { type: "gatewayZeroRoutes"; gateway: string }
  /** Every Gateway of these namespaces (without the skip-for-readiness annotation) is Accepted and Programmed, conditions current. */
  | { type: "namespacesReady"; namespaces: string[] }
  /** The GatewayClass has an Accepted condition (with this status, if given), conditions current. */
  | { type: "gatewayClassAccepted"; name: string; status?: "True" }
  /** Every ancestor condition of the BackendTLSPolicy carries its current generation. */
  | { type: "policyLatest"; policy: string }
  /** A BackendTLSPolicy ancestor naming the Gateway has the condition; every ancestor's conditions are current. */
  | { type: "policyCondition"; policy: string; gateway: string; condition: Cond }
  /** The Gateway's status addresses, in order. */
  | { type: "gatewayAddresses"; gateway: string; addresses: Array<{ type: string; value: string }> };

export interface ListenerExpectation {
  name: string;
  /** Route kinds (group gateway.networking.k8s.io) that must be among supportedKinds; [] = must be empty. */
  supportedKinds: string[];
  attachedRoutes: number;
  conditions: Cond[];
}

export interface RequestCase {
  /** The upstream subtest's name or description. */
  name?: string;
  /** `namespace/name` of the Gateway whose address the request goes to. */
  gateway: string;
  /** Port of the Gateway address; default: the Gateway's first listener port (the upstream helper's choice). */
  port?: number;
  /** The upstream helper was told to drop the port from the address (multi-listener Gateways). */
  portless?: boolean;
  scheme?: "http" | "https";
  /** TLS server name (https). */
  sni?: string;
  host?: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** HTTP/2 with prior knowledge over cleartext. */
  h2c?: boolean;
  websocket?: boolean;
  /** Headers the echo backend is asked to set on its response. */
  backendSetResponseHeaders?: Record<string, string>;
  expect: ResponseExpectation;
}

export interface ResponseExpectation {
  /** Allowed status codes; default [200]. */
  status?: number[];
  /** Prefix of the pod (the Deployment name) that must serve the request. */
  backend?: string;
  namespace?: string;
  /** What the backend must receive; default: the request as sent. */
  request?: { host?: string; path?: string; method?: string; headers?: Record<string, string>; absentHeaders?: string[]; sni?: string };
  responseHeaders?: Record<string, string>;
  /** Response header → any of these values. */
  validHeaderValues?: Record<string, string[]>;
  ignoreWhitespace?: boolean;
  absentResponseHeaders?: string[];
  redirect?: { scheme?: string; host?: string; port?: string; path?: string };
  mirroredTo?: Array<{ name: string; namespace: string; percent?: number }>;
  /** The request must not succeed (MakeRequestAndExpectFailure). */
  failure?: boolean;
  /** Share of requests each backend (pod prefix) must get, within ±0.05. */
  weights?: Record<string, number>;
  /** Every request carries a header naming the backend that must serve it. */
  backendFromHeader?: string;
  /** A WebSocket connection must be established with the backend. */
  websocket?: boolean;
}

export interface Mutation {
  kind: string;
  name: string; // namespace/name
  /** Changes the object in place (its metadata.generation is bumped); absent = delete the object. */
  change?: (object: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface Step {
  title?: string;
  mutate?: Mutation[];
  status?: StatusAssertion[];
  requests?: RequestCase[];
}

export interface ConformanceCase {
  /** The upstream test's ShortName. */
  name: string;
  features: string[];
  /** Files under conformance/tests/ applied on top of base/manifests.yaml. */
  manifests: string[];
  steps: Step[];
  /** What the upstream test checks that this replay cannot, and why. */
  notReplayed?: string;
}
