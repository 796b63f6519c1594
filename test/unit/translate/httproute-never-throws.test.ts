/**
 * Property: translateHTTPRoute never throws, on routes the CRD schema allows and on junk, and its
 * output keeps its invariants (unique names, every referenced cluster listed, conditions carrying
 * the generation, deterministic).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HTTPRoute } from "../../../src/apis";
import type { ForwardActionIR } from "../../../src/ir/types";
import { translateHTTPRoute } from "../../../src/translate/httproute";
import type { RouteTranslation } from "../../../src/translate/types";
import { PEM, backendObj, caConfigMap, ctxOf, service, slice } from "./route-fixtures";

const ctx = ctxOf([
  service("a", [{ name: "http", port: 80 }, { name: "h2", port: 81, appProtocol: "kubernetes.io/h2c" }]),
  service("ext", [{ port: 443 }], "default", { type: "ExternalName", externalName: "x.example.com" }),
  service("far", [{ port: 80 }], "apps"),
  slice("a", [{ addresses: ["10.0.0.1"] }], [{ name: "http", port: 8080 }]),
  backendObj("be", [{ fqdn: { hostname: "api.example.com", port: 443 } }]),
  backendObj("meta", [{ ip: { address: "169.254.169.254", port: 80 } }]),
  caConfigMap("ca"),
  { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "default" }, data: { "ca.crt": Buffer.from(PEM).toString("base64") } },
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "BackendTLSPolicy",
    metadata: { name: "p", namespace: "default" },
    spec: { targetRefs: [{ group: "", kind: "Service", name: "a", sectionName: "h2" }], validation: { hostname: "a.example.com", caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "ca" }] } },
  },
]);

const path = fc.oneof(
  fc.record({ type: fc.constantFrom("Exact", "PathPrefix"), value: fc.constantFrom("/", "/a", "/a/", "/a/b", "/v2", "bad", "/a//b") }, { requiredKeys: [] }),
  fc.record({ type: fc.constant("RegularExpression"), value: fc.constantFrom("/v[0-9]+", "(?=x)", ".*", "[") }),
);
const named = fc.record({ name: fc.constantFrom("version", "Version", "x-a", "q", ":path"), type: fc.constantFrom("Exact", "RegularExpression", undefined), value: fc.constantFrom("one", "t.*", "(", "") }, { requiredKeys: ["name", "value"] });
const match = fc.record(
  { path, headers: fc.array(named, { maxLength: 3 }), queryParams: fc.array(named, { maxLength: 3 }), method: fc.constantFrom("GET", "POST", "get") },
  { requiredKeys: [] },
);
const backendRef = fc.record(
  {
    group: fc.constantFrom("", "gateway.envoyproxy.io", "example.com"),
    kind: fc.constantFrom("Service", "Backend", "Pod"),
    name: fc.constantFrom("a", "ext", "far", "be", "meta", "missing"),
    namespace: fc.constantFrom("default", "apps"),
    port: fc.constantFrom(80, 81, 443, 9999),
    weight: fc.constantFrom(0, 1, 5, 1_000_000),
    filters: fc.array(fc.constantFrom({ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "b", value: "1" }] } }, { type: "ExtensionRef", extensionRef: { group: "x.io", kind: "K", name: "n" } }, { type: "URLRewrite", urlRewrite: {} }), { maxLength: 2 }),
  },
  { requiredKeys: ["name"] },
);
const filter = fc.constantFrom<unknown>(
  { type: "RequestHeaderModifier", requestHeaderModifier: { add: [{ name: "x", value: "y" }], remove: ["z"] } },
  { type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ name: "x", value: "y" }] } },
  { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } },
  { type: "RequestRedirect", requestRedirect: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/x" } } },
  { type: "URLRewrite", urlRewrite: { hostname: "a.example.com", path: { type: "ReplaceFullPath", replaceFullPath: "/" } } },
  { type: "RequestMirror", requestMirror: { backendRef: { name: "a", port: 80 }, fraction: { numerator: 1, denominator: 3 } } },
  { type: "RequestMirror", requestMirror: { backendRef: { name: "missing", port: 80 } } },
  { type: "CORS", cors: { allowOrigins: ["*"], maxAge: 10 } },
  { type: "ExtensionRef", extensionRef: { group: "x.io", kind: "K", name: "n" } },
  { type: "Unknown" },
);
const rule = fc.record(
  {
    name: fc.constantFrom("r-one", "r-two"),
    matches: fc.array(match, { maxLength: 3 }),
    filters: fc.array(filter, { maxLength: 3 }),
    backendRefs: fc.array(backendRef, { maxLength: 3 }),
    timeouts: fc.record({ request: fc.constantFrom("1s", "0s", "10ms", "1d"), backendRequest: fc.constantFrom("500ms", "2s") }, { requiredKeys: [] }),
    retry: fc.record({ attempts: fc.constantFrom(1, 3, 0), codes: fc.constant([500, 503]), backoff: fc.constantFrom("100ms", "x") }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const schemaRoute = fc.record({
  apiVersion: fc.constant("gateway.networking.k8s.io/v1"),
  kind: fc.constant("HTTPRoute"),
  metadata: fc.record({ name: fc.constantFrom("r1", "r2"), namespace: fc.constantFrom("default", "apps"), generation: fc.integer({ min: 1, max: 9 }) }),
  spec: fc.record({ parentRefs: fc.constant([{ name: "gw" }]), rules: fc.array(rule, { maxLength: 4 }) }, { requiredKeys: ["parentRefs"] }),
});

/** Replaces one random node of a valid route with arbitrary junk. */
const junkRoute = fc.tuple(schemaRoute, fc.anything(), fc.nat()).map(([r, junk, pick]) => {
  const copy = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
  const nodes: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach((x, i) => (nodes.push([v, i]), walk(x)));
    else if (v && typeof v === "object") for (const k of Object.keys(v)) (nodes.push([v as Record<string, unknown>, k]), walk((v as Record<string, unknown>)[k]));
  };
  walk(copy);
  if (nodes.length) {
    const [parent, key] = nodes[pick % nodes.length];
    (parent as Record<string | number, unknown>)[key] = junk;
  }
  return copy;
});

