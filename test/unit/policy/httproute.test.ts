import { describe, expect, it } from "vitest";
import type { ReferenceGrant, Service } from "../../../src/apis";
import { type PolicyLookup, externalNameViolation, validateHTTPRoute, validateObject } from "../../../src/policy";
import { config } from "./helpers";

function route(rules: unknown[], namespace = "default"): Record<string, unknown> {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { namespace, name: "r" },
    spec: { parentRefs: [{ name: "eg" }], rules },
  };
}

function service(namespace: string, name: string, spec: Service["spec"]): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { namespace, name }, spec };
}

const EXT = service("default", "ext", { type: "ExternalName", externalName: "api.example.com" });
const WEB = service("default", "web", { type: "ClusterIP", ports: [{ port: 80 }] });
const OTHER_WEB = service("other", "web", { type: "ClusterIP", ports: [{ port: 80 }] });

function lookupOf(services: Service[], grants: ReferenceGrant[] = []): PolicyLookup & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    service: (ns, name) => {
      calls.push(`${ns}/${name}`);
      return services.find(s => s.metadata?.namespace === ns && s.metadata?.name === name);
    },
    referenceGrants: ns => grants.filter(g => g.metadata?.namespace === ns),
  };
}

const ref = (name: string, extra: Record<string, unknown> = {}) => ({ name, port: 80, ...extra });

describe("HTTPRoute backendRefs to ExternalName Services", () => {
  it("denies a backendRef to an ExternalName Service, naming the field and the alternative", async () => {
    const r = await validateHTTPRoute(route([{ backendRefs: [ref("web"), ref("ext")] }]), lookupOf([EXT, WEB]), config());
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0];
    expect(v).toMatchObject({ field: "spec.rules[0].backendRefs[1]", reason: "UnsupportedValue" });
    expect(v.message).toContain("spec.rules[0].backendRefs[1]");
    expect(v.message).toContain("ExternalName");
    expect(v.message).toContain("CVE-2021-25740");
    expect(v.message).toContain("Backend (gateway.envoyproxy.io/v1alpha1) with an fqdn endpoint");
  });

  it("treats explicit group \"\" and kind Service like the defaults", async () => {
    const r = await validateHTTPRoute(route([{ backendRefs: [ref("ext", { group: "", kind: "Service" })] }]), lookupOf([EXT]), config());
    expect(r.violations.map(v => v.reason)).toEqual(["UnsupportedValue"]);
  });

  it("looks the Service up in ref.namespace when set, else in the route's namespace", async () => {
    const extOther = service("other", "ext", { type: "ExternalName", externalName: "x.example.com" });
    const lookup = lookupOf([extOther]);
    const r = await validateHTTPRoute(route([{ backendRefs: [ref("ext", { namespace: "other" }), ref("ext")] }]), lookup, config());
    expect(lookup.calls.sort()).toEqual(["default/ext", "other/ext"]);
    expect(r.violations.map(v => v.field)).toEqual(["spec.rules[0].backendRefs[0]"]);
  });

  it("denies requestMirror backendRefs to ExternalName Services, in rule and backendRef filters", async () => {
    const mirror = { type: "RequestMirror", requestMirror: { backendRef: ref("ext") } };
    const r = await validateHTTPRoute(
      route([{ filters: [mirror], backendRefs: [{ ...ref("web"), filters: [mirror] }] }]),
      lookupOf([EXT, WEB]),
      config(),
    );
    expect(r.violations.map(v => v.field).sort()).toEqual([
      "spec.rules[0].backendRefs[0].filters[0].requestMirror.backendRef",
      "spec.rules[0].filters[0].requestMirror.backendRef",
    ]);
  });

  it("looks each Service up once per call", async () => {
    const lookup = lookupOf([WEB]);
    await validateHTTPRoute(route([{ backendRefs: [ref("web"), ref("web")] }, { backendRefs: [ref("web")] }]), lookup, config());
    expect(lookup.calls).toEqual(["default/web"]);
  });
});

