/**
 * Properties of gateway-level translation over generated worlds: objects shaped the way the CRD
 * schemas allow (and junk where a schema would have rejected it), with names drawn from small pools
 * so that references between them actually resolve.
 *
 * - translation never throws and its result is plain JSON, with the stub route level and with the
 *   real one (rules here include junk and references to Services and Backends);
 * - the same objects in another order give the same result;
 * - no listener counts more attached routes than routes accepted by its Gateway.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RouteLevel, TranslateResult } from "../../../src/translate/pipeline";
import { translateWith } from "../../../src/translate/pipeline";
import { translate } from "../../../src/translate";
import { context, stubRouteLevel, tlsSecret } from "./helpers";

const GROUP = "gateway.networking.k8s.io";
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const junk = fc.anything({ maxDepth: 2 });
const names = fc.constantFrom("eg", "gw", "a", "");
const namespaces = fc.constantFrom("default", "web");
const hostnames = fc.constantFrom("a.com", "*.a.com", "b.a.com", "*.b.a.com", "c.org", "*", "Bad_Host", "", "a.com:80");

const selector = fc.record(
  {
    matchLabels: maybe(fc.dictionary(fc.constantFrom("team", "kubernetes.io/metadata.name"), fc.constantFrom("web", "default", "a"))),
    matchExpressions: maybe(
      fc.array(
        fc.record({ key: fc.constantFrom("team", "env"), operator: fc.constantFrom("In", "NotIn", "Exists", "DoesNotExist", "Bogus"), values: maybe(fc.array(fc.constantFrom("web", "a"), { maxLength: 2 })) }),
        { maxLength: 2 },
      ),
    ),
  },
  { requiredKeys: [] },
);

const certRef = fc.record(
  { group: maybe(fc.constantFrom("", "x.io")), kind: maybe(fc.constantFrom("Secret", "ConfigMap")), name: fc.constantFrom("cert", "bad", "missing"), namespace: maybe(namespaces) },
  { requiredKeys: ["name"] },
);

const listener = fc.record(
  {
    name: fc.constantFrom("http", "https", "x", "http"),
    port: fc.oneof(fc.constantFrom(80, 443, 8080), fc.integer({ min: -1, max: 70000 })),
    protocol: fc.constantFrom("HTTP", "HTTPS", "TCP", "TLS", "http"),
    hostname: maybe(hostnames),
    allowedRoutes: maybe(
      fc.record(
        {
          namespaces: maybe(fc.record({ from: maybe(fc.constantFrom("All", "Same", "Selector", "None")), selector: maybe(selector) }, { requiredKeys: [] })),
          kinds: maybe(fc.array(fc.record({ group: maybe(fc.constantFrom(GROUP, "")), kind: fc.constantFrom("HTTPRoute", "TLSRoute") }, { requiredKeys: ["kind"] }), { maxLength: 2 })),
        },
        { requiredKeys: [] },
      ),
    ),
    tls: maybe(fc.record({ mode: maybe(fc.constantFrom("Terminate", "Passthrough")), certificateRefs: maybe(fc.array(certRef, { maxLength: 2 })) }, { requiredKeys: [] })),
  },
  { requiredKeys: ["name", "port", "protocol"] },
);

const meta = fc.record({ name: names, namespace: namespaces, generation: maybe(fc.nat(5)) }, { requiredKeys: ["name", "namespace"] });

const gatewayClass = fc.record({
  apiVersion: fc.constant(`${GROUP}/v1`),
  kind: fc.constant("GatewayClass"),
  metadata: fc.record({ name: fc.constantFrom("peg", "other") }),
  spec: fc.oneof(fc.record({ controllerName: fc.constantFrom("pepr.dev/envoy-gateway", "x.io/other") }), junk),
});

const gatewaySpec = fc.record(
  {
    gatewayClassName: fc.constantFrom("peg", "other"),
    listeners: fc.oneof(fc.array(fc.oneof(listener, listener, junk), { maxLength: 4 }), junk),
    addresses: maybe(fc.array(fc.record({ type: maybe(fc.constantFrom("IPAddress", "Hostname", "x/y")), value: maybe(fc.constantFrom("10.0.0.1", "a.com", "nope")) }, { requiredKeys: [] }), { maxLength: 2 })),
    infrastructure: maybe(fc.oneof(fc.record({ labels: maybe(fc.dictionary(fc.string(), fc.string())) }, { requiredKeys: [] }), junk)),
  },
  { requiredKeys: ["gatewayClassName"] },
);
const gateway = fc.record({ apiVersion: fc.constant(`${GROUP}/v1`), kind: fc.constant("Gateway"), metadata: meta, spec: fc.oneof(gatewaySpec, gatewaySpec, junk) });

const parentRef = fc.record(
  { name: names, namespace: maybe(namespaces), sectionName: maybe(fc.constantFrom("http", "https", "nope")), port: maybe(fc.constantFrom(80, 443, 81)), kind: maybe(fc.constantFrom("Gateway", "Service")), group: maybe(fc.constantFrom(GROUP, "")) },
  { requiredKeys: ["name"] },
);
const routeSpec = fc.record(
  {
    parentRefs: fc.oneof(fc.array(fc.oneof(parentRef, parentRef, junk), { maxLength: 3 }), junk),
    hostnames: maybe(fc.oneof(fc.array(hostnames, { maxLength: 3 }), junk)),
    rules: maybe(
      fc.oneof(
        fc.array(
          fc.record(
            {
              matches: fc.constant([{ path: { type: "PathPrefix", value: "/" } }]),
              backendRefs: maybe(fc.array(fc.record({ name: fc.constantFrom("svc", "be", "nope"), port: maybe(fc.constantFrom(80, 8080)), kind: maybe(fc.constantFrom("Service", "Backend")), group: maybe(fc.constantFrom("", "gateway.envoyproxy.io")) }, { requiredKeys: ["name"] }), { maxLength: 2 })),
              filters: maybe(fc.array(fc.oneof(fc.constant({ type: "URLRewrite", urlRewrite: { hostname: "x.com" } }), junk), { maxLength: 1 })),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 2 },
        ),
        junk,
      ),
    ),
  },
  { requiredKeys: [] },
);
const httpRoute = fc.record({ apiVersion: fc.constant(`${GROUP}/v1`), kind: fc.constant("HTTPRoute"), metadata: meta, spec: fc.oneof(routeSpec, routeSpec, junk) });

const namespace = fc.record({ apiVersion: fc.constant("v1"), kind: fc.constant("Namespace"), metadata: fc.record({ name: namespaces, labels: maybe(fc.dictionary(fc.constantFrom("team", "env"), fc.constantFrom("web", "a"))) }) });
const grant = fc.record({
  apiVersion: fc.constant(`${GROUP}/v1beta1`),
  kind: fc.constant("ReferenceGrant"),
  metadata: fc.record({ name: fc.constant("g"), namespace: namespaces }),
  spec: fc.oneof(fc.record({ from: fc.constant([{ group: GROUP, kind: "Gateway", namespace: "default" }]), to: fc.constant([{ group: "", kind: "Secret" }]) }), junk),
});
const secrets = fc.constantFrom(tlsSecret("cert"), tlsSecret("cert", "web"), tlsSecret("bad", "default", "x", "y"), { apiVersion: "v1", kind: "Secret", metadata: { name: "bad", namespace: "web" }, data: 5 });

const service = fc.record({
  apiVersion: fc.constant("v1"),
  kind: fc.constant("Service"),
  metadata: fc.record({ name: fc.constantFrom("svc", "be"), namespace: namespaces }),
  spec: fc.oneof(fc.record({ ports: fc.constant([{ port: 80 }, { name: "alt", port: 8080, appProtocol: "kubernetes.io/h2c" }]) }), fc.record({ type: fc.constant("ExternalName"), externalName: fc.constant("example.com") }), junk),
});
const backend = fc.record({
  apiVersion: fc.constant("gateway.envoyproxy.io/v1alpha1"),
  kind: fc.constant("Backend"),
  metadata: fc.record({ name: fc.constant("be"), namespace: namespaces }),
  spec: fc.oneof(fc.constant({ endpoints: [{ fqdn: { hostname: "www.example.com", port: 443 } }] }), fc.constant({ endpoints: [{ ip: { address: "169.254.169.254", port: 80 } }] }), junk),
});

const world = fc.array(fc.oneof(gatewayClass, gateway, gateway, httpRoute, httpRoute, httpRoute, namespace, grant, secrets, service, backend), { maxLength: 14 });

/** Keeps the first object of each kind/namespace/name, so that order cannot pick a different one. */
function distinct(objects: unknown[]): unknown[] {
  const seen = new Set<string>();
  return objects.filter(o => {
    const { kind, metadata } = o as { kind: string; metadata: { name?: string; namespace?: string } };
    const id = `${kind}/${metadata.namespace ?? ""}/${metadata.name ?? ""}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

const translateObjects = (objects: unknown[], rl: RouteLevel = stubRouteLevel): TranslateResult => translateWith(context(objects), rl);

describe("translation over generated worlds", () => {
  it("never throws, and yields plain JSON", () => {
    fc.assert(
      fc.property(world, objects => {
        const result = translateObjects(objects);
        expect(JSON.parse(JSON.stringify(result))).toEqual(result);
      }),
      { numRuns: 300 },
    );
  });

  it("with the real route level: never throws, plain JSON, independent of input order", () => {
    fc.assert(
      fc.property(world, objects => {
        const list = distinct(objects);
        const result = translate(context(list));
        expect(JSON.parse(JSON.stringify(result))).toEqual(result);
        expect(translate(context([...list].reverse()))).toEqual(result);
      }),
      { numRuns: 200 },
    );
  });

  it("does not depend on the order of its input", () => {
    fc.assert(
      fc.property(world, objects => {
        const list = distinct(objects);
        expect(translateObjects([...list].reverse())).toEqual(translateObjects(list));
      }),
      { numRuns: 200 },
    );
  });

  it("never throws on junk where any object would be", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ apiVersion: fc.constantFrom(`${GROUP}/v1`, "v1", "gateway.envoyproxy.io/v1alpha1"), kind: fc.constantFrom("Gateway", "GatewayClass", "HTTPRoute", "Namespace", "Secret", "Service", "Backend", "ReferenceGrant"), metadata: fc.oneof(meta, junk), spec: junk }), { maxLength: 8 }), objects => {
        translateObjects(objects);
        translate(context(objects));
      }),
      { numRuns: 300 },
    );
  });

  it("no listener counts more routes than have an accepted parent entry for its Gateway", () => {
    fc.assert(
      fc.property(world, objects => {
        const result = translateObjects(objects);
        const acceptedBy = new Map<string, Set<string>>();
        for (const e of result.status) {
          if (e.status.kind !== "parents") continue;
          for (const p of e.status.parents) {
            if (!p.conditions.some(c => c.type === "Accepted" && c.status === "True")) continue;
            const gw = `${p.parentRef.namespace ?? e.ref.namespace}/${p.parentRef.name}`;
            acceptedBy.set(gw, (acceptedBy.get(gw) ?? new Set()).add(`${e.ref.namespace}/${e.ref.name}`));
          }
        }
        for (const e of result.status) {
          if (e.status.kind !== "gateway") continue;
          const limit = acceptedBy.get(`${e.ref.namespace}/${e.ref.name}`)?.size ?? 0;
          for (const l of e.status.listeners) expect(l.attachedRoutes).toBeLessThanOrEqual(limit);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a route-level failure refuses that route only", () => {
    const throwing: RouteLevel = { ...stubRouteLevel, translateHTTPRoute: () => { throw new Error("boom"); } };
    const objects = [
      { apiVersion: `${GROUP}/v1`, kind: "GatewayClass", metadata: { name: "peg" }, spec: { controllerName: "pepr.dev/envoy-gateway" } },
      { apiVersion: `${GROUP}/v1`, kind: "Gateway", metadata: { name: "eg", namespace: "default" }, spec: { gatewayClassName: "peg", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] } },
      { apiVersion: `${GROUP}/v1`, kind: "HTTPRoute", metadata: { name: "r", namespace: "default" }, spec: { parentRefs: [{ name: "eg" }] } },
    ];
    const result = translateObjects(objects, throwing);
    const route = result.status.find(e => e.ref.kind === "HTTPRoute");
    if (route?.status.kind !== "parents") throw new Error("no route status");
    expect(route.status.parents[0].conditions[0]).toMatchObject({ type: "Accepted", status: "False", reason: "UnsupportedValue" });
    expect(result.ir.gateways).toHaveLength(1);
  });
});
