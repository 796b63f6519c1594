import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backendStatus } from "../../../src/translate/backend";
import { backendTLSPolicyStatus } from "../../../src/translate/backendtlspolicy";
import { translateHTTPRoute } from "../../../src/translate/httproute";
import type { RouteTranslation } from "../../../src/translate/types";
import type { TranslateContext } from "../../../src/translate/context";
import type { HTTPRoute } from "../../../src/apis";
import { INFRA, PEM, caConfigMap, conformanceObjects, ctxOf, service } from "./route-fixtures";

const GW = `${INFRA}/same-namespace`;
/** The suite creates this ConfigMap at run time from its own CA. */
const suiteCA = caConfigMap("tls-checks-ca-certificate", INFRA);

function setup(file: string, extra: unknown[] = []): { ctx: TranslateContext; routes: RouteTranslation[] } {
  const ctx = ctxOf([...conformanceObjects("base", file), suiteCA, ...extra]);
  return { ctx, routes: ctx.store.list<HTTPRoute>("HTTPRoute").map(r => translateHTTPRoute(ctx, r)) };
}

function clusterTLS(routes: RouteTranslation[], name: string) {
  const c = routes.flatMap(r => r.clusters).find(x => x.name === name);
  if (!c) throw new Error(`no cluster ${name}`);
  return c.tls;
}

/** Every used policy with the conditions of its (single) ancestor: name → [type, status, reason][] */
function statusOf(ctx: TranslateContext, routes: RouteTranslation[]): Record<string, Array<[string, string, string]>> {
  const usage = new Map(routes.flatMap(r => r.backendTLSPolicies).map(p => [p, [GW]]));
  const out: Record<string, Array<[string, string, string]>> = {};
  for (const entry of backendTLSPolicyStatus(ctx, usage)) {
    if (entry.status.kind !== "ancestors") throw new Error("expected ancestors");
    out[entry.ref.name] = entry.status.ancestors[0].conditions.map(c => [c.type, c.status, c.reason]);
  }
  return out;
}

const accepted: Array<[string, string, string]> = [
  ["Accepted", "True", "Accepted"],
  ["ResolvedRefs", "True", "ResolvedRefs"],
];

describe("backendtlspolicy-conflict-resolution", () => {
  const { ctx, routes } = setup("backendtlspolicy-conflict-resolution");
  const svc = (name: string, port: number) => `service/${INFRA}/${name}/${port}`;

  it("applies the winner: first by name on equal age; a sectionName policy over a whole-Service one", () => {
    expect(clusterTLS(routes, svc("backendtlspolicy-conflicted-without-section-name-test", 443))?.sni).toBe("other.example.com");
    expect(clusterTLS(routes, svc("backendtlspolicy-conflicted-with-section-name-test", 443))?.sni).toBe("other.example.com");
    expect(clusterTLS(routes, svc("backendtlspolicy-not-conflicted-test", 443))?.sni).toBe("other.example.com");
    expect(clusterTLS(routes, svc("backendtlspolicy-not-conflicted-test", 8443))?.sni).toBe("abc.example.com");
  });

  it("reports the losers as Conflicted and the others as accepted", () => {
    expect(statusOf(ctx, routes)).toEqual({
      "conflicted-with-section-name-1": accepted,
      "conflicted-with-section-name-2": [
        ["Accepted", "False", "Conflicted"],
        ["ResolvedRefs", "True", "ResolvedRefs"],
      ],
      "conflicted-without-section-name-1": accepted,
      "conflicted-without-section-name-2": [
        ["Accepted", "False", "Conflicted"],
        ["ResolvedRefs", "True", "ResolvedRefs"],
      ],
      "not-conflicted-with-section-name": accepted,
      "not-conflicted-without-section-name": accepted,
    });
  });

  it("lets the older policy win whatever its name", () => {
    const objects = conformanceObjects("base", "backendtlspolicy-conflict-resolution").map(o => {
      const obj = o as { kind?: string; metadata?: { name?: string } };
      if (obj.kind !== "BackendTLSPolicy") return o;
      const creationTimestamp = obj.metadata?.name === "conflicted-without-section-name-2" ? "2024-01-01T00:00:00Z" : "2024-06-01T00:00:00Z";
      return { ...obj, metadata: { ...obj.metadata, creationTimestamp } };
    });
    const ctx2 = ctxOf([...objects, suiteCA]);
    const routes2 = ctx2.store.list<HTTPRoute>("HTTPRoute").map(r => translateHTTPRoute(ctx2, r));
    expect(clusterTLS(routes2, svc("backendtlspolicy-conflicted-without-section-name-test", 443))?.sni).toBe("abc.example.com");
    expect(statusOf(ctx2, routes2)["conflicted-without-section-name-1"][0]).toEqual(["Accepted", "False", "Conflicted"]);
  });
});