function checkInvariants(route: unknown, t: RouteTranslation): void {
  const generation = (route as { metadata?: { generation?: unknown } })?.metadata?.generation;
  const names = t.routes.map(r => r.ir.name);
  expect(new Set(names).size).toBe(names.length);
  const clusterNames = t.clusters.map(c => c.name);
  expect([...clusterNames].sort()).toEqual(clusterNames);
  expect(new Set(clusterNames).size).toBe(clusterNames.length);
  for (const r of t.routes) {
    const a = r.ir.action;
    expect(["forward", "redirect", "direct"]).toContain(a.kind);
    if (a.kind === "forward") {
      const used = [...(a as ForwardActionIR).backends.map(b => b.clusterName), ...(a as ForwardActionIR).mirrors.map(m => m.clusterName)];
      for (const c of used) expect(clusterNames).toContain(c);
      expect((a as ForwardActionIR).backends.length).toBeGreaterThan(0);
    }
  }
  if (t.notAccepted) expect(t.routes).toEqual([]);
  if (typeof generation === "number") {
    for (const c of [t.resolvedRefs, t.notAccepted, t.partiallyInvalid]) if (c) expect(c.observedGeneration).toBe(generation);
  }
}

describe("translateHTTPRoute never throws", () => {
  it("on routes the CRD schema allows (and some values it forbids)", () => {
    fc.assert(
      fc.property(schemaRoute, r => {
        const t = translateHTTPRoute(ctx, r as unknown as HTTPRoute);
        checkInvariants(r, t);
        expect(JSON.stringify(translateHTTPRoute(ctx, r as unknown as HTTPRoute))).toBe(JSON.stringify(t));
      }),
      { numRuns: 400 },
    );
  });

  it("on valid routes with one node replaced by junk", () => {
    fc.assert(
      fc.property(junkRoute, r => {
        checkInvariants(r, translateHTTPRoute(ctx, r as unknown as HTTPRoute));
      }),
      { numRuns: 400 },
    );
  });

  it("on anything at all", () => {
    fc.assert(
      fc.property(fc.anything(), junk => {
        const t = translateHTTPRoute(ctx, junk as HTTPRoute);
        expect(Array.isArray(t.routes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
