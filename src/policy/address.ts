/**
 * IP address safety: which addresses may be a proxy target. Parsing is ipaddr.js; the ranges are
 * listed here as CIDRs with what each one is, so a denial can say why.
 *
 * Denied always: unspecified (0.0.0.0/8, ::), loopback, link-local (incl. cloud metadata),
 * multicast, broadcast, the cloud-metadata table, and any IPv6 form that embeds one of those
 * IPv4 addresses (IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64, 6to4).
 * Denied by configuration: cfg.deniedCIDRs, and private ranges when cfg.denyPrivateRanges.
 */
import ipaddr from "ipaddr.js";
import { METADATA_ADDRESSES } from "./metadata";
import type { PolicyConfig, PolicyReason } from "./types";

export type Address = ipaddr.IPv4 | ipaddr.IPv6;

interface Range {
  cidr: [Address, number];
  what: string;
}

function ranges(list: [string, string][]): Range[] {
  return list.map(([cidr, what]) => ({ cidr: ipaddr.parseCIDR(cidr), what }));
}

/** Never a backend, whatever the configuration says. */
const ALWAYS_DENIED = ranges([
  ["0.0.0.0/8", "an unspecified (RFC 1122 'this network') address"],
  ["127.0.0.0/8", "a loopback address"],
  ["169.254.0.0/16", "a link-local address"],
  ["224.0.0.0/4", "a multicast address"],
  ["255.255.255.255/32", "the broadcast address"],
  ["::/128", "the unspecified address"],
  ["::1/128", "the loopback address"],
  ["fe80::/10", "a link-local address"],
  ["ff00::/8", "a multicast address"],
]);

/** Denied when cfg.denyPrivateRanges is set. */
const PRIVATE = ranges([
  ["10.0.0.0/8", "a private (RFC 1918) address"],
  ["172.16.0.0/12", "a private (RFC 1918) address"],
  ["192.168.0.0/16", "a private (RFC 1918) address"],
  ["100.64.0.0/10", "a shared (RFC 6598 carrier-grade NAT) address"],
  ["fc00::/7", "a unique local (RFC 4193) address"],
  ["fec0::/10", "a site-local (deprecated, RFC 3879) address"],
]);

const METADATA = new Map(METADATA_ADDRESSES.map(m => [ipaddr.parse(m.address).toNormalizedString(), m.what]));

/** Why an address may not be a backend. */
export interface AddressFinding {
  reason: PolicyReason;
  /** Complete sentence tail: "<address> is <this>". */
  verdict: string;
}

const NEVER = "and can never be a backend; use the address of the service you mean to reach";

function inRange(addr: Address, cidr: [Address, number]): boolean {
  return addr.kind() === cidr[0].kind() && addr.match(cidr);
}

/**
 * Whether ipaddr.js's IPv4 parser is worth asking: only digits, hex letters, "x" and dots can
 * form an IPv4 address in any inet_aton notation. (ipaddr.js answers "no" by throwing, which is
 * slow, so ordinary names skip it.)
 */
export function mayBeIPv4(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20; // ASCII lowercase
    const digit = c >= 0x30 && c <= 0x39;
    if (!(digit || (c >= 0x61 && c <= 0x66) || c === 0x78 || text.charCodeAt(i) === 0x2e)) return false;
  }
  return text.length > 0;
}

/**
 * Parses an address written in plain form only: dotted-quad decimal IPv4 without leading zeros,
 * or IPv6 text (an embedded IPv4 tail in dotted-quad decimal), without brackets or zone index.
 */
export function parsePlainAddress(text: string): Address | undefined {
  if (text.length > 45 || text.includes("%") || text.includes("[")) return undefined;
  try {
    if (!text.includes(":")) return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : undefined;
    if (!ipaddr.IPv6.isValid(text)) return undefined;
    if (text.includes(".") && !ipaddr.IPv4.isValidFourPartDecimal(text.slice(text.lastIndexOf(":") + 1))) {
      return undefined;
    }
    return ipaddr.IPv6.parse(text);
  } catch {
    return undefined;
  }
}