describe("invalid CA certificate references", () => {
  it("backendtlspolicy-invalid-ca-certificate-ref: NoValidCACertificate / InvalidCACertificateRef, traffic fails", () => {
    const { ctx, routes } = setup("backendtlspolicy-invalid-ca-certificate-ref");
    const refused: Array<[string, string, string]> = [
      ["Accepted", "False", "NoValidCACertificate"],
      ["ResolvedRefs", "False", "InvalidCACertificateRef"],
    ];
    expect(statusOf(ctx, routes)).toEqual({ "malformed-ca-certificate-ref": refused, "nonexistent-ca-certificate-ref": refused });
    const [route] = routes;
    expect(route.notAccepted).toBeUndefined();
    expect(route.clusters).toEqual([]);
    expect(route.routes.map(r => r.ir.action)).toEqual([
      { kind: "direct", status: 500 },
      { kind: "direct", status: 500 },
    ]);
  });

  it("backendtlspolicy-invalid-kind: NoValidCACertificate / InvalidKind", () => {
    const { ctx, routes } = setup("backendtlspolicy-invalid-kind");
    expect(statusOf(ctx, routes)).toEqual({
      "invalid-kind": [
        ["Accepted", "False", "NoValidCACertificate"],
        ["ResolvedRefs", "False", "InvalidKind"],
      ],
    });
  });
});

describe("TLS settings", () => {
  it("backendtlspolicy-san: subjectAltNames replace the hostname for verification, SNI stays the hostname", () => {
    const { routes } = setup("backendtlspolicy-san");
    const tls = clusterTLS(routes, `service/${INFRA}/backendtlspolicy-multiple-sans-test/443`);
    expect(tls).toEqual({
      sni: "abc.example.com",
      subjectAltNames: [
        { type: "URI", value: "spiffe://abc.example.com/test-identity" },
        { type: "Hostname", value: "abc.example.com" },
      ],
      ca: { kind: "secret", secretName: `backendtlspolicy/${INFRA}/multiple-sans/ca` },
    });
  });

  it("backendtlspolicy: the CA bundle becomes a secret the route lists", () => {
    const { routes } = setup("backendtlspolicy");
    const main = routes.find(r => r.key === `${INFRA}/backendtlspolicy`);
    expect(main?.secrets.find(s => s.name === `backendtlspolicy/${INFRA}/normative-test/ca`)).toEqual({
      name: `backendtlspolicy/${INFRA}/normative-test/ca`,
      kind: "ca",
      trustedCA: PEM,
    });
    expect(clusterTLS(routes, `service/${INFRA}/backendtlspolicy-test/443`)?.sni).toBe("abc.example.com");
  });

  const target = service("web", [{ name: "https", port: 443 }]);
  const policy = (validation: Record<string, unknown>, name = "p", targetRef: Record<string, unknown> = { group: "", kind: "Service", name: "web" }) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "BackendTLSPolicy",
    metadata: { name, namespace: "default", generation: 7 },
    spec: { targetRefs: [targetRef], validation },
  });
  const routeTo = { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "r", namespace: "default" }, spec: { rules: [{ backendRefs: [{ name: "web", port: 443 }] }] } };

  function run(objects: unknown[]) {
    const ctx = ctxOf([target, routeTo, ...objects]);
    const t = translateHTTPRoute(ctx, ctx.store.get("HTTPRoute", "default", "r") as never);
    const status = backendTLSPolicyStatus(ctx, new Map(t.backendTLSPolicies.map(p => [p, ["default/gw-b", "default/gw-a"]])));
    return { t, status };
  }

  it("reads a CA from a Secret (base64 data), and uses the system store for wellKnownCACertificates System", () => {
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "ca", namespace: "default" }, data: { "ca.crt": Buffer.from(PEM).toString("base64") } };
    const fromSecret = run([secret, policy({ hostname: "web.example.com", caCertificateRefs: [{ group: "", kind: "Secret", name: "ca" }] })]);
    expect(fromSecret.t.secrets).toEqual([{ name: "backendtlspolicy/default/p/ca", kind: "ca", trustedCA: PEM }]);
    const system = run([policy({ hostname: "web.example.com", wellKnownCACertificates: "System" })]);
    expect(system.t.clusters[0].tls).toEqual({ sni: "web.example.com", ca: { kind: "system" }, subjectAltNames: [] });
  });

  it("applies a policy with one valid and one invalid reference, reporting the invalid one", () => {
    const { t, status } = run([caConfigMap("good"), policy({ hostname: "web.example.com", caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "good" }, { group: "", kind: "ConfigMap", name: "gone" }] })]);
    expect(t.clusters[0].tls?.ca).toEqual({ kind: "secret", secretName: "backendtlspolicy/default/p/ca" });
    const [entry] = status;
    expect(entry.status.kind === "ancestors" && entry.status.ancestors[0].conditions).toEqual([
      { type: "Accepted", status: "True", reason: "Accepted", message: "Policy has been accepted", observedGeneration: 7 },
      {
        type: "ResolvedRefs",
        status: "False",
        reason: "InvalidCACertificateRef",
        message: "spec.validation.caCertificateRefs[1]: ConfigMap default/gone not found",
        observedGeneration: 7,
      },
    ]);
  });

  it.each([
    ["no hostname", { wellKnownCACertificates: "System" }],
    ["both CA sources", { hostname: "a.example.com", wellKnownCACertificates: "System", caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "good" }] }],
    ["no CA source", { hostname: "a.example.com" }],
    ["an unknown well-known set", { hostname: "a.example.com", wellKnownCACertificates: "example.com/mine" }],
    ["a SAN without its value", { hostname: "a.example.com", wellKnownCACertificates: "System", subjectAltNames: [{ type: "URI" }] }],
  ])("refuses a policy with %s (Accepted=False Invalid) and does not send clear text instead", (_what, validation) => {
    const { t, status } = run([caConfigMap("good"), policy(validation)]);
    expect(t.clusters).toEqual([]);
    expect(t.routes[0].ir.action).toEqual({ kind: "direct", status: 500 });
    const [entry] = status;
    expect(entry.status.kind === "ancestors" && entry.status.ancestors[0].conditions[0]).toMatchObject({ type: "Accepted", status: "False", reason: "Invalid" });
  });

  it("writes one ancestor per Gateway, sorted, with our controller name", () => {
    const { status } = run([policy({ hostname: "web.example.com", wellKnownCACertificates: "System" })]);
    expect(status).toHaveLength(1);
    expect(status[0].ref).toEqual({ group: "gateway.networking.k8s.io", kind: "BackendTLSPolicy", namespace: "default", name: "p" });
    expect(status[0].generation).toBe(7);
    const ancestors = status[0].status.kind === "ancestors" ? status[0].status.ancestors : [];
    expect(ancestors.map(a => [a.parentRef, a.controllerName])).toEqual([
      [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "default", name: "gw-a" }, "pepr.dev/envoy-gateway"],
      [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "default", name: "gw-b" }, "pepr.dev/envoy-gateway"],
    ]);
  });

  it("ignores a policy for another port name, and gives no status to unused or unknown policies", () => {
    const { t } = run([policy({ hostname: "web.example.com", wellKnownCACertificates: "System" }, "p", { group: "", kind: "Service", name: "web", sectionName: "other" })]);
    expect(t.clusters[0].tls).toBeUndefined();
    expect(t.backendTLSPolicies).toEqual([]);
    const ctx = ctxOf([policy({ hostname: "web.example.com", wellKnownCACertificates: "System" })]);
    expect(backendTLSPolicyStatus(ctx, new Map([["default/unknown", ["default/gw"]], ["default/p", []]]))).toEqual([]);
  });

  it("applies to a Backend target (the external HTTPS example)", () => {
    const backend = { apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "Backend", metadata: { name: "httpbin", namespace: "default" }, spec: { endpoints: [{ fqdn: { hostname: "www.httpbin.org", port: 443 } }] } };
    const r = { ...routeTo, spec: { rules: [{ backendRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: "httpbin", port: 443 }] }] } };
    const p = policy({ hostname: "www.httpbin.org", wellKnownCACertificates: "System" }, "httpbin-tls", { group: "gateway.envoyproxy.io", kind: "Backend", name: "httpbin" });
    const ctx = ctxOf([backend, r, p]);
    const t = translateHTTPRoute(ctx, ctx.store.get("HTTPRoute", "default", "r") as never);
    expect(t.clusters).toEqual([
      {
        name: "backend/default/httpbin/443",
        endpoints: { kind: "dns", hostname: "www.httpbin.org", port: 443 },
        protocol: "http1",
        connectTimeoutMs: 10_000,
        tls: { sni: "www.httpbin.org", ca: { kind: "system" }, subjectAltNames: [] },
      },
    ]);
    expect(t.backendTLSPolicies).toEqual(["default/httpbin-tls"]);
  });
});

