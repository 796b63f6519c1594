import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Backend, HTTPRoute } from "../../../src/apis";
import { defaultBackend, defaultHTTPRoute } from "../../../src/policy";

const asRoute = (spec: unknown) => ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "r" }, spec }) as HTTPRoute;
const asBackend = (spec: unknown) => ({ apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "Backend", metadata: { name: "b" }, spec }) as Backend;

describe("defaultHTTPRoute: the v1.6.1 HTTPRoute CRD defaults made explicit", () => {
  it("defaults parentRefs group and kind", () => {
    const out = defaultHTTPRoute(asRoute({ parentRefs: [{ name: "eg" }] }));
    expect(out.spec.parentRefs).toEqual([{ name: "eg", group: "gateway.networking.k8s.io", kind: "Gateway" }]);
  });

  it("defaults absent rules to one rule matching PathPrefix /", () => {
    const out = defaultHTTPRoute(asRoute({ parentRefs: [] }));
    expect(out.spec.rules).toEqual([{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }]);
  });

  it("defaults a rule without matches to a PathPrefix / match, and keeps an explicit empty list", () => {
    const out = defaultHTTPRoute(asRoute({ rules: [{ backendRefs: [] }, { matches: [] }] }));
    expect(out.spec.rules?.[0].matches).toEqual([{ path: { type: "PathPrefix", value: "/" } }]);
    expect(out.spec.rules?.[1].matches).toEqual([]);
  });

  it("defaults match paths, path type and value, header and query parameter types", () => {
    const out = defaultHTTPRoute(
      asRoute({
        rules: [
          {
            matches: [
              { path: { value: "/api" } },
              { headers: [{ name: "x", value: "1" }], queryParams: [{ name: "q", value: "2", type: "RegularExpression" }] },
              { path: { type: "Exact" } },
            ],
          },
        ],
      }),
    );
    expect(out.spec.rules?.[0].matches).toEqual([
      { path: { type: "PathPrefix", value: "/api" } },
      {
        path: { type: "PathPrefix", value: "/" },
        headers: [{ name: "x", value: "1", type: "Exact" }],
        queryParams: [{ name: "q", value: "2", type: "RegularExpression" }],
      },
      { path: { type: "Exact", value: "/" } },
    ]);
  });

  it("defaults backendRefs to group \"\", kind Service, weight 1 and keeps explicit values", () => {
    const out = defaultHTTPRoute(
      asRoute({ rules: [{ backendRefs: [{ name: "a", port: 80 }, { name: "b", group: "gateway.envoyproxy.io", kind: "Backend", weight: 0 }] }] }),
    );
    expect(out.spec.rules?.[0].backendRefs).toEqual([
      { name: "a", port: 80, group: "", kind: "Service", weight: 1 },
      { name: "b", group: "gateway.envoyproxy.io", kind: "Backend", weight: 0 },
    ]);
  });

  it("defaults filter fields: mirror backendRef and fraction, redirect status code", () => {
    const filters = [
      { type: "RequestMirror", requestMirror: { backendRef: { name: "m", port: 80 }, fraction: { numerator: 5 } } },
      { type: "RequestRedirect", requestRedirect: { scheme: "https" } },
    ];
    const out = defaultHTTPRoute(asRoute({ rules: [{ filters, backendRefs: [{ name: "a", port: 80, filters }] }] }));
    const expected = [
      { type: "RequestMirror", requestMirror: { backendRef: { name: "m", port: 80, group: "", kind: "Service" }, fraction: { numerator: 5, denominator: 100 } } },
      { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 302 } },
    ];
    expect(out.spec.rules?.[0].filters).toEqual(expected);
    expect(out.spec.rules?.[0].backendRefs?.[0].filters).toEqual(expected);
  });

  it("returns a new object and leaves the input unchanged", () => {
    const input = asRoute({ rules: [{ backendRefs: [{ name: "a", port: 80 }] }] });
    const before = structuredClone(input);
    const out = defaultHTTPRoute(input);
    expect(input).toEqual(before);
    expect(out).not.toBe(input);
    expect(out.spec.rules?.[0]).not.toBe(input.spec.rules?.[0]);
  });

  it("leaves malformed parts alone", () => {
    const input = asRoute({ rules: "nope", parentRefs: [null, 3] });
    expect(defaultHTTPRoute(input)).toEqual(input);
    expect(defaultHTTPRoute(asRoute({ rules: [{ matches: [{ path: "x" }], backendRefs: "y" }] })).spec.rules).toEqual([
      { matches: [{ path: "x" }], backendRefs: "y" },
    ]);
  });
});

