/**
 * Backend (gateway.envoyproxy.io/v1alpha1): whether a Backend can be routed to, and its status.
 *
 * A Backend is checked with the admission policy's own validateBackend, so an object that got in
 * while the webhook was down reads the same words in its status (Accepted=False, reason from the
 * policy, e.g. InvalidAddress) as it would have at `kubectl apply`; such a Backend is never routed.
 * Beyond the policy, what the IR cannot express is refused with UnsupportedValue: more than one
 * fqdn endpoint (one DNS cluster per Backend; split them over several Backends and weight the
 * backendRefs), more than one unix socket, or unix sockets mixed with ip endpoints. spec.tls needs
 * a CA source (caCertificateRefs, wellKnownCACertificates System) or insecureSkipVerify.
 *
 * Status covers every Backend in the input, as Envoy Gateway reports on every Backend it
 * processes: an author learns whether a Backend is usable before any route refers to it.
 */
import type { Backend } from "../apis";
import type { ClusterEndpointsIR, SecretIR, UpstreamProtocol, UpstreamTLSIR } from "../ir/types";
import type { ComputedCondition, StatusEntry } from "../ir/status";
import { validateBackend } from "../policy";
import { normaliseHostname } from "../policy/hostname";
import { isRecord } from "../policy/report";
import type { Violation } from "../policy/types";
import type { Store } from "../store";
import { loadCACertificates } from "./cacerts";
import type { TranslateContext } from "./context";

export const BACKEND_GROUP = "gateway.envoyproxy.io";

export interface BackendTarget {
  endpoints: ClusterEndpointsIR;
  /** Port of the first endpoint (0 for a unix socket). */
  port: number;
  protocol: UpstreamProtocol;
  websocket: boolean;
  /** From spec.tls (a BackendTLSPolicy on the Backend replaces it). */
  tls?: UpstreamTLSIR;
  secret?: SecretIR;
}

export type BackendCheck = { ok: true; target: BackendTarget } | { ok: false; reason: string; message: string };

/** One line per violation: `field: message`, unless the message already names the field. */
export function violationText(violations: readonly Violation[]): string {
  return violations.map(v => (v.message.startsWith(v.field) ? v.message : `${v.field}: ${v.message}`)).join("; ");
}

const unsupported = (message: string): BackendCheck => ({ ok: false, reason: "UnsupportedValue", message });

