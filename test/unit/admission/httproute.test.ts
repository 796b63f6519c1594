/**
 * HTTPRoute admission through the capability's real bindings: Pepr's admission server receives
 * AdmissionReview v1 requests; the Services and ReferenceGrants the policy looks up are read over
 * HTTP from the FakeKube, which stands in for the cluster's kube-apiserver.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admission } from "./harness";
import { HTTPROUTE_GVK, admissionRequest, annotated, applyPatch, decodePatch } from "./review";

type Obj = Record<string, unknown>;

const route = (rules: unknown, ns = "default"): Obj => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: "web", namespace: ns, uid: "9d2e", resourceVersion: "3" },
  spec: { parentRefs: [{ name: "eg", namespace: "infra" }], hostnames: ["www.example.com"], rules },
});
const toRef = (ref: Obj) => route([{ backendRefs: [{ port: 80, ...ref }] }]);

const service = (namespace: string, name: string, spec: Obj): Obj => ({ apiVersion: "v1", kind: "Service", metadata: { namespace, name }, spec });

let admission: Admission;

beforeAll(async () => {
  admission = await Admission.start();
  const kube = admission.kube;
  kube.addService(service("default", "web", { type: "ClusterIP", ports: [{ port: 80 }] }));
  kube.addService(service("default", "legacy", { type: "ExternalName", externalName: "db.internal.example.com" }));
  kube.addService(service("shared", "api", { type: "ClusterIP", ports: [{ port: 80 }] }));
  kube.addService(service("shared", "billing", { type: "ClusterIP", ports: [{ port: 80 }] }));
  kube.addReferenceGrant({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "ReferenceGrant",
    metadata: { namespace: "shared", name: "from-default" },
    spec: { from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "default" }], to: [{ group: "", kind: "Service", name: "api" }] },
  });
  kube.fault("services/default/flaky", "fail");
  kube.fault("services/default/stuck", "hang");
  kube.fault("referencegrants/locked", "fail");
});

afterAll(async () => {
  await admission?.close();
});

const create = (obj: Obj, requestVersion?: string) => admissionRequest("CREATE", HTTPROUTE_GVK, obj, { requestVersion });
const update = (obj: Obj, oldObject: Obj) => admissionRequest("UPDATE", HTTPROUTE_GVK, obj, { oldObject });

describe("HTTPRoute defaulting (Mutate)", () => {
  it("makes the implicit defaults explicit; mutating again changes nothing", async () => {
    const input = route([{ backendRefs: [{ name: "web", port: 80 }] }, { matches: [{ headers: [{ name: "x-env", value: "a" }] }], backendRefs: [] }]);
    const res = await admission.mutate(create(input));
    expect(res.allowed).toBe(true);
    const mutated = applyPatch(input, decodePatch(res));
    // Defaults of the Gateway API v1.6.1 HTTPRoute CRD.
    const expected = annotated(
      route([
        { matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ group: "", kind: "Service", name: "web", port: 80, weight: 1 }] },
        { matches: [{ path: { type: "PathPrefix", value: "/" }, headers: [{ name: "x-env", value: "a", type: "Exact" }] }], backendRefs: [] },
      ]),
    );
    (expected.spec as { parentRefs: Obj[] }).parentRefs = [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "eg", namespace: "infra" }];
    expect(mutated).toEqual(expected);

    const again = await admission.mutate(create(mutated));
    expect(again.allowed).toBe(true);
    expect(again.patch).toBeUndefined();
  });

  it("adds the default rule to a route without rules, on UPDATE too", async () => {
    const input = route(undefined);
    const res = await admission.mutate(update(input, route(undefined)));
    const mutated = applyPatch(input, decodePatch(res));
    expect((mutated.spec as Obj).rules).toEqual([{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }]);
  });

  it("does not change what is already set", async () => {
    const input = route([{ matches: [{ path: { type: "Exact", value: "/x" } }], backendRefs: [{ group: "", kind: "Service", name: "web", port: 80, weight: 0 }] }]);
    const mutated = applyPatch(input, decodePatch(await admission.mutate(create(input))));
    expect(mutated.spec).toEqual({ ...(input.spec as Obj), parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "eg", namespace: "infra" }] });
  });
});

describe("HTTPRoute validation (Validate)", () => {
  it("allows a route to a ClusterIP Service, looked up through the API", async () => {
    const before = admission.kube.requestsTo("/api/v1/namespaces/default/services/web").length;
    const res = await admission.validate(create(toRef({ name: "web" })));
    expect(res.allowed).toBe(true);
    expect(res.warnings).toBeUndefined();
    expect(admission.kube.requestsTo("/api/v1/namespaces/default/services/web").length).toBe(before + 1);
  });

  it("denies a backendRef to an ExternalName Service and points to a Backend instead", async () => {
    const res = await admission.validate(create(toRef({ name: "legacy" })));
    expect(res.allowed).toBe(false);
    expect(res.status?.code).toBe(422);
    expect(res.status?.message).toMatch(/^spec\.rules\[0\]\.backendRefs\[0\]: Service default\/legacy is of type ExternalName, which is not supported/);
    expect(res.status?.message).toMatch(/CVE-2021-25740/);
    expect(res.status?.message).toMatch(/use a Backend \(gateway\.envoyproxy\.io\/v1alpha1\) with an fqdn endpoint for "db\.internal\.example\.com" instead$/);
  });

  it("denies an ExternalName Service used as a request mirror", async () => {
    const res = await admission.validate(
      create(route([{ filters: [{ type: "RequestMirror", requestMirror: { backendRef: { name: "legacy", port: 80 } } }], backendRefs: [{ name: "web", port: 80 }] }])),
    );
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toMatch(/^spec\.rules\[0\]\.filters\[0\]\.requestMirror\.backendRef: Service default\/legacy is of type ExternalName/);
  });

  it("handles a request the API server converted from v1beta1 (matchPolicy Equivalent)", async () => {
    const res = await admission.validate(create(toRef({ name: "legacy" }), "v1beta1"));
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toMatch(/ExternalName/);
  });

  it("denies a regular expression RE2 rejects, naming the field", async () => {
    const res = await admission.validate(create(route([{ matches: [{ path: { type: "RegularExpression", value: "/(?=admin)" } }] }])));
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toMatch(/^spec\.rules\[0\]\.matches\[0\]\.path\.value: "\/\(\?=admin\)" is not a valid RE2 regular expression/);
  });

  it("denies an UPDATE that points a route at an ExternalName Service", async () => {
    const res = await admission.validate(update(toRef({ name: "legacy" }), toRef({ name: "web" })));
    expect(res.allowed).toBe(false);
  });
});

describe("HTTPRoute references the translator reports are warnings, not denials", () => {
  it("warns about a missing Service", async () => {
    const res = await admission.validate(create(toRef({ name: "ghost" })));
    expect(res.allowed).toBe(true);
    expect(res.warnings).toEqual([
      "spec.rules[0].backendRefs[0]: Service default/ghost not found; the route will report ResolvedRefs=False (BackendNotFound)",
    ]);
  });

  it("warns about an unsupported kind", async () => {
    const res = await admission.validate(create(toRef({ group: "storage.example.com", kind: "Bucket", name: "b" })));
    expect(res.allowed).toBe(true);
    expect(res.warnings?.[0]).toMatch(/^spec\.rules\[0\]\.backendRefs\[0\]: kind storage\.example\.com\/Bucket is not supported.*\(InvalidKind\)$/);
  });

  it("accepts a cross-namespace reference a ReferenceGrant allows, and warns about one it does not", async () => {
    const allowed = await admission.validate(create(toRef({ name: "api", namespace: "shared" })));
    expect(allowed.allowed).toBe(true);
    expect(allowed.warnings).toBeUndefined();
    const refused = await admission.validate(create(toRef({ name: "billing", namespace: "shared" })));
    expect(refused.allowed).toBe(true);
    expect(refused.warnings).toHaveLength(1);
    expect(refused.warnings?.[0]).toMatch(/^spec\.rules\[0\]\.backendRefs\[0\]: Service shared\/billing is in another namespace and no ReferenceGrant in shared allows .*\(RefNotPermitted\)$/);
  });

  it("turns a failing Service lookup into a warning", async () => {
    const res = await admission.validate(create(toRef({ name: "flaky" })));
    expect(res.allowed).toBe(true);
    expect(res.warnings).toEqual([
      "spec.rules[0].backendRefs[0]: Service default/flaky could not be looked up (API server answered 500: etcdserver: request timed out); it was not checked for type ExternalName",
    ]);
  });

  it("turns a failing ReferenceGrant lookup into a warning", async () => {
    const res = await admission.validate(create(toRef({ name: "api", namespace: "locked" })));
    expect(res.allowed).toBe(true);
    expect(res.warnings?.[0]).toMatch(/^spec\.rules\[0\]\.backendRefs\[0\]: ReferenceGrants in locked could not be read \(API server answered 500/);
  });

  it("turns a Service lookup that never answers into a warning", async () => {
    const { setLookupTimeout } = await import("../../../capabilities/admission");
    setLookupTimeout(200);
    try {
      const res = await admission.validate(create(toRef({ name: "stuck" })));
      expect(res.allowed).toBe(true);
      expect(res.warnings?.[0]).toMatch(/^spec\.rules\[0\]\.backendRefs\[0\]: Service default\/stuck could not be looked up \(reading the Service took longer than 200 ms\)/);
    } finally {
      setLookupTimeout(3_000);
    }
  });
});

describe("HTTPRoute bad input gets a clear denial, never a 500", () => {
  const cases: [string, Obj, RegExp][] = [
    ["missing spec", { ...route([]), spec: undefined }, /^spec is required; an HTTPRoute needs parentRefs and rules$/],
    ["rules of the wrong type", route("all"), /^spec\.rules must be/],
    ["a backendRef without a name", route([{ backendRefs: [{ port: 80 }] }]), /^spec\.rules\[0\]\.backendRefs\[0\]\.name is required/],
    ["a port out of range", toRef({ name: "web", port: 0 }), /^spec\.rules\[0\]\.backendRefs\[0\]\.port must be an integer from 1 to 65535/],
    ["2,000 rules", route(Array.from({ length: 2_000 }, () => ({}))), /^spec\.rules has 2000 entries, more than \d+; split the route$/],
  ];

  it.each(cases)("%s", async (_name, obj, message) => {
    const mutated = await admission.mutate(create(obj));
    expect(mutated.allowed).toBe(true);
    expect(mutated.warnings ?? []).toEqual([]);
    const res = await admission.validate(create(obj));
    expect(res.allowed).toBe(false);
    expect(res.status?.code).toBe(422);
    expect(res.status?.message).toMatch(message);
  });
});

describe("HTTPRoute objects too large to look at", () => {
  // 30,000 header matches: far over the policy's bound (and the CRD's list limits, which the API
  // server checks only after the mutating webhooks ran).
  const headers = Array.from({ length: 30_000 }, (_, i) => ({ name: `x-h${i}`, value: "v" }));
  const huge = () => route([{ matches: [{ path: { type: "PathPrefix", value: "/" }, headers }], backendRefs: [{ name: "web", port: 80 }] }]);

  it("are denied with the policy's size message, and Mutate leaves them alone", async () => {
    const mutated = await admission.mutate(create(huge()));
    expect(mutated.allowed).toBe(true);
    // Only Pepr's own bookkeeping annotation may be patched in; the spec is not touched.
    for (const op of decodePatch(mutated)) expect(op.path).toMatch(/^\/metadata\/annotations/);
    const res = await admission.validate(create(huge()));
    expect(res.allowed).toBe(false);
    expect(res.status?.code).toBe(422);
    expect(res.status?.message).toMatch(/^the object holds more than 10000 values \(fields, list entries\); objects over 10000 are refused: split the rules/);
  });

  it("an UPDATE that keeps an equally large stored spec is allowed with a warning; one that changes it is denied", async () => {
    const same = await admission.validate(update(huge(), huge()));
    expect(same.allowed).toBe(true);
    expect(same.warnings?.[0]).toMatch(/^allowed because the spec did not change, but: the object holds more than 10000 values/);
    const changed = huge();
    (changed.spec as Obj).hostnames = ["other.example.com"];
    expect((await admission.validate(update(changed, huge()))).allowed).toBe(false);
  });

  it("an UPDATE that shrinks a stored oversized route to a normal one is checked as usual", async () => {
    const res = await admission.validate(update(toRef({ name: "web" }), huge()));
    expect(res.allowed).toBe(true);
    const bad = await admission.validate(update(toRef({ name: "legacy" }), huge()));
    expect(bad.allowed).toBe(false);
    expect(bad.status?.message).toMatch(/ExternalName/);
  });
});