describe("never throws on malformed policies, Backends and CA objects", () => {
  it("computes TLS and status whatever the specs hold", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (policySpec, backendSpec, data) => {
        const objects = [
          service("web", [{ name: "https", port: 443 }]),
          { apiVersion: "gateway.networking.k8s.io/v1", kind: "BackendTLSPolicy", metadata: { name: "junk", namespace: "default" }, spec: policySpec },
          {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "BackendTLSPolicy",
            metadata: { name: "half", namespace: "default" },
            spec: { targetRefs: [{ group: "", kind: "Service", name: "web" }], validation: { hostname: "a.example.com", caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "cm" }] } },
          },
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default" }, data },
          { apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "Backend", metadata: { name: "b", namespace: "default" }, spec: backendSpec },
          {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata: { name: "r", namespace: "default" },
            spec: { rules: [{ backendRefs: [{ name: "web", port: 443 }, { group: "gateway.envoyproxy.io", kind: "Backend", name: "b" }] }] },
          },
        ];
        const ctx = ctxOf(objects);
        const t = translateHTTPRoute(ctx, ctx.store.get("HTTPRoute", "default", "r") as never);
        backendTLSPolicyStatus(ctx, new Map([["default/junk", ["default/gw"]], ["default/half", ["default/gw"]]]));
        backendStatus(ctx);
        expect(t.routes).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
});