describe("HTTPRoute: accepted with a warning, never denied", () => {
  it("warns about a missing Service (BackendNotFound)", async () => {
    const r = await validateHTTPRoute(route([{ backendRefs: [ref("missing")] }]), lookupOf([]), config());
    expect(r.violations).toEqual([]);
    expect(r.warnings).toEqual([
      "spec.rules[0].backendRefs[0]: Service default/missing not found; the route will report ResolvedRefs=False (BackendNotFound)",
    ]);
  });

  it("warns about unknown backendRef kinds (InvalidKind) without a lookup", async () => {
    const lookup = lookupOf([]);
    const r = await validateHTTPRoute(route([{ backendRefs: [ref("x", { group: "example.com", kind: "Bucket" })] }]), lookup, config());
    expect(r.violations).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain("InvalidKind");
    expect(lookup.calls).toEqual([]);
  });

  it("accepts Backend references without warnings", async () => {
    const r = await validateHTTPRoute(route([{ backendRefs: [ref("b", { group: "gateway.envoyproxy.io", kind: "Backend" })] }]), lookupOf([]), config());
    expect(r).toEqual({ violations: [], warnings: [] });
  });

  it("turns a throwing or rejecting lookup into a warning", async () => {
    const throwing: PolicyLookup = {
      service: () => {
        throw new Error("forbidden");
      },
    };
    const rejecting: PolicyLookup = { service: () => Promise.reject(new Error("timeout")) };
    for (const lookup of [throwing, rejecting]) {
      const r = await validateHTTPRoute(route([{ backendRefs: [ref("web")] }]), lookup, config());
      expect(r.violations).toEqual([]);
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toContain("could not be looked up");
    }
  });

  it("caps warnings and summarises the rest", async () => {
    const rules = Array.from({ length: 16 }, (_, i) => ({ backendRefs: Array.from({ length: 16 }, (_, j) => ref(`missing-${i}-${j}`)) }));
    const r = await validateHTTPRoute(route(rules), lookupOf([]), config());
    expect(r.violations).toEqual([]);
    expect(r.warnings).toHaveLength(21);
    expect(r.warnings[20]).toBe("236 more warnings not shown");
  });

  it("warns about a cross-namespace reference without a ReferenceGrant (RefNotPermitted)", async () => {
    const r = await validateHTTPRoute(route([{ backendRefs: [ref("web", { namespace: "other" })] }]), lookupOf([OTHER_WEB]), config());
    expect(r.violations).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain("RefNotPermitted");
  });

  it("has no warning when a ReferenceGrant in the target namespace allows the reference", async () => {
    const grant: ReferenceGrant = {
      apiVersion: "gateway.networking.k8s.io/v1beta1",
      kind: "ReferenceGrant",
      metadata: { namespace: "other", name: "g" },
      spec: { from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "default" }], to: [{ group: "", kind: "Service" }] },
    };
    const r = await validateHTTPRoute(route([{ backendRefs: [ref("web", { namespace: "other" })] }]), lookupOf([OTHER_WEB], [grant]), config());
    expect(r).toEqual({ violations: [], warnings: [] });
    const wrongFrom = { ...grant, spec: { ...grant.spec, from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "elsewhere" }] } };
    const denied = await validateHTTPRoute(route([{ backendRefs: [ref("web", { namespace: "other" })] }]), lookupOf([OTHER_WEB], [wrongFrom]), config());
    expect(denied.warnings[0]).toContain("RefNotPermitted");
  });
});

describe("HTTPRoute regular expressions (RE2)", () => {
  const pathMatch = (value: string) => route([{ matches: [{ path: { type: "RegularExpression", value } }] }]);

  // Constructs RE2 documents as unsupported: lookaround, backreferences, possessive quantifiers,
  // \Z, repeat counts over 1000; and plain syntax errors.
  const invalid = ["/foo(?=bar)", "/foo(?!bar)", "(?<=a)b", "(a)\\1", "a++", "a*+", "/api/\\Z", "a{1001}", "/v[0-9", "(", "/path)", "[z-a]"];
  it.each(invalid)("denies path regex %j", async value => {
    const r = await validateHTTPRoute(pathMatch(value), lookupOf([]), config());
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ field: "spec.rules[0].matches[0].path.value", reason: "InvalidRegex" });
  });

  const valid = ["/api/v[0-9]+/.*", "^/users/\\d+$", "/(foo|bar)/?", "(?i)/caseless", "/a{2,5}", "/\\p{L}+", "/[[:alpha:]]+", "/(?P<id>[0-9]+)"];
  it.each(valid)("accepts path regex %j", async value => {
    expect((await validateHTTPRoute(pathMatch(value), lookupOf([]), config())).violations).toEqual([]);
  });

  it("checks header and query parameter regexes, and ignores non-regex values", async () => {
    const r = await validateHTTPRoute(
      route([
        {
          matches: [
            {
              path: { type: "PathPrefix", value: "/(?=" },
              headers: [{ name: "x", type: "RegularExpression", value: "(?=x)" }, { name: "y", value: "(?=y)" }],
              queryParams: [{ name: "q", type: "RegularExpression", value: "a++" }, { name: "p", type: "Exact", value: "(" }],
            },
          ],
        },
      ]),
      lookupOf([]),
      config(),
    );
    expect(r.violations.map(v => v.field)).toEqual([
      "spec.rules[0].matches[0].headers[0].value",
      "spec.rules[0].matches[0].queryParams[0].value",
    ]);
  });
});

