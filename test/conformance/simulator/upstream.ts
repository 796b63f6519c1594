/**
 * The upstream side of the router: a cluster's endpoints (EDS ClusterLoadAssignment, or the
 * cluster's own load_assignment for STATIC and DNS clusters), its protocol, upstream TLS with
 * Envoy's certificate verification (trusted CA, SAN matchers, auto SAN validation), and the
 * attempt loop with the route timeout (15 s by default, 0 disables it), per-try timeouts and
 * retries.
 */
import type { ForwardedRequest, PresentedCertificate, SocketAddress, UpstreamModel, UpstreamReply, UpstreamTlsView } from "./types";
import { type XdsConfig, edsAssignment } from "./xds";
import { type Msg, anyType, dataSource, durationMs, list, num, obj, str, uintValue } from "./msg";
import { stringMatch } from "./strings";
import { portStart } from "./domains";

const UPSTREAM_TLS = "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";
const HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
const UNHEALTHY = new Set(["UNHEALTHY", "DRAINING", "TIMEOUT"]);

/** The endpoint Envoy sends to: the first healthy one of the lowest priority. */
export function pickEndpoint(config: XdsConfig, cluster: Msg): SocketAddress | undefined {
  const type = str(cluster.type) ?? "STATIC";
  if (obj(cluster.clusterType)) throw new Error(`custom cluster type of ${str(cluster.name)} is not simulated`);
  const assignment = type === "EDS" ? edsAssignment(config, cluster) : obj(cluster.loadAssignment);
  if (!assignment) return undefined;
  const localities = [...list(assignment.endpoints)].sort((a, b) => (num(a.priority) ?? 0) - (num(b.priority) ?? 0));
  for (const locality of localities) {
    for (const lb of list(locality.lbEndpoints)) {
      if (UNHEALTHY.has(str(lb.healthStatus) ?? "UNKNOWN")) continue;
      const socket = obj(obj(obj(lb.endpoint)?.address)?.socketAddress);
      if (!socket) continue;
      return { address: str(socket.address) ?? "", port: num(socket.portValue) ?? 0 };
    }
  }
  return undefined;
}

function httpOptions(cluster: Msg): Msg | undefined {
  const typed = obj(obj(cluster.typedExtensionProtocolOptions)?.[HTTP_OPTIONS]);
  return typed && anyType(typed) === HTTP_OPTIONS ? typed : undefined;
}

export function upstreamProtocol(cluster: Msg): "http1" | "h2" {
  const options = httpOptions(cluster);
  const explicit = obj(options?.explicitHttpConfig);
  if (explicit && obj(explicit.http2ProtocolOptions)) return "h2";
  if (obj(cluster.http2ProtocolOptions)) return "h2";
  if (options && (obj(options.useDownstreamProtocolConfig) || obj(options.autoConfig))) {
    throw new Error(`downstream-dependent upstream protocol of ${str(cluster.name)} is not simulated`);
  }
  return "http1";
}

function upstreamTlsContext(cluster: Msg): Msg | undefined {
  if (list(cluster.transportSocketMatches).length > 0) throw new Error("transport_socket_matches are not simulated");
  const config = obj(obj(cluster.transportSocket)?.typedConfig);
  return config && anyType(config) === UPSTREAM_TLS ? config : undefined;
}

/** The certificate validation context in effect: inline, SDS, or combined (SDS over the default). */
function validationContext(tls: Msg, config: XdsConfig): Msg | undefined {
  const common = obj(tls.commonTlsContext) ?? {};
  const sdsContext = (ref: unknown): Msg | undefined => {
    const name = str(obj(ref)?.name);
    if (name === undefined) return undefined;
    const secret = config.secrets.get(name);
    if (!secret) throw new UpstreamFailure(`validation context secret "${name}" is not in the snapshot`);
    return obj(secret.validationContext);
  };
  if (obj(common.validationContext)) return common.validationContext as Msg;
  if (obj(common.validationContextSdsSecretConfig)) return sdsContext(common.validationContextSdsSecretConfig);
  const combined = obj(common.combinedValidationContext);
  if (combined) return { ...(obj(combined.defaultValidationContext) ?? {}), ...(sdsContext(combined.validationContextSdsSecretConfig) ?? {}) };
  return undefined;
}

export class UpstreamFailure extends Error {}

function dnsMatches(pattern: Msg, certName: string): boolean {
  if (stringMatch(pattern, certName)) return true;
  // A wildcard certificate name covers one label.
  if (certName.startsWith("*.") && typeof pattern.exact === "string") {
    const host = pattern.exact.toLowerCase();
    const dot = host.indexOf(".");
    return dot > 0 && host.slice(dot) === certName.slice(1).toLowerCase();
  }
  return false;
}

function sanMatchers(ctx: Msg): Array<{ type: string; matcher: Msg }> {
  const typed = list(ctx.matchTypedSubjectAltNames).map(m => ({ type: str(m.sanType) ?? "", matcher: obj(m.matcher) ?? {} }));
  const legacy = list(ctx.matchSubjectAltNames).map(m => ({ type: "ANY", matcher: m }));
  return [...typed, ...legacy];
}

