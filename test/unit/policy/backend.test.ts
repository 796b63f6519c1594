import { describe, expect, it } from "vitest";
import { MAX_REPORTED_VIOLATIONS, checkBackendEndpoint, validateBackend } from "../../../src/policy";
import { backend, config, fqdn, ip, reasons } from "./helpers";

describe("Backend ports", () => {
  // Backend CRD: port is an int32 from 1 to 65535.
  it.each([1, 80, 443, 65535])("port %s passes", port => {
    expect(validateBackend(fqdn("example.com", port), config()).violations).toEqual([]);
    expect(validateBackend(ip("192.0.2.10", port), config()).violations).toEqual([]);
  });

  it.each([0, -1, 65536, 1.5, "443", null, NaN, Infinity])("port %s is invalid", port => {
    const r = validateBackend(fqdn("example.com", port), config());
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ field: "spec.endpoints[0].fqdn.port", reason: "InvalidObject" });
  });

  it("requires a port", () => {
    const r = validateBackend(backend([{ ip: { address: "192.0.2.10" } }]), config());
    expect(r.violations).toMatchObject([{ field: "spec.endpoints[0].ip.port", reason: "InvalidObject" }]);
  });
});

describe("Backend unix endpoints", () => {
  const unix = backend([{ unix: { path: "/var/run/app.sock" } }]);

  it("are denied by default as UnsupportedValue", () => {
    const r = validateBackend(unix, config());
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ field: "spec.endpoints[0].unix", reason: "UnsupportedValue" });
    expect(r.violations[0].message).toContain("use an fqdn or ip endpoint");
  });

  it("pass when allowUnixSockets is set, with a path of 1 to 108 characters", () => {
    const cfg = config({ allowUnixSockets: true });
    expect(validateBackend(unix, cfg).violations).toEqual([]);
    expect(reasons(validateBackend(backend([{ unix: { path: "" } }]), cfg))).toEqual(["InvalidObject"]);
    expect(reasons(validateBackend(backend([{ unix: { path: `/${"a".repeat(108)}` } }]), cfg))).toEqual(["InvalidObject"]);
    expect(reasons(validateBackend(backend([{ unix: { path: 7 } }]), cfg))).toEqual(["InvalidObject"]);
  });
});

describe("Backend endpoint lists", () => {
  const ep = (i: number) => ({ ip: { address: `192.0.2.${i % 250}`, port: 80 } });

  it("accepts 1 to 64 endpoints", () => {
    expect(validateBackend(backend([ep(1)]), config()).violations).toEqual([]);
    expect(validateBackend(backend(Array.from({ length: 64 }, (_, i) => ep(i))), config()).violations).toEqual([]);
  });

  it("reports 0 or 65 endpoints once", () => {
    expect(validateBackend(backend([]), config()).violations).toMatchObject([{ field: "spec.endpoints", reason: "InvalidObject" }]);
    expect(validateBackend(backend(Array.from({ length: 65 }, (_, i) => ep(i))), config()).violations).toHaveLength(1);
  });

  it("reports 10,000 unsafe endpoints as one violation", () => {
    const many = Array.from({ length: 10_000 }, () => ({ ip: { address: "127.0.0.1", port: 80 } }));
    const r = validateBackend(backend(many), config());
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0].message).toContain("10000 entries");
  });

  it("caps the reported violations and summarises the rest", () => {
    const bad = Array.from({ length: 30 }, () => ({ ip: { address: "127.0.0.1", port: 0 } })); // 60 violations
    const r = validateBackend(backend(bad), config());
    expect(r.violations).toHaveLength(MAX_REPORTED_VIOLATIONS + 1);
    expect(r.violations[MAX_REPORTED_VIOLATIONS].message).toContain("40 more violations not shown");
  });

  it("requires exactly one of fqdn, ip or unix per endpoint", () => {
    const both = validateBackend(backend([{ fqdn: { hostname: "example.com", port: 1 }, ip: { address: "192.0.2.1", port: 1 } }]), config());
    expect(both.violations).toMatchObject([{ field: "spec.endpoints[0]", reason: "InvalidObject" }]);
    expect(both.violations[0].message).toContain("fqdn and ip");
    const none = validateBackend(backend([{ zone: "a" }]), config());
    expect(none.violations).toMatchObject([{ field: "spec.endpoints[0]", reason: "InvalidObject" }]);
  });

  it("does not mix fqdn endpoints with ip endpoints (Backend CRD rule)", () => {
    const r = validateBackend(backend([{ fqdn: { hostname: "example.com", port: 1 } }, ep(1)]), config());
    expect(r.violations).toMatchObject([{ field: "spec.endpoints", reason: "InvalidObject" }]);
  });

  it("reports every unsafe endpoint with its own index", () => {
    const r = validateBackend(backend([ep(1), { ip: { address: "127.0.0.1", port: 80 } }, { ip: { address: "169.254.169.254", port: 80 } }]), config());
    expect(r.violations.map(v => v.field)).toEqual(["spec.endpoints[1].ip.address", "spec.endpoints[2].ip.address"]);
  });
});

