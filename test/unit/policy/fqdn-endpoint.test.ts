import { describe, expect, it } from "vitest";
import { validateBackend } from "../../../src/policy";
import { config, fqdn } from "./helpers";

const FIELD = "spec.endpoints[0].fqdn.hostname";

describe("Backend fqdn endpoints: IP literals disguised as hostnames", () => {
  // Every spelling below is an IPv4 address to inet_aton and to the WHATWG URL host parser.
  const loopback = [
    "127.0.0.1",
    "127.1", // a.b: b is 24 bits
    "127.0.1", // a.b.c: c is 16 bits
    "0x7f000001", // one hexadecimal number
    "0X7F000001",
    "0x7f.0.0.1", // hexadecimal part
    "0x7f.1",
    "0177.0.0.1", // octal part
    "017700000001", // one octal number
    "2130706433", // one decimal number
    "127.0.0.1.", // trailing dot
    "[::1]", // bracketed IPv6
    "::1",
    "::ffff:127.0.0.1", // IPv4-mapped IPv6
    "[::ffff:7f00:1]",
  ];
  it.each(loopback)("%s is denied and named an IP literal that reaches loopback", host => {
    const r = validateBackend(fqdn(host), config());
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ field: FIELD, reason: "InvalidAddress" });
    expect(r.violations[0].message).toContain("IP literal disguised as a hostname");
    expect(r.violations[0].message).toMatch(/loopback/);
  });

  it("names the metadata address behind a disguised 169.254.169.254", () => {
    for (const host of ["169.254.169.254", "0xa9fea9fe", "2852039166", "0251.0376.0251.0376", "169.254.43518"]) {
      const r = validateBackend(fqdn(host), config());
      expect(r.violations.map(v => v.reason), host).toEqual(["InvalidAddress"]);
      expect(r.violations[0].message, host).toContain("169.254.169.254");
    }
  });

  it("tells the user to use an ip endpoint when the disguised address itself is allowed", () => {
    const r = validateBackend(fqdn("8.8.8.8"), config());
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ field: FIELD, reason: "InvalidHostname" });
    expect(r.violations[0].message).toContain("use an ip endpoint with address 8.8.8.8");
  });

  it("denies names whose last label is numeric (WHATWG 'ends in a number')", () => {
    for (const host of ["example.1", "08.0.0.1", "256.256.256.256", "a.0x10", "foo.0x"]) {
      const r = validateBackend(fqdn(host), config());
      expect(r.violations.map(v => v.reason), host).toEqual(["InvalidHostname"]);
      expect(r.violations[0].message, host).toContain("numeric label");
    }
  });
});

describe("Backend fqdn endpoints: unsafe names", () => {
  const cases: [string, string][] = [
    ["localhost", "localhost"],
    ["LOCALHOST.", "localhost"],
    ["foo.localhost", "localhost"],
    ["metadata.google.internal", "Google Cloud instance-metadata"],
    ["Metadata.Google.Internal.", "Google Cloud instance-metadata"],
    ["metadata.goog", "Google Cloud"],
    ["metadata", "Google Cloud"],
    ["instance-data", "AWS"],
    ["instance-data.ec2.internal", "AWS"],
    ["instance-data.eu-west-1.compute.internal", "AWS"],
    ["metadata.tencentyun.com", "Tencent"],
    ["kubernetes.default.svc.cluster.local", "cluster-internal"],
    ["kubernetes.default.svc", "cluster-internal"],
    ["my-svc.my-ns.svc.cluster.local.", "cluster-internal"],
    ["10-0-0-1.default.pod.cluster.local", "cluster-internal"],
    ["cluster.local", "cluster-internal"],
  ];
  it.each(cases)("%s is denied (%s)", (host, words) => {
    const r = validateBackend(fqdn(host), config());
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ field: FIELD, reason: "InvalidAddress" });
    expect(r.violations[0].message).toContain(words);
  });

  it("treats names under the configured cluster domain as cluster-internal", () => {
    const cfg = config({ clusterDomain: "corp.example" });
    for (const host of ["api.default.svc.corp.example", "anything.corp.example", "x.svc", "y.cluster.local"]) {
      expect(validateBackend(fqdn(host), cfg).violations.map(v => v.reason), host).toEqual(["InvalidAddress"]);
    }
    expect(validateBackend(fqdn("corp.example.com"), cfg).violations).toEqual([]);
    expect(validateBackend(fqdn("www.example.com"), cfg).violations).toEqual([]);
  });

  it("denies single-label names, which the cluster search path expands", () => {
    const r = validateBackend(fqdn("kubernetes"), config());
    expect(r.violations.map(v => v.reason)).toEqual(["InvalidHostname"]);
    expect(r.violations[0].message).toContain("single-label");
  });
});

describe("Backend fqdn endpoints: DNS-1123 syntax", () => {
  const invalid = ["a_b.example.com", "-a.example.com", "a-.example.com", "a..b.com", ".example.com", "exa mple.com", "*.example.com", "é.example.com", "\ud800.example.com", `${"a".repeat(64)}.com`, "example.com..", ""];
  it.each(invalid)("%j is not a usable DNS name", host => {
    const r = validateBackend(fqdn(host), config());
    expect(r.violations.map(v => v.reason)).toEqual(["InvalidHostname"]);
  });

  it("rejects names longer than 253 characters without quoting them whole", () => {
    const long = `${"a".repeat(60)}.`.repeat(5) + "com"; // 308 characters
    const r = validateBackend(fqdn(long), config());
    expect(r.violations.map(v => v.reason)).toEqual(["InvalidHostname"]);
    const huge = validateBackend(fqdn("a".repeat(1_000_000)), config());
    expect(huge.violations.map(v => v.reason)).toEqual(["InvalidHostname"]);
    expect(huge.violations[0].message.length).toBeLessThan(300);
  });
});

describe("Backend fqdn endpoints: neighbours that must pass", () => {
  const allowed = [
    "example.com",
    "www.httpbin.org",
    "WWW.HTTPBIN.ORG", // case is normalised
    "www.httpbin.org.", // so is one trailing dot
    "a.b.c.d.e",
    "1.2.3.4.example.com", // digits in leading labels are fine
    "0x.example.com",
    "123.example.com",
    "0x7f000001.example.com",
    "localhost.example.com", // only the localhost TLD is special
    "metadata.example.com",
    "svc.example.com",
    "cluster.local.example.com",
    "my-service.internal",
    `${"a".repeat(63)}.com`,
    "xn--nxasmq6b.example", // punycode
  ];
  it.each(allowed)("%s passes", host => {
    expect(validateBackend(fqdn(host), config()).violations).toEqual([]);
  });
});
