/**
 * Generated worlds and edits for the incremental-equals-full tests: every input kind, with names
 * drawn from small pools so that references between objects resolve (routes to Services and
 * Backends across namespaces, ReferenceGrants that allow it or not, BackendTLSPolicies naming
 * those targets with CA bundles in ConfigMaps and Secrets, EndpointSlices labelled for the
 * Services, listener certificates, Namespace labels for allowedRoutes selectors), plus junk.
 */
import fc from "fast-check";
import type { InputKind, KubeObject } from "../../../src/apis";
import { Store } from "../../../src/store";
import { inputKindOf, storeFromObjects } from "../../../src/store/objects";
import { TEST_CERT } from "../translate/fixtures";
import { tlsSecret } from "../translate/helpers";

const GROUP = "gateway.networking.k8s.io";
const EG = "gateway.envoyproxy.io";
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** One of the values, the first as likely as all the others together, thrice over. */
const mostly = <T>(first: T, ...others: T[]) => fc.oneof({ arbitrary: fc.constant(first), weight: 3 }, { arbitrary: fc.constantFrom(...others), weight: 1 });
const junk = fc.anything({ maxDepth: 2 });
const ns = fc.constantFrom("default", "web");
const targets = mostly("svc-a", "svc-b", "be-a");
const caName = mostly("ca", "ca-b");
const stamp = maybe(fc.constantFrom("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"));
const meta = (names: fc.Arbitrary<string>) => fc.record({ name: names, namespace: mostly("default", "web"), generation: fc.nat(3), creationTimestamp: stamp });
const refNamespace = mostly<string | undefined>(undefined, "default", "web");

const gatewayClass = fc.record({
  apiVersion: fc.constant(`${GROUP}/v1`),
  kind: fc.constant("GatewayClass"),
  metadata: fc.record({ name: fc.constant("peg") }),
  spec: fc.oneof(
    { arbitrary: fc.constant({ controllerName: "pepr.dev/envoy-gateway" }), weight: 6 },
    { arbitrary: fc.constant({ controllerName: "pepr.dev/envoy-gateway", parametersRef: { group: "x", kind: "Y", name: "z" } }), weight: 1 },
  ),
});

const listener = fc.oneof(
  {
    arbitrary: fc.record({
      name: fc.constantFrom("http", "extra"),
      port: mostly(80, 8080),
      protocol: fc.constant("HTTP"),
      hostname: mostly<string | undefined>(undefined, "a.com", "*.a.com", "b.a.com"),
      allowedRoutes: mostly<object | undefined>({ namespaces: { from: "All" } }, undefined, { namespaces: { from: "Selector", selector: { matchLabels: { team: "web" } } } }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      name: fc.constant("https"),
      port: fc.constant(443),
      protocol: fc.constant("HTTPS"),
      hostname: maybe(fc.constantFrom("a.com", "*.a.com")),
      tls: fc.record({ certificateRefs: mostly([{ name: "cert" }], [{ name: "cert", namespace: "web" }]) }),
      allowedRoutes: fc.constant({ namespaces: { from: "All" } }),
    }),
    weight: 1,
  },
);
const gateway = fc.record({
  apiVersion: fc.constant(`${GROUP}/v1`),
  kind: fc.constant("Gateway"),
  metadata: fc.record({ name: mostly("eg", "gw"), namespace: mostly("default", "web"), generation: fc.nat(3) }),
  spec: fc.oneof(
    { arbitrary: fc.record({ gatewayClassName: fc.constant("peg"), listeners: fc.uniqueArray(listener, { selector: l => l.name, minLength: 1, maxLength: 3 }) }), weight: 8 },
    { arbitrary: junk, weight: 1 },
  ),
});

const serviceRef = fc.record({ name: mostly("svc-a", "svc-b"), namespace: refNamespace, port: mostly<number | undefined>(80, 8080, undefined), weight: maybe(fc.nat(3)) }, { requiredKeys: ["name"] });
const backendObjectRef = fc.record({ name: fc.constant("be-a"), namespace: refNamespace, group: fc.constant(EG), kind: fc.constant("Backend"), weight: maybe(fc.nat(3)) }, { requiredKeys: ["name", "group", "kind"] });
const oddRef = fc.record({ name: targets, port: fc.constant(80), kind: fc.constantFrom("Service", "Backend", "ConfigMap"), group: fc.constantFrom("", EG) });
const backendRef = fc.oneof({ arbitrary: serviceRef, weight: 5 }, { arbitrary: backendObjectRef, weight: 2 }, { arbitrary: oddRef, weight: 1 });
const filter = fc.oneof(
  { arbitrary: fc.constant({ type: "RequestRedirect", requestRedirect: { scheme: "https" } }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant("RequestMirror"), requestMirror: fc.record({ backendRef, percent: maybe(fc.nat(100)) }) }), weight: 2 },
  { arbitrary: fc.constant({ type: "CORS", cors: { allowOrigins: ["https://*.a.com"] } }), weight: 1 },
  { arbitrary: junk, weight: 1 },
);
const rule = fc.record(
  {
    matches: maybe(fc.array(fc.record({ path: fc.record({ type: fc.constantFrom("PathPrefix", "Exact"), value: fc.constantFrom("/", "/x", "/x/y") }) }), { maxLength: 2 })),
    backendRefs: fc.array(backendRef, { minLength: 1, maxLength: 3 }),
    filters: maybe(fc.array(filter, { maxLength: 1 })),
  },
  { requiredKeys: [] },
);
const parentRef = fc.record(
  { name: mostly("eg", "gw"), namespace: maybe(mostly("default", "web")), sectionName: mostly<string | undefined>(undefined, "http", "https", "extra") },
  { requiredKeys: ["name"] },
);
const httpRoute = fc.record({
  apiVersion: fc.constant(`${GROUP}/v1`),
  kind: fc.constant("HTTPRoute"),
  metadata: meta(fc.constantFrom("r1", "r2", "r3", "r4")),
  spec: fc.oneof(
    {
      arbitrary: fc.record({
        parentRefs: fc.array(parentRef, { minLength: 1, maxLength: 2 }),
        hostnames: mostly<string[] | undefined>(undefined, ["a.com"], ["b.a.com", "x.a.com"], ["c.org"], []),
        rules: fc.array(rule, { minLength: 1, maxLength: 2 }),
      }),
      weight: 8,
    },
    { arbitrary: junk, weight: 1 },
  ),
});