describe("Backend spec", () => {
  it("accepts type Endpoints and rejects other types", () => {
    const ok = backend([{ ip: { address: "192.0.2.1", port: 80 } }]);
    (ok.spec as Record<string, unknown>).type = "Endpoints";
    expect(validateBackend(ok, config()).violations).toEqual([]);
    (ok.spec as Record<string, unknown>).type = "DynamicResolver";
    expect(validateBackend(ok, config()).violations).toMatchObject([{ field: "spec.type", reason: "UnsupportedValue" }]);
  });
});

describe("Backend malformed objects", () => {
  const cases: [string, unknown, string][] = [
    ["null", null, "(root)"],
    ["a string", "Backend", "(root)"],
    ["an array", [], "(root)"],
    ["no spec", { kind: "Backend" }, "spec"],
    ["spec as an array", { spec: [] }, "spec"],
    ["endpoints as an object", { spec: { endpoints: { ip: {} } } }, "spec.endpoints"],
    ["endpoints missing", { spec: {} }, "spec.endpoints"],
    ["endpoint null", { spec: { endpoints: [null] } }, "spec.endpoints[0]"],
    ["endpoint array", { spec: { endpoints: [[]] } }, "spec.endpoints[0]"],
    ["fqdn as a string", { spec: { endpoints: [{ fqdn: "example.com" }] } }, "spec.endpoints[0].fqdn"],
    ["hostname as a number", { spec: { endpoints: [{ fqdn: { hostname: 7, port: 80 } }] } }, "spec.endpoints[0].fqdn.hostname"],
    ["address as an array", { spec: { endpoints: [{ ip: { address: ["1.2.3.4"], port: 80 } }] } }, "spec.endpoints[0].ip.address"],
    ["zone as a number", { spec: { endpoints: [{ zone: 1, ip: { address: "192.0.2.1", port: 80 } }] } }, "spec.endpoints[0].zone"],
  ];
  it.each(cases)("%s gives InvalidObject at %s", (_name, obj, field) => {
    const r = validateBackend(obj, config());
    expect(r.violations.length).toBeGreaterThan(0);
    expect(r.violations[0]).toMatchObject({ field, reason: "InvalidObject" });
  });
});

describe("checkBackendEndpoint", () => {
  it("uses the given index in field paths and applies the same rules", () => {
    expect(checkBackendEndpoint({ ip: { address: "127.0.0.1", port: 80 } }, 3, config())).toMatchObject([
      { field: "spec.endpoints[3].ip.address", reason: "InvalidAddress" },
    ]);
    expect(checkBackendEndpoint({ fqdn: { hostname: "www.httpbin.org", port: 443 } }, 0, config())).toEqual([]);
    expect(checkBackendEndpoint(undefined, 2, config())).toMatchObject([{ field: "spec.endpoints[2]", reason: "InvalidObject" }]);
  });
});
