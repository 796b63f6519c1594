import { describe, expect, it } from "vitest";
import { policyConfigProblems, validateBackend } from "../../../src/policy";
import { config, ip } from "./helpers";

const FIELD = "spec.endpoints[0].ip.address";

describe("Backend ip endpoints: always denied", () => {
  // [address, words the message must contain] — ranges from RFC 6890 and the providers' docs.
  const denied: [string, string][] = [
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"], // all of 127.0.0.0/8 (RFC 1122)
    ["::1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"], // 0.0.0.0/8 "this network"
    ["::", "unspecified"],
    ["169.254.169.254", "link-local cloud-metadata address and can never be a backend; use the address of the service you mean to reach"],
    ["169.254.1.1", "link-local"],
    ["169.254.170.2", "ECS"],
    ["fe80::1", "link-local"],
    ["febf::1", "link-local"], // fe80::/10 ends at febf:...
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["fd00:ec2::254", "AWS EC2 IPv6 instance-metadata"],
    ["100.100.100.200", "Alibaba"],
    ["168.63.129.16", "Azure WireServer"],
    ["192.0.0.192", "Oracle"],
    ["::ffff:127.0.0.1", "IPv4-mapped form of 127.0.0.1"],
    ["::ffff:7f00:1", "IPv4-mapped form of 127.0.0.1"],
    ["::ffff:169.254.169.254", "IPv4-mapped form of 169.254.169.254"],
    ["::ffff:0:127.0.0.1", "IPv4-translated"],
    ["::7f00:1", "IPv4-compatible form of 127.0.0.1"],
    ["64:ff9b::a9fe:a9fe", "NAT64 (64:ff9b::/96) form of 169.254.169.254"],
    ["64:ff9b::127.0.0.1", "NAT64"],
    ["64:ff9b:1::a9fe:a9fe", "local-use NAT64"],
    ["2002:a9fe:a9fe::1", "6to4 form of 169.254.169.254"],
    ["::ffff:100.100.100.200", "Alibaba"],
  ];
  it.each(denied)("%s is denied as InvalidAddress", (address, words) => {
    const r = validateBackend(ip(address), config());
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ field: FIELD, reason: "InvalidAddress" });
    expect(r.violations[0].message).toContain(words);
    expect(r.violations[0].message.startsWith(`${address} is `)).toBe(true);
  });
});

describe("Backend ip endpoints: plain forms only", () => {
  // inet_aton spellings, brackets and zones are not addresses in an ip field.
  const malformed = ["127.1", "0x7f000001", "0177.0.0.1", "01.2.3.4", "2130706433", "[::1]", "fe80::1%eth0", "::ffff:0x7f.0.0.1", "1.2.3.4.5", "256.0.0.1", "example.com", "", "1.2.3.4 "];
  it.each(malformed)("%j is not a plain address", address => {
    const r = validateBackend(ip(address), config());
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ field: FIELD, reason: "InvalidAddress" });
    expect(r.violations[0].message).toContain("not a plain IPv4 or IPv6 address");
  });
});

describe("Backend ip endpoints: allowed by default", () => {
  const allowed = [
    "10.0.0.5", // RFC 1918 is allowed unless denyPrivateRanges
    "172.16.0.1",
    "192.168.1.10",
    "100.64.0.1", // CGNAT, allowed by default
    "fd12:3456::1", // ULA, allowed by default
    "8.8.8.8",
    "2001:db8::1",
    "2606:4700:4700::1111",
    "169.253.255.255", // just below 169.254.0.0/16
    "169.255.0.1", // just above
    "126.255.255.255", // just below 127.0.0.0/8
    "128.0.0.1",
    "223.255.255.255", // just below multicast
    "255.255.255.254",
    "1.0.0.0", // just above 0.0.0.0/8
    "fec0::1", // site-local: only with denyPrivateRanges
    "fe7f::1", // just below fe80::/10
    "::ffff:8.8.8.8",
    "64:ff9b::808:808", // NAT64 form of 8.8.8.8
    "2002:808:808::1", // 6to4 of 8.8.8.8
  ];
  it.each(allowed)("%s passes", address => {
    expect(validateBackend(ip(address), config()).violations).toEqual([]);
  });
});

describe("Backend ip endpoints: configuration", () => {
  it("denyPrivateRanges denies RFC 1918, RFC 6598 and RFC 4193 addresses, also in IPv6 forms", () => {
    const cfg = config({ denyPrivateRanges: true });
    for (const address of ["10.0.0.5", "172.31.255.255", "192.168.0.1", "100.64.0.1", "100.127.255.255", "fd12::1", "fc00::1", "::ffff:10.0.0.5"]) {
      const r = validateBackend(ip(address), cfg);
      expect(r.violations.map(v => v.reason), address).toEqual(["InvalidAddress"]);
      expect(r.violations[0].message).toContain("PEG_DENY_PRIVATE_RANGES");
    }
    for (const address of ["172.32.0.1", "100.128.0.1", "8.8.8.8", "2001:db8::1"]) {
      expect(validateBackend(ip(address), cfg).violations, address).toEqual([]);
    }
  });

  it("deniedCIDRs denies addresses inside the ranges, IPv4 and IPv6, and IPv4 inside IPv6 forms", () => {
    const cfg = config({ deniedCIDRs: ["10.96.0.0/12", "2001:db8:1::/48", "203.0.113.7"] });
    for (const address of ["10.96.0.1", "10.111.255.255", "2001:db8:1::5", "203.0.113.7", "::ffff:10.96.0.10"]) {
      const r = validateBackend(ip(address), cfg);
      expect(r.violations.map(v => v.reason), address).toEqual(["InvalidAddress"]);
      expect(r.violations[0].message).toContain("PEG_DENIED_CIDRS");
    }
    for (const address of ["10.95.255.255", "10.112.0.0", "2001:db8:2::5", "203.0.113.8"]) {
      expect(validateBackend(ip(address), cfg).violations, address).toEqual([]);
    }
  });

  it("ignores unparseable deniedCIDRs entries instead of failing every check", () => {
    const cfg = config({ deniedCIDRs: ["not-a-cidr", "10.0.0.0/8"] });
    expect(validateBackend(ip("10.1.2.3"), cfg).violations).toHaveLength(1);
    expect(validateBackend(ip("8.8.8.8"), cfg).violations).toEqual([]);
  });
});

describe("policyConfigProblems", () => {
  it("names deniedCIDRs entries that are not CIDRs or addresses, and an empty cluster domain", () => {
    expect(policyConfigProblems(config({ deniedCIDRs: ["10.0.0.0/8", "fd00::/8", "192.0.2.1"] }))).toEqual([]);
    const problems = policyConfigProblems(config({ deniedCIDRs: ["10.0.0.0/33", "nope"], clusterDomain: "" }));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain("10.0.0.0/33");
  });
});
