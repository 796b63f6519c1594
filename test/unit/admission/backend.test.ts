/**
 * Backend admission through the capability's real bindings: Pepr's admission server receives
 * AdmissionReview v1 requests for gateway.envoyproxy.io/v1alpha1 Backends.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admission } from "./harness";
import { BACKEND_GVK, admissionRequest, annotated, applyPatch, decodePatch } from "./review";

type Obj = Record<string, unknown>;

const backend = (endpoints: unknown, extra: Obj = {}): Obj => ({
  apiVersion: "gateway.envoyproxy.io/v1alpha1",
  kind: "Backend",
  metadata: { name: "be", namespace: "apps", uid: "3f1c", resourceVersion: "7", ...extra },
  spec: { endpoints },
});

let admission: Admission;

beforeAll(async () => {
  // Pod and service ranges of the cluster, denied by the operator's configuration.
  admission = await Admission.start({ PEG_DENIED_CIDRS: "10.96.0.0/12, 10.244.0.0/16" });
});

afterAll(async () => {
  await admission?.close();
});

const create = (obj: Obj) => admissionRequest("CREATE", BACKEND_GVK, obj);
const update = (obj: Obj, oldObject: Obj) => admissionRequest("UPDATE", BACKEND_GVK, obj, { oldObject });

describe("Backend defaulting (Mutate)", () => {
  it("lowercases fqdn hostnames, drops the trailing dot and sets the CRD defaults; mutating again changes nothing", async () => {
    const input = backend([{ fqdn: { hostname: "WWW.HttpBin.Org.", port: 443 } }]);
    (input.spec as Obj).tls = { sni: "www.httpbin.org" };
    const res = await admission.mutate(create(input));
    expect(res.allowed).toBe(true);
    expect(res.warnings).toBeUndefined();
    const mutated = applyPatch(input, decodePatch(res));
    const expected = annotated(backend([{ fqdn: { hostname: "www.httpbin.org", port: 443 } }]));
    (expected.spec as Obj).type = "Endpoints";
    (expected.spec as Obj).tls = { sni: "www.httpbin.org", insecureSkipVerify: false };
    expect(mutated).toEqual(expected);

    const again = await admission.mutate(create(mutated));
    expect(again.allowed).toBe(true);
    expect(again.patch).toBeUndefined();
  });

  it("defaults on UPDATE too", async () => {
    const old = backend([{ ip: { address: "192.0.2.10", port: 8443 } }]);
    const input = backend([{ ip: { address: "192.0.2.11", port: 8443 } }]);
    const res = await admission.mutate(update(input, old));
    const mutated = applyPatch(input, decodePatch(res));
    expect((mutated.spec as Obj).type).toBe("Endpoints");
  });

  it("leaves malformed objects for validation instead of failing the request", async () => {
    for (const spec of [undefined, "a string", { endpoints: "x" }, { endpoints: [null, 7, { fqdn: "x" }] }]) {
      const res = await admission.mutate(create({ ...backend([]), spec }));
      expect(res.allowed).toBe(true);
      expect(res.warnings ?? []).toEqual([]);
    }
  });
});

describe("Backend validation (Validate)", () => {
  it("allows a public fqdn and a documentation-range address", async () => {
    for (const ep of [{ fqdn: { hostname: "www.httpbin.org", port: 443 } }, { ip: { address: "203.0.113.7", port: 443 } }]) {
      const res = await admission.validate(create(backend([ep])));
      expect(res.allowed).toBe(true);
      expect(res.warnings).toBeUndefined();
      expect(res.status?.code).toBe(200);
    }
  });

  it("allows private addresses by default", async () => {
    const res = await admission.validate(create(backend([{ ip: { address: "192.168.1.20", port: 80 } }])));
    expect(res.allowed).toBe(true);
  });

  it("denies the metadata address with the field and what to do instead", async () => {
    const res = await admission.validate(create(backend([{ ip: { address: "169.254.169.254", port: 80 } }])));
    expect(res.allowed).toBe(false);
    expect(res.status?.code).toBe(422);
    expect(res.status?.message).toMatch(/^spec\.endpoints\[0\]\.ip\.address: 169\.254\.169\.254 is .*metadata.* can never be a backend; use /);
  });

  it("joins every violation into one message, in field order", async () => {
    const res = await admission.validate(
      create(
        backend([
          { ip: { address: "127.0.0.1", port: 80 } },
          { ip: { address: "10.96.0.10", port: 80 } },
          { ip: { address: "198.51.100.4", port: 70000 } },
        ]),
      ),
    );
    expect(res.allowed).toBe(false);
    const parts = (res.status?.message ?? "").split("; spec.");
    expect(parts).toHaveLength(3);
    expect(parts[0]).toMatch(/^spec\.endpoints\[0\]\.ip\.address: 127\.0\.0\.1 is a loopback address/);
    expect(parts[1]).toMatch(/^endpoints\[1\]\.ip\.address: 10\.96\.0\.10 is inside 10\.96\.0\.0\/12, .*PEG_DENIED_CIDRS/);
    expect(parts[2]).toMatch(/^endpoints\[2\]\.ip\.port must be an integer from 1 to 65535, not 70000/);
  });

  it("denies localhost, cluster-internal names and IP literals written as hostnames", async () => {
    const cases: [string, RegExp][] = [
      ["localhost", /localhost name/],
      ["api.localhost", /localhost name/],
      ["kubernetes.default.svc.cluster.local", /cluster-internal name/],
      ["metadata.google.internal", /instance-metadata service/],
      ["127.1", /IP literal disguised as a hostname/],
      ["0x7f000001", /IP literal disguised as a hostname/],
    ];
    for (const [hostname, why] of cases) {
      const res = await admission.validate(create(backend([{ fqdn: { hostname, port: 80 } }])));
      expect(res.allowed, hostname).toBe(false);
      expect(res.status?.message, hostname).toMatch(new RegExp(`^spec\\.endpoints\\[0\\]\\.fqdn\\.hostname: .*${why.source}`));
    }
  });

  it("denies unix sockets unless the operator allows them", async () => {
    const res = await admission.validate(create(backend([{ unix: { path: "/var/run/docker.sock" } }])));
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toMatch(/^spec\.endpoints\[0\]\.unix: unix socket endpoints are disabled.*PEG_ALLOW_UNIX_SOCKETS/);
  });

  it("denies an UPDATE that makes a safe Backend unsafe", async () => {
    const old = backend([{ fqdn: { hostname: "www.httpbin.org", port: 443 } }]);
    const res = await admission.validate(update(backend([{ ip: { address: "::1", port: 443 } }]), old));
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toMatch(/^spec\.endpoints\[0\]\.ip\.address: ::1 is the loopback address/);
  });

  it("lets an UPDATE through that leaves an already-stored unsafe spec unchanged, with a warning", async () => {
    const old = backend([{ ip: { address: "127.0.0.1", port: 80 } }]);
    const labelled = backend([{ ip: { address: "127.0.0.1", port: 80 } }], { labels: { team: "a" } });
    const res = await admission.validate(update(labelled, old));
    expect(res.allowed).toBe(true);
    expect(res.warnings).toHaveLength(1);
    expect(res.warnings?.[0]).toMatch(/^allowed because the spec did not change, but: spec\.endpoints\[0\]\.ip\.address: 127\.0\.0\.1 is a loopback/);

    const finalized = backend([{ ip: { address: "127.0.0.1", port: 80 } }], { deletionTimestamp: "2025-01-01T00:00:00Z", finalizers: [] });
    expect((await admission.validate(update(finalized, old))).allowed).toBe(true);
    // Being deleted is no licence to change the spec: a finalizer can keep an object around.
    const deleting = backend([{ ip: { address: "127.0.0.2", port: 80 } }], { deletionTimestamp: "2025-01-01T00:00:00Z" });
    expect((await admission.validate(update(deleting, old))).allowed).toBe(false);
  });

  it("counts the spec as unchanged when only the mutating webhook's defaults were added to an object stored before it", async () => {
    const stored = backend([{ ip: { port: 80, address: "127.0.0.1" } }]);
    const defaultedNow = backend([{ ip: { address: "127.0.0.1", port: 80 } }], { labels: { team: "a" } });
    (defaultedNow.spec as Obj).type = "Endpoints";
    const res = await admission.validate(update(defaultedNow, stored));
    expect(res.allowed).toBe(true);
    expect(res.warnings?.[0]).toMatch(/^allowed because the spec did not change/);

    const changed = backend([{ ip: { address: "127.0.0.1", port: 81 } }]);
    expect((await admission.validate(update(changed, stored))).allowed).toBe(false);
  });
});

describe("Backend bad input gets a clear denial, never a 500", () => {
  const huge = "a".repeat(1024 * 1024);
  const cases: [string, Obj, RegExp][] = [
    ["missing spec", { ...backend([]), spec: undefined }, /^spec is required/],
    ["spec of the wrong type", { ...backend([]), spec: 42 }, /^spec must be an object, not an integer/],
    ["endpoints of the wrong type", backend("x"), /^spec\.endpoints must be a list of endpoints, not a string/],
    ["no endpoints", backend([]), /^spec\.endpoints has 0 entries; a Backend needs 1 to 64/],
    ["10,000 endpoints", backend(Array.from({ length: 10_000 }, () => ({ ip: { address: "203.0.113.1", port: 80 } }))), /^the object holds more than 10000 values/],
    ["a 1 MB hostname", backend([{ fqdn: { hostname: huge, port: 443 } }]), /^spec\.endpoints\[0\]\.fqdn\.hostname: hostname must be 1 to \d+ characters long/],
    ["a lone surrogate (invalid UTF-8)", backend([{ fqdn: { hostname: "evil\udc00.example.com", port: 443 } }]), /^spec\.endpoints\[0\]\.fqdn\.hostname: /],
    ["an endpoint with two address types", backend([{ fqdn: { hostname: "a.example.com", port: 1 }, ip: { address: "192.0.2.1", port: 1 } }]), /sets fqdn and ip; set exactly one/],
  ];

  it.each(cases)("%s", async (_name, obj, message) => {
    const res = await admission.validate(create(obj));
    expect(res.allowed).toBe(false);
    expect(res.status?.code).toBe(422);
    expect(res.status?.message).toMatch(message);
    expect(res.status?.message).not.toMatch(/Action failed/);
    expect((res.status?.message ?? "").length).toBeLessThan(4096);
  });
});