const service = fc.record({
  apiVersion: fc.constant("v1"),
  kind: fc.constant("Service"),
  metadata: fc.record({ name: mostly("svc-a", "svc-b"), namespace: mostly("default", "web") }),
  spec: mostly<object>(
    { ports: [{ name: "http", port: 80 }, { name: "h2", port: 8080, appProtocol: "kubernetes.io/h2c" }] },
    { ports: [{ port: 80 }] },
    { type: "ExternalName", externalName: "example.com" },
  ),
});
const slice = fc.record({
  apiVersion: fc.constant("discovery.k8s.io/v1"),
  kind: fc.constant("EndpointSlice"),
  metadata: fc.record({
    name: fc.constantFrom("s1", "s2"),
    namespace: mostly("default", "web"),
    labels: fc.record({ "kubernetes.io/service-name": mostly("svc-a", "svc-b") }),
  }),
  addressType: fc.constant("IPv4"),
  endpoints: fc.array(fc.record({ addresses: fc.array(mostly("10.0.0.1", "10.0.0.2", "127.0.0.1"), { minLength: 1, maxLength: 2 }), conditions: fc.record({ ready: mostly(true, false) }) }), {
    minLength: 1,
    maxLength: 2,
  }),
  ports: fc.constantFrom([{ name: "http", port: 8080 }], [{ name: "", port: 9090 }], [{ name: "http", port: 8081 }, { name: "h2", port: 9443 }]),
});
const caRefs = fc.array(fc.record({ group: fc.constant(""), kind: mostly("ConfigMap", "Secret"), name: caName }), { minLength: 1, maxLength: 2 });
const backend = fc.record({
  apiVersion: fc.constant(`${EG}/v1alpha1`),
  kind: fc.constant("Backend"),
  metadata: fc.record({ name: fc.constant("be-a"), namespace: mostly("default", "web") }),
  spec: fc.oneof(
    fc.constant({ endpoints: [{ ip: { address: "10.1.0.1", port: 80 } }] }),
    fc.constant({ endpoints: [{ ip: { address: "10.1.0.2", port: 80 } }] }),
    fc.constant({ endpoints: [{ fqdn: { hostname: "www.example.com", port: 443 } }], tls: { wellKnownCACertificates: "System" } }),
    { arbitrary: fc.record({ endpoints: fc.constant([{ fqdn: { hostname: "api.example.com", port: 443 } }]), tls: fc.record({ caCertificateRefs: caRefs }) }), weight: 3 },
    fc.constant({ endpoints: [{ ip: { address: "169.254.169.254", port: 80 } }] }),
  ),
});
const policy = fc.record({
  apiVersion: fc.constant(`${GROUP}/v1`),
  kind: fc.constant("BackendTLSPolicy"),
  metadata: meta(fc.constantFrom("p1", "p2")),
  spec: fc.record({
    targetRefs: fc.array(
      fc.oneof(
        { arbitrary: fc.record({ group: fc.constant(""), kind: fc.constant("Service"), name: mostly("svc-a", "svc-b"), sectionName: mostly<string | undefined>(undefined, "http", "h2") }), weight: 3 },
        { arbitrary: fc.record({ group: fc.constant(EG), kind: fc.constant("Backend"), name: fc.constant("be-a") }), weight: 1 },
      ),
      { minLength: 1, maxLength: 2 },
    ),
    validation: fc.oneof(
      { arbitrary: fc.record({ hostname: mostly("a.example.com", "Bad Host"), caCertificateRefs: caRefs }), weight: 3 },
      { arbitrary: fc.constant({ hostname: "a.example.com", wellKnownCACertificates: "System" }), weight: 1 },
    ),
  }),
});
const caObject = fc.oneof(
  fc.record({ apiVersion: fc.constant("v1"), kind: fc.constant("ConfigMap"), metadata: fc.record({ name: caName, namespace: mostly("default", "web") }), data: mostly<object>({ "ca.crt": TEST_CERT }, { other: "x" }, { "ca.crt": "not a pem" }) }),
  fc.record({ apiVersion: fc.constant("v1"), kind: fc.constant("Secret"), metadata: fc.record({ name: caName, namespace: mostly("default", "web") }), stringData: mostly<object>({ "ca.crt": TEST_CERT }, {}) }),
);
const grant = fc.record({
  apiVersion: fc.constant(`${GROUP}/v1beta1`),
  kind: fc.constant("ReferenceGrant"),
  metadata: fc.record({ name: fc.constantFrom("g1", "g2"), namespace: ns }),
  spec: fc.record({
    from: fc.constantFrom([{ group: GROUP, kind: "HTTPRoute", namespace: "default" }], [{ group: GROUP, kind: "HTTPRoute", namespace: "web" }], [{ group: GROUP, kind: "Gateway", namespace: "default" }]),
    to: fc.constantFrom([{ group: "", kind: "Service" }], [{ group: EG, kind: "Backend" }], [{ group: "", kind: "Secret" }], [{ group: "", kind: "Service", name: "svc-b" }]),
  }),
});
const namespaceObject = fc.record({ apiVersion: fc.constant("v1"), kind: fc.constant("Namespace"), metadata: fc.record({ name: ns, labels: fc.constantFrom({}, { team: "web" }) }) });
const certificate = fc.constantFrom(tlsSecret("cert"), tlsSecret("cert", "web"), tlsSecret("cert", "web", "garbage"));

