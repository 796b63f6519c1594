import { Capability, a } from "pepr";
import { BACKEND, HTTPROUTE, mutateBackend, mutateHTTPRoute, validateRequest } from "./admission";

/**
 * The routing table of this module: each binding is one line that hands off to src/ (through the
 * handlers in ./admission). Bindings name the storage version of each kind; the webhooks Pepr
 * generates use matchPolicy Equivalent, so requests for other served versions (HTTPRoute
 * v1beta1) reach them converted to that version.
 */
export const Gateway = new Capability({
  name: "envoy-gateway",
  description: "Admission policy and controller for Gateway API and Envoy Gateway Backends.",
});

const { When } = Gateway;

// Backend: make CRD defaults explicit, lowercase fqdn hostnames and drop their trailing dot.
When(a.GenericKind, BACKEND).IsCreatedOrUpdated().Mutate(mutateBackend);
// Backend: deny unsafe endpoints (loopback, metadata, cluster-internal, denied CIDRs, sockets).
When(a.GenericKind, BACKEND).IsCreatedOrUpdated().Validate(validateRequest);
// HTTPRoute: make implicit defaults explicit (backendRef group/kind, weight 1, PathPrefix "/").
When(a.GenericKind, HTTPROUTE).IsCreatedOrUpdated().Mutate(mutateHTTPRoute);
// HTTPRoute: deny ExternalName Services and regexes RE2 rejects; warn about refs status will report.
When(a.GenericKind, HTTPROUTE).IsCreatedOrUpdated().Validate(validateRequest);
