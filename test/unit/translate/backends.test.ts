import { describe, expect, it } from "vitest";
import { externalNameViolation, validateBackend } from "../../../src/policy";
import { backendStatus, violationText } from "../../../src/translate/backend";
import { resolveBackendRef, type RefResult } from "../../../src/translate/backends";
import { backendObj, ctxOf, service, slice } from "./route-fixtures";

const FIELD = "spec.rules[0].backendRefs[0]";

function resolve(objects: unknown[], ref: unknown, env: Record<string, string> = {}, routeNs = "default"): RefResult {
  return resolveBackendRef(ctxOf(objects, env), routeNs, ref, FIELD);
}

function cluster(result: RefResult) {
  if (!result.ok || !result.cluster) throw new Error(`expected a cluster, got ${JSON.stringify(result)}`);
  return result.cluster;
}

const web = service("web", [{ name: "http", port: 8080, targetPort: 3000 }, { name: "h2", port: 8081, appProtocol: "kubernetes.io/h2c" }, { name: "ws", port: 8082, appProtocol: "kubernetes.io/ws" }]);

describe("Service backendRefs", () => {
  it("turns a Service port into an EDS cluster of the ready endpoints of the same-named slice port", () => {
    const objects = [
      web,
      slice("web", [{ addresses: ["10.0.0.2"], zone: "z1" }, { addresses: ["10.0.0.1"], ready: true }, { addresses: ["10.0.0.9"], ready: false }], [{ name: "http", port: 3000 }, { name: "h2", port: 3001 }]),
      slice("web", [{ addresses: ["fd00::1"] }], [{ name: "http", port: 3000 }], { name: "web-v6", addressType: "IPv6" }),
      slice("web", [{ addresses: ["web.example.com"] }], [{ name: "http", port: 3000 }], { name: "web-fqdn", addressType: "FQDN" }),
      slice("other", [{ addresses: ["10.9.9.9"] }], [{ name: "http", port: 3000 }], { name: "other-1" }),
    ];
    expect(cluster(resolve(objects, { name: "web", port: 8080 }))).toEqual({
      name: "service/default/web/8080",
      endpoints: {
        kind: "eds",
        endpoints: [
          { address: "10.0.0.1", port: 3000 },
          { address: "10.0.0.2", port: 3000, zone: "z1" },
          { address: "fd00::1", port: 3000 },
        ],
      },
      protocol: "http1",
      connectTimeoutMs: 10_000,
    });
  });

  it("leaves out endpoint addresses that can never be a backend", () => {
    const objects = [web, slice("web", [{ addresses: ["127.0.0.1", "169.254.169.254", "10.0.0.1", "not-an-ip"] }], [{ name: "http", port: 3000 }])];
    const eds = cluster(resolve(objects, { name: "web", port: 8080 })).endpoints;
    expect(eds).toEqual({ kind: "eds", endpoints: [{ address: "10.0.0.1", port: 3000 }] });
  });

  it("gives a Service without ready endpoints an empty cluster (Envoy answers 503)", () => {
    expect(cluster(resolve([web], { name: "web", port: 8080 })).endpoints).toEqual({ kind: "eds", endpoints: [] });
  });

  it("maps appProtocol kubernetes.io/h2c to h2c and kubernetes.io/ws to WebSocket upgrades", () => {
    expect(cluster(resolve([web], { name: "web", port: 8081 })).protocol).toBe("h2c");
    const ws = resolve([web], { name: "web", port: 8082 });
    expect(ws.ok && ws.websocket).toBe(true);
    const plain = resolve([web], { name: "web", port: 8080 });
    expect(plain.ok && plain.websocket).toBe(false);
  });

  it("matches an unnamed Service port to the unnamed slice port", () => {
    const objects = [service("one", [{ port: 80 }]), slice("one", [{ addresses: ["10.1.1.1"] }], [{ port: 8080 }])];
    expect(cluster(resolve(objects, { name: "one", port: 80 })).endpoints).toEqual({ kind: "eds", endpoints: [{ address: "10.1.1.1", port: 8080 }] });
  });

  it.each([
    ["a missing Service", [], { name: "web", port: 8080 }, "BackendNotFound", `${FIELD}: Service default/web not found`],
    ["a port the Service does not have", [web], { name: "web", port: 9999 }, "BackendNotFound", `${FIELD}: Service default/web has no port 9999`],
    ["a Service ref without a port", [web], { name: "web" }, "UnsupportedValue", `${FIELD}.port is required for a Service: set the Service port to send traffic to`],
    [
      "an unknown kind",
      [web],
      { group: "unknownkind.example.com", kind: "NonExistent", name: "web", port: 8080 },
      "InvalidKind",
      `${FIELD}: kind "unknownkind.example.com/NonExistent" is not supported; refer to a Service, or a Backend of gateway.envoyproxy.io`,
    ],
    ["a core kind other than Service", [web], { kind: "ConfigMap", name: "web" }, "InvalidKind", undefined],
  ] as Array<[string, unknown[], unknown, string, string | undefined]>)("refuses %s: %s", (_what, objects, ref, reason, message) => {
    const r = resolve(objects, ref);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      if (message) expect(r.message).toBe(message);
    }
  });

  it("never routes to an ExternalName Service and says so with the admission policy's words", () => {
    const ext = service("ext", [{ port: 443 }], "default", { type: "ExternalName", externalName: "api.example.com" });
    const r = resolve([ext], { name: "ext", port: 443 });
    const policy = externalNameViolation(FIELD, ext);
    expect(policy).toBeDefined();
    expect(r).toEqual({ ok: false, reason: "UnsupportedValue", message: policy?.message });
    expect(policy?.message).toMatch(/Backend \(gateway\.envoyproxy\.io\/v1alpha1\) with an fqdn endpoint/);
  });
});