describe("defaultBackend", () => {
  it("lowercases fqdn hostnames, drops one trailing dot and sets the CRD defaults", () => {
    const out = defaultBackend(
      asBackend({ endpoints: [{ fqdn: { hostname: "WWW.HttpBin.ORG.", port: 443 } }, { ip: { address: "192.0.2.1", port: 80 } }], tls: {} }),
    );
    expect(out.spec).toEqual({
      type: "Endpoints",
      tls: { insecureSkipVerify: false },
      endpoints: [{ fqdn: { hostname: "www.httpbin.org", port: 443 } }, { ip: { address: "192.0.2.1", port: 80 } }],
    });
  });

  it("leaves malformed hostnames for validation to report", () => {
    const odd = ["Example.COM..", "É.example.com", "a b.com"];
    const out = defaultBackend(asBackend({ endpoints: odd.map(hostname => ({ fqdn: { hostname, port: 1 } })) }));
    expect(out.spec.endpoints?.map(e => e.fqdn?.hostname)).toEqual(odd);
  });

  it("does not change its input", () => {
    const input = asBackend({ endpoints: [{ fqdn: { hostname: "A.COM", port: 1 } }] });
    defaultBackend(input);
    expect(input.spec.endpoints?.[0].fqdn?.hostname).toBe("A.COM");
  });
});

// Arbitrary route-like objects: known field names with arbitrary and well-formed values mixed.
const anyValue = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string({ maxLength: 6 }), fc.integer(), fc.anything({ maxDepth: 1 }));
const match = fc.record(
  {
    path: fc.oneof(anyValue, fc.record({ type: fc.constantFrom("Exact", "PathPrefix", "RegularExpression"), value: fc.constantFrom("/", "/a") }, { requiredKeys: [] })),
    headers: fc.oneof(anyValue, fc.array(fc.record({ name: fc.string(), value: fc.string(), type: anyValue }, { requiredKeys: ["name"] }), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);
const refArb = fc.record({ name: fc.string({ maxLength: 4 }), group: anyValue, kind: anyValue, weight: anyValue, port: anyValue }, { requiredKeys: ["name"] });
const filter = fc.record(
  { type: fc.string(), requestMirror: fc.oneof(anyValue, fc.record({ backendRef: fc.oneof(anyValue, refArb) }, { requiredKeys: [] })), requestRedirect: anyValue },
  { requiredKeys: [] },
);
const rule = fc.record(
  {
    matches: fc.oneof(anyValue, fc.array(fc.oneof(match, anyValue), { maxLength: 3 })),
    backendRefs: fc.oneof(anyValue, fc.array(fc.oneof(refArb, fc.record({ name: fc.string(), filters: fc.array(filter, { maxLength: 2 }) })), { maxLength: 3 })),
    filters: fc.oneof(anyValue, fc.array(filter, { maxLength: 2 })),
  },
  { requiredKeys: [] },
);
const routeSpec = fc.record(
  { parentRefs: fc.oneof(anyValue, fc.array(fc.record({ name: fc.string(), kind: anyValue }), { maxLength: 2 })), rules: fc.oneof(anyValue, fc.array(rule, { maxLength: 3 })) },
  { requiredKeys: [] },
);
const hostnameArb = fc.oneof(fc.string({ maxLength: 12 }), fc.domain().map(d => d.toUpperCase() + "."), fc.domain(), fc.constant("A.b.."));
const backendSpec = fc.record(
  { endpoints: fc.oneof(anyValue, fc.array(fc.oneof(anyValue, fc.record({ fqdn: fc.record({ hostname: hostnameArb, port: fc.integer() }) })), { maxLength: 4 })), tls: anyValue },
  { requiredKeys: [] },
);

describe("defaulting properties", () => {
  it("defaultHTTPRoute is idempotent and never changes its input", () => {
    fc.assert(
      fc.property(routeSpec, spec => {
        const input = asRoute(spec);
        const snapshot = structuredClone(input);
        const once = defaultHTTPRoute(input);
        expect(defaultHTTPRoute(once)).toEqual(once);
        expect(input).toEqual(snapshot);
      }),
      { numRuns: 300 },
    );
  });

  it("defaultBackend is idempotent and never changes its input", () => {
    fc.assert(
      fc.property(backendSpec, spec => {
        const input = asBackend(spec);
        const snapshot = structuredClone(input);
        const once = defaultBackend(input);
        expect(defaultBackend(once)).toEqual(once);
        expect(input).toEqual(snapshot);
      }),
      { numRuns: 300 },
    );
  });
});