/** The IPv4 address an IPv6 address stands for, with the name of the form, if it embeds one. */
export function embeddedIPv4(addr: ipaddr.IPv6): { form: string; v4: ipaddr.IPv4 } | undefined {
  const p = addr.parts;
  const last32 = (): ipaddr.IPv4 => new ipaddr.IPv4([p[6] >> 8, p[6] & 0xff, p[7] >> 8, p[7] & 0xff]);
  const zeros = (from: number, to: number): boolean => p.slice(from, to).every(x => x === 0);
  if (zeros(0, 5) && p[5] === 0xffff) return { form: "IPv4-mapped", v4: last32() };
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) return { form: "IPv4-translated (RFC 6145)", v4: last32() };
  if (zeros(0, 6) && (p[6] !== 0 || p[7] > 1)) return { form: "IPv4-compatible", v4: last32() };
  if (p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6)) return { form: "NAT64 (64:ff9b::/96)", v4: last32() };
  if (p[0] === 0x64 && p[1] === 0xff9b && p[2] === 1) return { form: "local-use NAT64 (64:ff9b:1::/48)", v4: last32() };
  if (p[0] === 0x2002) {
    return { form: "6to4", v4: new ipaddr.IPv4([p[1] >> 8, p[1] & 0xff, p[2] >> 8, p[2] & 0xff]) };
  }
  return undefined;
}

const deniedCache = new WeakMap<readonly string[], [Address, number][]>();

/** Parses cfg.deniedCIDRs once per list; a bare address counts as a single-address range. */
export function parseDeniedCIDRs(list: readonly string[]): { cidrs: [Address, number][]; errors: string[] } {
  const cidrs: [Address, number][] = [];
  const errors: string[] = [];
  for (const entry of list) {
    const text = String(entry).trim();
    try {
      if (text.includes("/")) cidrs.push(ipaddr.parseCIDR(text));
      else {
        const a = ipaddr.parse(text);
        cidrs.push([a, a.kind() === "ipv4" ? 32 : 128]);
      }
    } catch {
      errors.push(`denied CIDR ${JSON.stringify(text)} is not an IPv4 or IPv6 CIDR; fix PEG_DENIED_CIDRS`);
    }
  }
  return { cidrs, errors };
}

function deniedCIDRs(cfg: PolicyConfig): [Address, number][] {
  const list = Array.isArray(cfg.deniedCIDRs) ? cfg.deniedCIDRs : [];
  let parsed = deniedCache.get(list);
  if (!parsed) {
    parsed = parseDeniedCIDRs(list).cidrs;
    deniedCache.set(list, parsed);
  }
  return parsed;
}

/** Checks one address as itself, without looking inside IPv6 forms. */
function classifyNative(addr: Address, cfg: PolicyConfig): AddressFinding | undefined {
  const metadata = METADATA.get(addr.toNormalizedString());
  if (metadata) return { reason: "InvalidAddress", verdict: `${metadata} ${NEVER}` };
  const always = ALWAYS_DENIED.find(r => inRange(addr, r.cidr));
  if (always) return { reason: "InvalidAddress", verdict: `${always.what} ${NEVER}` };
  const denied = deniedCIDRs(cfg).find(c => inRange(addr, c));
  if (denied) {
    const cidr = `${denied[0].toString()}/${denied[1]}`;
    return {
      reason: "InvalidAddress",
      verdict:
        `inside ${cidr}, a range this gateway's policy denies (PEG_DENIED_CIDRS); ` +
        "reach in-cluster workloads through a Service backendRef, or use an address outside the denied ranges",
    };
  }
  if (cfg.denyPrivateRanges) {
    const priv = PRIVATE.find(r => inRange(addr, r.cidr));
    if (priv) {
      return {
        reason: "InvalidAddress",
        verdict:
          `${priv.what} and this gateway's policy denies private ranges (PEG_DENY_PRIVATE_RANGES); ` +
          "use a public address or DNS name",
      };
    }
  }
  return undefined;
}

/** Why the address may not be a backend, or undefined when it may. */
export function classifyAddress(addr: Address, cfg: PolicyConfig): AddressFinding | undefined {
  const native = classifyNative(addr, cfg);
  if (native || addr.kind() === "ipv4") return native;
  const embedded = embeddedIPv4(addr as ipaddr.IPv6);
  if (!embedded) return undefined;
  const inner = classifyNative(embedded.v4, cfg);
  if (!inner) return undefined;
  return { reason: inner.reason, verdict: `the ${embedded.form} form of ${embedded.v4.toString()}, which is ${inner.verdict}` };
}

/** Display form: IPv4 dotted quad, IPv6 per RFC 5952. */
export function formatAddress(addr: Address): string {
  return addr.kind() === "ipv6" ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString();
}