function endpointsOf(list: Record<string, unknown>[]): { endpoints: ClusterEndpointsIR; port: number } | string {
  const fqdns = list.filter(ep => isRecord(ep.fqdn)).map(ep => ep.fqdn as { hostname: string; port: number });
  if (fqdns.length > 0) {
    if (fqdns.length > 1) return "spec.endpoints lists more than one fqdn endpoint; use one Backend per name and weight the backendRefs";
    const { hostname, port } = fqdns[0];
    return { endpoints: { kind: "dns", hostname: normaliseHostname(hostname), port }, port };
  }
  const unix = list.filter(ep => isRecord(ep.unix)).map(ep => (ep.unix as { path: string }).path);
  if (unix.length > 0) {
    if (unix.length > 1 || unix.length !== list.length) return "spec.endpoints: a Backend with a unix socket must have exactly one endpoint";
    return { endpoints: { kind: "unix", path: unix[0] }, port: 0 };
  }
  const ips = list.map(ep => ep.ip as { address: string; port: number });
  const seen = new Map<string, { address: string; port: number }>();
  for (const ip of ips) seen.set(`${ip.address}|${ip.port}`, { address: ip.address, port: ip.port });
  const endpoints = [...seen.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
  return { endpoints: { kind: "static", endpoints }, port: ips[0].port };
}

function protocolOf(spec: Record<string, unknown>): { protocol: UpstreamProtocol; websocket: boolean } {
  const protocols = Array.isArray(spec.appProtocols) ? spec.appProtocols : [];
  return {
    protocol: protocols.includes("gateway.envoyproxy.io/h2c") ? "h2c" : "http1",
    websocket: protocols.includes("gateway.envoyproxy.io/ws") || protocols.includes("gateway.envoyproxy.io/wss"),
  };
}

function tlsOf(store: Store, backend: Backend, sniDefault: string): { tls?: UpstreamTLSIR; secret?: SecretIR } | BackendCheck {
  const tls: unknown = isRecord(backend.spec) ? backend.spec.tls : undefined;
  if (tls === undefined || tls === null) return {};
  if (!isRecord(tls)) return unsupported("spec.tls must be an object");
  const sni = typeof tls.sni === "string" && tls.sni !== "" ? tls.sni : sniDefault;
  const refs = Array.isArray(tls.caCertificateRefs) ? tls.caCertificateRefs : [];
  if (tls.insecureSkipVerify === true) return { tls: { sni, ca: { kind: "insecure" }, subjectAltNames: [] } };
  if (refs.length === 0) {
    if (tls.wellKnownCACertificates === "System") return { tls: { sni, ca: { kind: "system" }, subjectAltNames: [] } };
    return unsupported("spec.tls needs caCertificateRefs, wellKnownCACertificates: System, or insecureSkipVerify");
  }
  const ns = backend.metadata?.namespace ?? "";
  const bundle = loadCACertificates(store, ns, refs, "spec.tls.caCertificateRefs");
  if (bundle.problems.length > 0) {
    return { ok: false, reason: bundle.problems[0].reason, message: bundle.problems.map(p => p.message).join("; ") };
  }
  const secretName = `backend/${ns}/${backend.metadata?.name ?? ""}/ca`;
  return { tls: { sni, ca: { kind: "secret", secretName }, subjectAltNames: [] }, secret: { name: secretName, kind: "ca", trustedCA: bundle.pem } };
}

function check(ctx: TranslateContext, backend: Backend): BackendCheck {
  const verdict = validateBackend(backend, ctx.config.policy);
  if (verdict.violations.length > 0) return { ok: false, reason: verdict.violations[0].reason, message: violationText(verdict.violations) };
  const spec = backend.spec as unknown as Record<string, unknown>;
  const list = (spec.endpoints as unknown[]).filter(isRecord);
  const eps = endpointsOf(list);
  if (typeof eps === "string") return unsupported(eps);
  const tls = tlsOf(ctx.store, backend, eps.endpoints.kind === "dns" ? eps.endpoints.hostname : "");
  if ("ok" in tls) return tls;
  return { ok: true, target: { ...eps, ...protocolOf(spec), ...tls } };
}

/** Slots of the check tables (store.derived), one per configuration. */
const slots = new WeakMap<TranslateContext["config"], object>();

/**
 * Whether a Backend can be routed to, and how. Memoised per Backend object and configuration, for
 * all snapshots with the same ConfigMaps and Secrets (the CA bundles spec.tls may name).
 */
export function checkBackend(ctx: TranslateContext, backend: Backend): BackendCheck {
  let slot = slots.get(ctx.config);
  if (!slot) slots.set(ctx.config, (slot = {}));
  const byObject = ctx.store.derived(slot, ["ConfigMap", "Secret"], () => new WeakMap<Backend, BackendCheck>());
  let result = byObject.get(backend);
  if (!result) {
    try {
      result = check(ctx, backend);
    } catch {
      result = { ok: false, reason: "InvalidObject", message: "the Backend could not be read; fix the manifest" };
    }
    byObject.set(backend, result);
  }
  return result;
}

function accepted(result: BackendCheck, generation: number): ComputedCondition {
  if (result.ok) return { type: "Accepted", status: "True", reason: "Accepted", message: "The Backend was accepted", observedGeneration: generation };
  return { type: "Accepted", status: "False", reason: result.reason, message: result.message, observedGeneration: generation };
}

/** status.conditions (Accepted) of every Backend in the input, sorted by namespace and name. */
export function backendStatus(ctx: TranslateContext): StatusEntry[] {
  return ctx.store.list<Backend>("Backend").map(backend => {
    const meta = backend.metadata ?? {};
    const generation = typeof meta.generation === "number" ? meta.generation : 0;
    return {
      ref: { group: BACKEND_GROUP, kind: "Backend", namespace: meta.namespace, name: meta.name ?? "" },
      generation,
      status: { kind: "conditions", conditions: [accepted(checkBackend(ctx, backend), generation)] },
    };
  });
}
