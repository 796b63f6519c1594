/**
 * Backend (gateway.envoyproxy.io/v1alpha1) checks: the shape the CRD promises, then the safety of
 * every endpoint (fqdn names, ip addresses, unix sockets).
 */
import { classifyAddress, parsePlainAddress } from "./address";
import { checkHostname } from "./hostname";
import { ROOT, capViolations, isIntInRange, isRecord, quote, violation, wrongType } from "./report";
import type { PolicyConfig, PolicyResult, Violation } from "./types";

/** The Backend CRD allows 1 to 64 endpoints. */
export const MAX_ENDPOINTS = 64;
/** sockaddr_un path limit, as in the Backend CRD. */
const MAX_UNIX_PATH = 108;

const ENDPOINT_KINDS = ["fqdn", "ip", "unix"] as const;

function checkPort(value: unknown, field: string): Violation[] {
  if (value === undefined || value === null) {
    return [violation(field, "InvalidObject", `${field} is required; set the port the backend listens on (1-65535)`)];
  }
  if (!isIntInRange(value, 1, 65535)) {
    return [
      violation(field, "InvalidObject", `${field} must be an integer from 1 to 65535, not ${quote(value)}; set the port the backend listens on`),
    ];
  }
  return [];
}

function checkFqdn(fqdn: unknown, field: string, cfg: PolicyConfig): Violation[] {
  if (!isRecord(fqdn)) return [wrongType(field, "an object with hostname and port", fqdn)];
  const out: Violation[] = [];
  const host = fqdn.hostname;
  if (typeof host !== "string") out.push(wrongType(`${field}.hostname`, "a string", host));
  else {
    const finding = checkHostname(host, cfg);
    if (finding) out.push(violation(`${field}.hostname`, finding.reason, finding.message));
  }
  return out.concat(checkPort(fqdn.port, `${field}.port`));
}

function checkIp(ip: unknown, field: string, cfg: PolicyConfig): Violation[] {
  if (!isRecord(ip)) return [wrongType(field, "an object with address and port", ip)];
  const out: Violation[] = [];
  const text = ip.address;
  if (typeof text !== "string") out.push(wrongType(`${field}.address`, "a string", text));
  else {
    const addr = parsePlainAddress(text);
    if (!addr) {
      out.push(
        violation(
          `${field}.address`,
          "InvalidAddress",
          `${quote(text)} is not a plain IPv4 or IPv6 address; write it as dotted-quad decimal (192.0.2.10) ` +
            "or IPv6 (2001:db8::10) without brackets or zone, or use an fqdn endpoint for a DNS name",
        ),
      );
    } else {
      const finding = classifyAddress(addr, cfg);
      if (finding) out.push(violation(`${field}.address`, finding.reason, `${text} is ${finding.verdict}`));
    }
  }
  return out.concat(checkPort(ip.port, `${field}.port`));
}

function checkUnix(unix: unknown, field: string, cfg: PolicyConfig): Violation[] {
  if (!cfg.allowUnixSockets) {
    return [
      violation(
        field,
        "UnsupportedValue",
        "unix socket endpoints are disabled: a socket path reaches processes inside the proxy's own pod; " +
          "use an fqdn or ip endpoint (the operator can allow sockets with PEG_ALLOW_UNIX_SOCKETS)",
      ),
    ];
  }
  if (!isRecord(unix)) return [wrongType(field, "an object with a path", unix)];
  const path = unix.path;
  if (typeof path !== "string") return [wrongType(`${field}.path`, "a string", path)];
  if (path.length === 0 || path.length > MAX_UNIX_PATH) {
    return [
      violation(`${field}.path`, "InvalidObject", `${field}.path must be 1 to ${MAX_UNIX_PATH} characters long, not ${path.length}; use a shorter socket path`),
    ];
  }
  return [];
}

/** Violations of one endpoint, with field paths under spec.endpoints[index]. Never throws. */
export function checkBackendEndpoint(ep: unknown, index: number, cfg: PolicyConfig): Violation[] {
  const field = `spec.endpoints[${index}]`;
  try {
    if (!isRecord(ep)) return [wrongType(field, "an object with one of fqdn, ip or unix", ep)];
    const set = ENDPOINT_KINDS.filter(k => ep[k] !== undefined && ep[k] !== null);
    const out: Violation[] = [];
    if (ep.zone !== undefined && typeof ep.zone !== "string") out.push(wrongType(`${field}.zone`, "a string", ep.zone));
    if (set.length !== 1) {
      const what = set.length === 0 ? "sets none of fqdn, ip or unix" : `sets ${set.join(" and ")}`;
      return out.concat(violation(field, "InvalidObject", `${field} ${what}; set exactly one of fqdn, ip or unix`));
    }
    const kind = set[0];
    const sub = `${field}.${kind}`;
    if (kind === "fqdn") return out.concat(checkFqdn(ep.fqdn, sub, cfg));
    if (kind === "ip") return out.concat(checkIp(ep.ip, sub, cfg));
    return out.concat(checkUnix(ep.unix, sub, cfg));
  } catch {
    return [violation(field, "InvalidObject", `${field} could not be read; fix the manifest`)];
  }
}

function checkEndpoints(endpoints: unknown, cfg: PolicyConfig): Violation[] {
  const field = "spec.endpoints";
  if (endpoints === undefined || endpoints === null) {
    return [violation(field, "InvalidObject", `${field} is required; list 1 to ${MAX_ENDPOINTS} endpoints`)];
  }
  if (!Array.isArray(endpoints)) return [wrongType(field, "a list of endpoints", endpoints)];
  if (endpoints.length === 0 || endpoints.length > MAX_ENDPOINTS) {
    return [
      violation(
        field,
        "InvalidObject",
        `${field} has ${endpoints.length} entries; a Backend needs 1 to ${MAX_ENDPOINTS}: split the endpoints over several Backends`,
      ),
    ];
  }
  const out = endpoints.flatMap((ep, i) => checkBackendEndpoint(ep, i, cfg));
  const records = endpoints.filter(isRecord);
  const fqdns = records.filter(ep => ep.fqdn !== undefined && ep.fqdn !== null).length;
  if (fqdns > 0 && fqdns < records.length) {
    out.push(
      violation(field, "InvalidObject", `${field} mixes fqdn endpoints with ip or unix endpoints; put fqdn endpoints in a Backend of their own`),
    );
  }
  return out;
}

function backendViolations(obj: unknown, cfg: PolicyConfig): Violation[] {
  if (!isRecord(obj)) return [wrongType(ROOT, "a Backend object", obj)];
  const spec = obj.spec;
  if (!isRecord(spec)) {
    return spec === undefined || spec === null
      ? [violation("spec", "InvalidObject", "spec is required; a Backend lists its endpoints in spec.endpoints")]
      : [wrongType("spec", "an object", spec)];
  }
  const out: Violation[] = [];
  if (spec.type !== undefined && spec.type !== "Endpoints") {
    out.push(violation("spec.type", "UnsupportedValue", `spec.type ${quote(spec.type)} is not supported; use Endpoints (or leave it unset)`));
  }
  return out.concat(checkEndpoints(spec.endpoints, cfg));
}

/** Validates a Backend. Never throws; violations are capped (see capViolations). */
export function validateBackend(obj: unknown, cfg: PolicyConfig): PolicyResult {
  try {
    return { violations: capViolations(backendViolations(obj, cfg)), warnings: [] };
  } catch {
    return { violations: [violation(ROOT, "InvalidObject", "the Backend could not be read; fix the manifest")], warnings: [] };
  }
}
