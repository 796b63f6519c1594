import { a } from "pepr";
import { Gateway } from "./gateway";
import { deploymentWatch, ingestWatch, startWatcher } from "../src/controller/main";
import { INPUT_KIND_INFO as K } from "../src/controller/kinds";
import { LABEL_MANAGED_BY, MANAGED_BY } from "../src/controller/dataplane/names";

/**
 * The watcher's routing table: every input kind's events go to the Store (src/controller). Pepr
 * has no "any event" binding, so each kind has one binding for creates and updates and one for
 * deletes. The watcher (rebuild loop, status writer, xDS server, data plane) starts only in the
 * watcher process; this file is also loaded by admission pods and by `pepr build`.
 */
const { When } = Gateway;

if (process.env.PEPR_WATCH_MODE === "true") startWatcher();

// GatewayClass: which classes name our controller.
When(a.GenericKind, K.GatewayClass).IsCreatedOrUpdated().Watch(ingestWatch("GatewayClass"));
// GatewayClass deleted: its Gateways stop being ours.
When(a.GenericKind, K.GatewayClass).IsDeleted().Watch(ingestWatch("GatewayClass", true));
// Gateway: listeners, addresses, infrastructure.
When(a.GenericKind, K.Gateway).IsCreatedOrUpdated().Watch(ingestWatch("Gateway"));
// Gateway deleted: its configuration and data plane go.
When(a.GenericKind, K.Gateway).IsDeleted().Watch(ingestWatch("Gateway", true));
// HTTPRoute: routes to attach.
When(a.GenericKind, K.HTTPRoute).IsCreatedOrUpdated().Watch(ingestWatch("HTTPRoute"));
// HTTPRoute deleted.
When(a.GenericKind, K.HTTPRoute).IsDeleted().Watch(ingestWatch("HTTPRoute", true));
// ReferenceGrant: cross-namespace references allowed.
When(a.GenericKind, K.ReferenceGrant).IsCreatedOrUpdated().Watch(ingestWatch("ReferenceGrant"));
// ReferenceGrant deleted: references it allowed are refused.
When(a.GenericKind, K.ReferenceGrant).IsDeleted().Watch(ingestWatch("ReferenceGrant", true));
// BackendTLSPolicy: upstream TLS for Services and Backends.
When(a.GenericKind, K.BackendTLSPolicy).IsCreatedOrUpdated().Watch(ingestWatch("BackendTLSPolicy"));
// BackendTLSPolicy deleted.
When(a.GenericKind, K.BackendTLSPolicy).IsDeleted().Watch(ingestWatch("BackendTLSPolicy", true));
// Backend (Envoy Gateway): fqdn, IP and unix socket endpoints.
When(a.GenericKind, K.Backend).IsCreatedOrUpdated().Watch(ingestWatch("Backend"));
// Backend deleted.
When(a.GenericKind, K.Backend).IsDeleted().Watch(ingestWatch("Backend", true));
// Service: ports, type (ExternalName after admission is reported), our data plane's addresses.
When(a.Service).IsCreatedOrUpdated().Watch(ingestWatch("Service"));
// Service deleted.
When(a.Service).IsDeleted().Watch(ingestWatch("Service", true));
// EndpointSlice: Service endpoints (EDS).
When(a.EndpointSlice).IsCreatedOrUpdated().Watch(ingestWatch("EndpointSlice"));
// EndpointSlice deleted.
When(a.EndpointSlice).IsDeleted().Watch(ingestWatch("EndpointSlice", true));
// Secret: listener certificates and CA bundles (only those keys are kept).
When(a.Secret).IsCreatedOrUpdated().Watch(ingestWatch("Secret"));
// Secret deleted.
When(a.Secret).IsDeleted().Watch(ingestWatch("Secret", true));
// ConfigMap: CA bundles of BackendTLSPolicies (only ca.crt is kept).
When(a.ConfigMap).IsCreatedOrUpdated().Watch(ingestWatch("ConfigMap"));
// ConfigMap deleted.
When(a.ConfigMap).IsDeleted().Watch(ingestWatch("ConfigMap", true));
// Namespace: labels for allowedRoutes selectors.
When(a.Namespace).IsCreatedOrUpdated().Watch(ingestWatch("Namespace"));
// Namespace deleted.
When(a.Namespace).IsDeleted().Watch(ingestWatch("Namespace", true));
// Envoy Deployments we manage: availability makes a Gateway Programmed.
When(a.Deployment).IsCreatedOrUpdated().WithLabel(LABEL_MANAGED_BY, MANAGED_BY).Watch(deploymentWatch());
// Envoy Deployment deleted.
When(a.Deployment).IsDeleted().WithLabel(LABEL_MANAGED_BY, MANAGED_BY).Watch(deploymentWatch(true));
