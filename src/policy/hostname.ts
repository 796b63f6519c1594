/**
 * Hostname safety for Backend fqdn endpoints. A name is checked after normalising case and one
 * trailing dot. Denied: anything a common resolver or URL parser would read as an IP address
 * (inet_aton forms such as 127.1, 0x7f000001, 0177.0.0.1, 2130706433; IPv6 literals), names that
 * are not DNS-1123 subdomains of at least two labels, localhost, cloud-metadata names, and
 * cluster-internal names.
 */
import ipaddr from "ipaddr.js";
import { type Address, classifyAddress, formatAddress, mayBeIPv4 } from "./address";
import { metadataNameOwner } from "./metadata";
import { quote } from "./report";
import type { PolicyConfig, PolicyReason } from "./types";

export interface HostnameFinding {
  reason: PolicyReason;
  message: string;
}

const MAX_NAME = 253;
const LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** Lowercase and drop one trailing dot ("Example.COM." -> "example.com"). */
export function normaliseHostname(name: string): string {
  const lower = name.toLowerCase();
  return lower.length > 1 && lower.endsWith(".") && !lower.endsWith("..") ? lower.slice(0, -1) : lower;
}

/** DNS-1123 subdomain syntax (lowercase), optionally with a leading "*." wildcard label. */
export function isDnsSyntax(name: string): boolean {
  const bare = name.startsWith("*.") ? name.slice(2) : name;
  return bare.length > 0 && bare.length <= MAX_NAME && bare.split(".").every(label => LABEL.test(label));
}

/**
 * WHATWG URL "ends in a number": a last label of only digits, or 0x followed by hex digits, makes
 * the URL host parser treat the whole name as an IPv4 address (or reject it).
 */
function endsInNumber(name: string): boolean {
  const last = name.slice(name.lastIndexOf(".") + 1);
  if (last.length === 0) return false;
  const hex = /^0x[0-9a-f]*$/i.test(last);
  return hex || /^[0-9]+$/.test(last);
}

/** The address a resolver would make of this name, if any: inet_aton forms and IPv6 literals. */
function addressLiteral(name: string): Address | undefined {
  const bare = name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name;
  try {
    if (mayBeIPv4(bare) && ipaddr.IPv4.isValid(bare)) return ipaddr.IPv4.parse(bare);
    if (bare.includes(":") && ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(bare);
  } catch {
    return undefined;
  }
  return undefined;
}

function literalFinding(original: string, addr: Address, cfg: PolicyConfig): HostnameFinding {
  const plain = formatAddress(addr);
  const kind = addr.kind() === "ipv4" ? "IPv4" : "IPv6";
  const danger = classifyAddress(addr, cfg);
  if (danger) {
    return {
      reason: "InvalidAddress",
      message: `${quote(original)} is an IP literal disguised as a hostname: resolvers read it as the ${kind} address ${plain}, which is ${danger.verdict}`,
    };
  }
  return {
    reason: "InvalidHostname",
    message: `${quote(original)} is an IP literal disguised as a hostname (the ${kind} address ${plain}); use an ip endpoint with address ${plain} instead`,
  };
}

function syntaxFinding(original: string, name: string): HostnameFinding | undefined {
  if (name.length === 0 || name.length > MAX_NAME) {
    return {
      reason: "InvalidHostname",
      message: `hostname must be 1 to ${MAX_NAME} characters long, not ${name.length}; use the backend's fully qualified DNS name`,
    };
  }
  if (name.startsWith("*.")) {
    return {
      reason: "InvalidHostname",
      message: `${quote(original)} is a wildcard, which cannot be resolved to endpoints; name one host, e.g. ${quote(`www${name.slice(1)}`)}`,
    };
  }
  if (!isDnsSyntax(name)) {
    return {
      reason: "InvalidHostname",
      message:
        `${quote(original)} is not a valid DNS name (RFC 1123: labels of 1-63 letters, digits or '-', ` +
        "starting and ending with a letter or digit, separated by dots); use the backend's fully qualified DNS name",
    };
  }
  return undefined;
}

/** Names that reach the cluster itself rather than the outside world. */
function clusterInternal(name: string, cfg: PolicyConfig): string | undefined {
  const domain = normaliseHostname(typeof cfg.clusterDomain === "string" ? cfg.clusterDomain : "");
  const suffixes = ["svc", "cluster.local"];
  if (domain) suffixes.push(domain, `svc.${domain}`);
  return suffixes.find(s => name === s || name.endsWith(`.${s}`));
}

function safetyFinding(original: string, name: string, cfg: PolicyConfig): HostnameFinding | undefined {
  if (name === "localhost" || name.endsWith(".localhost")) {
    return {
      reason: "InvalidAddress",
      message: `${quote(original)} is a localhost name (RFC 6761): it resolves to the proxy itself and can never be a backend; use the DNS name of the service you mean to reach`,
    };
  }
  const owner = metadataNameOwner(name);
  if (owner) {
    return {
      reason: "InvalidAddress",
      message: `${quote(original)} is the ${owner} instance-metadata service and can never be a backend; use the DNS name of the service you mean to reach`,
    };
  }
  const suffix = clusterInternal(name, cfg);
  if (suffix) {
    return {
      reason: "InvalidAddress",
      message: `${quote(original)} is a cluster-internal name (under ${quote(suffix)}) and cannot be a Backend endpoint; reference in-cluster Services with a Service backendRef instead`,
    };
  }
  if (!name.includes(".")) {
    return {
      reason: "InvalidHostname",
      message: `${quote(original)} is a single-label name, which the proxy resolves through the cluster's DNS search path to in-cluster names; use a fully qualified name with at least two labels`,
    };
  }
  return undefined;
}

/** Why this fqdn hostname may not be a backend, or undefined when it may. */
export function checkHostname(original: string, cfg: PolicyConfig): HostnameFinding | undefined {
  if (original.length > MAX_NAME + 1) return syntaxFinding(original, original);
  const name = normaliseHostname(original);
  const literal = addressLiteral(name);
  if (literal) return literalFinding(original, literal, cfg);
  if (endsInNumber(name)) {
    return {
      reason: "InvalidHostname",
      message: `${quote(original)} ends in a numeric label, which URL parsers and resolvers read as an IPv4 address; use a DNS name, or an ip endpoint for an address`,
    };
  }
  return syntaxFinding(original, name) ?? safetyFinding(original, name, cfg);
}