function verifyCertificate(ctx: Msg | undefined, cert: PresentedCertificate, autoSanHost: string | undefined): void {
  if (!ctx) return; // without a validation context Envoy accepts any certificate
  const trusted = dataSource(ctx.trustedCa);
  const filename = str(obj(ctx.trustedCa)?.filename);
  const acceptUntrusted = str(ctx.trustChainVerification) === "ACCEPT_UNTRUSTED";
  const norm = (pem: string) => pem.replace(/\s+/g, "");
  if (!acceptUntrusted) {
    if (trusted !== undefined) {
      if (!norm(trusted).includes(norm(cert.issuerPem))) throw new UpstreamFailure("certificate verify failed: issuer not in trusted_ca");
    } else if (filename !== undefined) {
      throw new UpstreamFailure(`certificate verify failed: issuer not in ${filename}`);
    }
  }
  const matchers = sanMatchers(ctx);
  if (matchers.length > 0) {
    const ok = matchers.some(({ type, matcher }) => {
      if (type === "DNS") return cert.dnsNames.some(n => dnsMatches(matcher, n));
      if (type === "URI") return cert.uris.some(u => stringMatch(matcher, u));
      if (type === "ANY") return [...cert.dnsNames, ...cert.uris].some(n => stringMatch(matcher, n));
      return false;
    });
    if (!ok) throw new UpstreamFailure("certificate verify failed: no subject alternative name matches");
  }
  if (autoSanHost !== undefined && !cert.dnsNames.some(n => dnsMatches({ exact: autoSanHost }, n))) {
    throw new UpstreamFailure(`certificate verify failed: ${autoSanHost} not among the subject alternative names`);
  }
}

/** Opens TLS to the endpoint as Envoy would; throws UpstreamFailure when the handshake fails. */
export function upstreamTls(
  config: XdsConfig,
  cluster: Msg,
  endpoint: SocketAddress,
  request: ForwardedRequest,
  model: UpstreamModel,
): UpstreamTlsView | undefined {
  const tls = upstreamTlsContext(cluster);
  if (!tls) return undefined;
  const options = obj(httpOptions(cluster)?.upstreamHttpProtocolOptions) ?? {};
  const hostOnly = hostWithoutPort(request.authority).host;
  const sni = options.autoSni === true ? hostOnly : str(tls.sni) || undefined;
  const cert = model.certificate(endpoint);
  if (!cert) throw new UpstreamFailure("TLS handshake failed: the endpoint does not speak TLS");
  const autoSan = options.autoSanValidation === true ? hostOnly : undefined;
  verifyCertificate(validationContext(tls, config), cert, autoSan);
  return { sni };
}

export interface RetryPlan {
  routeTimeoutMs: number; // 0 = none
  perTryTimeoutMs: number; // 0 = none
  maxAttempts: number;
  retryOn: string[];
  retriableCodes: number[];
}

export function retryPlan(action: Msg, vhost: Msg): RetryPlan {
  const timeout = durationMs(action.timeout);
  const policy = obj(action.retryPolicy) ?? obj(vhost.retryPolicy);
  return {
    routeTimeoutMs: timeout === undefined ? 15000 : timeout,
    perTryTimeoutMs: durationMs(policy?.perTryTimeout) ?? 0,
    maxAttempts: policy ? 1 + uintValue(policy.numRetries, 1) : 1,
    retryOn: (str(policy?.retryOn) ?? "").split(",").map(s => s.trim()).filter(Boolean),
    retriableCodes: (Array.isArray(policy?.retriableStatusCodes) ? (policy?.retriableStatusCodes as unknown[]) : []).map(Number),
  };
}

export function retriable(plan: RetryPlan, status: number, connectFailure: boolean): boolean {
  const on = new Set(plan.retryOn);
  if (connectFailure && (on.has("connect-failure") || on.has("reset") || on.has("5xx") || on.has("gateway-error"))) return true;
  if (on.has("5xx") && status >= 500) return true;
  if (on.has("gateway-error") && [502, 503, 504].includes(status)) return true;
  if (on.has("retriable-4xx") && status === 409) return true;
  if (on.has("retriable-status-codes") && plan.retriableCodes.includes(status)) return true;
  return false;
}

export type AttemptOutcome =
  | { kind: "reply"; reply: Extract<UpstreamReply, { kind: "response" }>; attempts: number }
  | { kind: "local"; status: number; reason: string; attempts: number };

/** Runs attempts until success, a non-retriable answer, the retry budget or the route timeout. */
export function runAttempts(plan: RetryPlan, attempt: (n: number) => UpstreamReply): AttemptOutcome {
  let elapsed = 0;
  let last: AttemptOutcome = { kind: "local", status: 503, reason: "no attempt", attempts: 0 };
  for (let n = 1; n <= plan.maxAttempts; n++) {
    const reply = attempt(n);
    let status: number;
    let connectFailure = false;
    if (reply.kind === "connect-failure") {
      status = 503;
      connectFailure = true;
      last = { kind: "local", status, reason: `upstream connect failure: ${reply.reason}`, attempts: n };
    } else if (plan.perTryTimeoutMs > 0 && reply.latencyMs > plan.perTryTimeoutMs) {
      elapsed += plan.perTryTimeoutMs;
      status = 504;
      last = { kind: "local", status, reason: "upstream_per_try_timeout", attempts: n };
    } else {
      elapsed += reply.latencyMs;
      status = reply.status;
      last = { kind: "reply", reply, attempts: n };
    }
    if (plan.routeTimeoutMs > 0 && elapsed > plan.routeTimeoutMs) {
      return { kind: "local", status: 504, reason: "upstream_request_timeout", attempts: n };
    }
    if (n < plan.maxAttempts && retriable(plan, status, connectFailure)) continue;
    return last;
  }
  return last;
}

export function hostWithoutPort(authority: string): { host: string; port: string } {
  const at = portStart(authority);
  return at >= 0 ? { host: authority.slice(0, at), port: authority.slice(at) } : { host: authority, port: "" };
}