describe("cross-namespace references", () => {
  const target = service("web", [{ port: 8080 }], "apps");
  const grant = (to: Record<string, unknown>, fromNs = "default") => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "ReferenceGrant",
    metadata: { name: "g", namespace: "apps" },
    spec: { from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: fromNs }], to: [to] },
  });

  it("needs a ReferenceGrant in the target namespace (RefNotPermitted otherwise)", () => {
    const r = resolve([target], { name: "web", namespace: "apps", port: 8080 });
    expect(r).toMatchObject({ ok: false, reason: "RefNotPermitted" });
  });

  it.each([
    ["for every Service", { group: "", kind: "Service" }, true],
    ["for this Service", { group: "", kind: "Service", name: "web" }, true],
    ["for another Service only", { group: "", kind: "Service", name: "app-backend-v1" }, false],
    ["for another kind", { group: "gateway.envoyproxy.io", kind: "Backend" }, false],
  ])("is allowed by a grant %s: %s", (_what, to, allowed) => {
    const r = resolve([target, grant(to)], { name: "web", namespace: "apps", port: 8080 });
    expect(r.ok).toBe(allowed);
    if (!r.ok) expect(r.reason).toBe("RefNotPermitted");
  });

  it("checks the grant before looking for the object, so a refused reference reveals nothing", () => {
    expect(resolve([], { name: "missing", namespace: "apps", port: 8080 })).toMatchObject({ ok: false, reason: "RefNotPermitted" });
    expect(resolve([grant({ group: "", kind: "Service" })], { name: "missing", namespace: "apps", port: 8080 })).toMatchObject({ ok: false, reason: "BackendNotFound" });
  });

  it("ignores a grant from another namespace", () => {
    expect(resolve([target, grant({ group: "", kind: "Service" }, "elsewhere")], { name: "web", namespace: "apps", port: 8080 }).ok).toBe(false);
  });
});