describe("HTTPRoute malformed objects", () => {
  const cases: [string, unknown, string][] = [
    ["null", null, "(root)"],
    ["no spec", { kind: "HTTPRoute" }, "spec"],
    ["rules as an object", { spec: { rules: {} } }, "spec.rules"],
    ["rule as a string", { spec: { rules: ["x"] } }, "spec.rules[0]"],
    ["backendRefs as a string", { spec: { rules: [{ backendRefs: "web" }] } }, "spec.rules[0].backendRefs"],
    ["backendRef without a name", { spec: { rules: [{ backendRefs: [{ port: 80 }] }] } }, "spec.rules[0].backendRefs[0].name"],
    ["port out of range", { spec: { rules: [{ backendRefs: [{ name: "w", port: 70000 }] }] } }, "spec.rules[0].backendRefs[0].port"],
    ["regex value as a number", { spec: { rules: [{ matches: [{ path: { type: "RegularExpression", value: 1 } }] }] } }, "spec.rules[0].matches[0].path.value"],
    ["path as an array", { spec: { rules: [{ matches: [{ path: [] }] }] } }, "spec.rules[0].matches[0].path"],
    ["17 rules", { spec: { rules: Array.from({ length: 17 }, () => ({})) } }, "spec.rules"],
  ];
  it.each(cases)("%s gives InvalidObject at %s", async (_name, obj, field) => {
    const r = await validateHTTPRoute(obj, lookupOf([]), config());
    expect(r.violations[0]).toMatchObject({ field, reason: "InvalidObject" });
  });

  it("accepts a route with no rules", async () => {
    expect(await validateHTTPRoute(route([]), lookupOf([]), config())).toEqual({ violations: [], warnings: [] });
  });
});

describe("validateObject", () => {
  it("dispatches on apiVersion group and kind", async () => {
    const lookup = lookupOf([EXT]);
    const r1 = await validateObject(route([{ backendRefs: [ref("ext")] }]), lookup, config());
    expect(r1.violations.map(v => v.reason)).toEqual(["UnsupportedValue"]);
    const be = { apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "Backend", spec: { endpoints: [{ ip: { address: "127.0.0.1", port: 1 } }] } };
    expect((await validateObject(be, lookup, config())).violations.map(v => v.reason)).toEqual(["InvalidAddress"]);
  });

  it("lets unknown kinds and groups through", async () => {
    const lookup = lookupOf([]);
    for (const obj of [
      EXT,
      { apiVersion: "example.com/v1", kind: "Backend", spec: { endpoints: [{ ip: { address: "127.0.0.1", port: 1 } }] } },
      { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", spec: {} },
      null,
      42,
    ]) {
      expect(await validateObject(obj, lookup, config())).toEqual({ violations: [], warnings: [] });
    }
  });
});

describe("externalNameViolation", () => {
  it("returns a violation for ExternalName Services only", () => {
    expect(externalNameViolation("spec.rules[0].backendRefs[0]", EXT)).toMatchObject({
      field: "spec.rules[0].backendRefs[0]",
      reason: "UnsupportedValue",
    });
    expect(externalNameViolation("f", WEB)).toBeUndefined();
    expect(externalNameViolation("f", {} as Service)).toBeUndefined();
  });
});