/** Any one input object (as the API would hand it over, or junk in the spec). */
export const anyObject: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  gatewayClass,
  gateway,
  httpRoute,
  httpRoute,
  httpRoute,
  service,
  slice,
  backend,
  policy,
  caObject,
  grant,
  namespaceObject,
  certificate,
) as fc.Arbitrary<Record<string, unknown>>;

/** An edit: put an object (added or replaced), or delete one of the same kind and name. */
export const edit = fc.record({ object: anyObject, remove: mostly(false, true) });
export type Edit = { object: Record<string, unknown>; remove: boolean };

/** A starting world: a Gateway, routes, Services and their endpoints, a Backend, and more of anything. */
export const world = fc
  .tuple(fc.tuple(gatewayClass, gateway, httpRoute, httpRoute, service, service, slice, slice, backend, certificate, policy, caObject), fc.array(anyObject, { maxLength: 16 }))
  .map(([base, rest]) => [...base, ...rest] as Record<string, unknown>[]);

/** Applies an edit as an ingest adapter would (a new Store; namespaced objects defaulted). */
export function apply(store: Store, e: Edit): Store {
  const kind = inputKindOf(e.object) as InputKind;
  const meta = e.object.metadata as { name: string; namespace?: string };
  if (e.remove) return store.without(kind, kind === "GatewayClass" || kind === "Namespace" ? undefined : meta.namespace, meta.name);
  const { store: one } = storeFromObjects([structuredClone(e.object)]);
  const object = one.list(kind)[0] as KubeObject;
  return store.with(kind, object);
}

export function storeOf(objects: readonly Record<string, unknown>[]): Store {
  return storeFromObjects(objects.map(o => structuredClone(o))).store;
}