describe("Backend backendRefs (gateway.envoyproxy.io)", () => {
  const ref = (name: string) => ({ group: "gateway.envoyproxy.io", kind: "Backend", name, port: 443 });

  it("turns an fqdn endpoint into a DNS cluster named after the endpoint port", () => {
    const c = cluster(resolve([backendObj("httpbin", [{ fqdn: { hostname: "WWW.HttpBin.org", port: 443 } }])], ref("httpbin")));
    expect(c).toEqual({ name: "backend/default/httpbin/443", endpoints: { kind: "dns", hostname: "www.httpbin.org", port: 443 }, protocol: "http1", connectTimeoutMs: 10_000 });
  });

  it("turns ip endpoints into static endpoints, sorted and deduplicated", () => {
    const b = backendObj("ips", [{ ip: { address: "203.0.113.7", port: 8443 } }, { ip: { address: "198.51.100.1", port: 8443 } }, { ip: { address: "203.0.113.7", port: 8443 } }]);
    expect(cluster(resolve([b], ref("ips"))).endpoints).toEqual({
      kind: "static",
      endpoints: [
        { address: "198.51.100.1", port: 8443 },
        { address: "203.0.113.7", port: 8443 },
      ],
    });
  });

  it("turns a unix endpoint into a pipe when the operator allows sockets, and refuses it otherwise with the policy's words", () => {
    const b = backendObj("sock", [{ unix: { path: "/var/run/app.sock" } }]);
    expect(cluster(resolve([b], ref("sock"), { PEG_ALLOW_UNIX_SOCKETS: "true" })).endpoints).toEqual({ kind: "unix", path: "/var/run/app.sock" });
    const denied = resolve([b], ref("sock"));
    const policy = validateBackend(b, ctxOf([]).config.policy).violations;
    expect(denied).toEqual({ ok: false, reason: "UnsupportedValue", message: `${FIELD}: Backend default/sock is not usable: ${violationText(policy)}` });
  });

  it.each([
    ["the cloud metadata address", [{ ip: { address: "169.254.169.254", port: 80 } }], "InvalidAddress"],
    ["a loopback address", [{ ip: { address: "127.0.0.1", port: 80 } }], "InvalidAddress"],
    ["localhost", [{ fqdn: { hostname: "localhost", port: 80 } }], undefined],
    ["a cluster-internal name", [{ fqdn: { hostname: "kubernetes.default.svc.cluster.local", port: 443 } }], undefined],
  ])("never routes to a Backend the policy denies: %s", (_what, endpoints, reason) => {
    const b = backendObj("bad", endpoints);
    const policy = validateBackend(b, ctxOf([]).config.policy).violations;
    expect(policy.length).toBeGreaterThan(0);
    const r = resolve([b], ref("bad"));
    expect(r).toEqual({ ok: false, reason: policy[0].reason, message: `${FIELD}: Backend default/bad is not usable: ${violationText(policy)}` });
    if (reason) expect(policy[0].reason).toBe(reason);
  });

  it("refuses what one cluster cannot hold: two fqdn endpoints (UnsupportedValue)", () => {
    const b = backendObj("two", [{ fqdn: { hostname: "a.example.com", port: 443 } }, { fqdn: { hostname: "b.example.com", port: 443 } }]);
    expect(resolve([b], ref("two"))).toMatchObject({ ok: false, reason: "UnsupportedValue" });
  });

  it("maps appProtocols and uses spec.tls when no BackendTLSPolicy names the Backend", () => {
    const b = backendObj("h2", [{ fqdn: { hostname: "api.example.com", port: 443 } }], "default", {
      appProtocols: ["gateway.envoyproxy.io/h2c", "gateway.envoyproxy.io/ws"],
      tls: { wellKnownCACertificates: "System" },
    });
    const r = resolve([b], ref("h2"));
    expect(cluster(r)).toMatchObject({ protocol: "h2", tls: { sni: "api.example.com", ca: { kind: "system" }, subjectAltNames: [] } });
    expect(r.ok && r.websocket).toBe(true);
  });

  it("reports a missing Backend as BackendNotFound", () => {
    expect(resolve([], ref("nope"))).toEqual({ ok: false, reason: "BackendNotFound", message: `${FIELD}: Backend default/nope not found` });
  });
});

describe("backendStatus: every Backend in the input", () => {
  it("accepts a safe Backend and refuses one the admission policy would deny, with the policy's reason and words", () => {
    const good = { ...backendObj("good", [{ fqdn: { hostname: "api.example.com", port: 443 } }]), metadata: { name: "good", namespace: "default", generation: 4 } };
    const bad = backendObj("meta", [{ ip: { address: "169.254.169.254", port: 80 } }], "other");
    const ctx = ctxOf([bad, good]);
    const policy = validateBackend(bad, ctx.config.policy).violations;
    expect(backendStatus(ctx)).toEqual([
      {
        ref: { group: "gateway.envoyproxy.io", kind: "Backend", namespace: "default", name: "good" },
        generation: 4,
        status: { kind: "conditions", conditions: [{ type: "Accepted", status: "True", reason: "Accepted", message: "The Backend was accepted", observedGeneration: 4 }] },
      },
      {
        ref: { group: "gateway.envoyproxy.io", kind: "Backend", namespace: "other", name: "meta" },
        generation: 0,
        status: { kind: "conditions", conditions: [{ type: "Accepted", status: "False", reason: "InvalidAddress", message: violationText(policy), observedGeneration: 0 }] },
      },
    ]);
    expect(violationText(policy)).toMatch(/^spec\.endpoints\[0\]\.ip\.address: 169\.254\.169\.254 is /);
  });

  it("refuses a Backend whose CA reference is missing, and a malformed one, without throwing", () => {
    const tls = backendObj("tls", [{ fqdn: { hostname: "api.example.com", port: 443 } }], "default", { tls: { caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "nope" }] } });
    const junk = { apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "Backend", metadata: { name: "junk", namespace: "default" }, spec: "x" };
    const reasons = backendStatus(ctxOf([tls, junk])).map(e => (e.status.kind === "conditions" ? [e.ref.name, e.status.conditions[0].reason] : []));
    expect(reasons).toEqual([
      ["junk", "InvalidObject"],
      ["tls", "InvalidCACertificateRef"],
    ]);
  });
});
