/**
 * Gateway listeners: validation of each listener (protocol, port, hostname, allowedRoutes, TLS),
 * conflicts between listeners that share a port, and the listener status conditions.
 *
 * - Protocols HTTP and HTTPS are supported; any other is Accepted=False UnsupportedProtocol and
 *   supports no route kinds.
 * - Listeners on one port must share a protocol (else all of them are Conflicted: ProtocolConflict)
 *   and have distinct hostnames (else those are Conflicted: HostnameConflict). Conflicted
 *   listeners are not accepted; no conflicting listener is picked as the winner.
 * - HTTPS terminates TLS with the listener's certificateRefs (see certificates.ts). TLS
 *   passthrough and client certificate validation (spec.tls.frontend) are not supported:
 *   Accepted=False UnsupportedValue, so that such a listener never serves without the checks it asks for.
 */
import type { Gateway, GatewayListener } from "../apis";
import type { ComputedCondition } from "../ir/status";
import type { Store } from "../store";
import { isSupportedProtocol, namespacePolicy, routeKinds, type NamespacePolicy, type RouteGroupKind } from "./allowedroutes";
import { listenerCertificates, type ListenerCertificates } from "./certificates";
import { Reason, condition, fail, ok, type Verdict } from "./conditions";
import { isValidHostname } from "./hostnames";

export interface ListenerModel {
  name: string;
  port: number;
  protocol: string;
  /** Listener hostname; undefined matches any host. */
  hostname?: string;
  supportedKinds: RouteGroupKind[];
  /** Unset when allowedRoutes.namespaces cannot be evaluated (then no route attaches). */
  namespaces?: NamespacePolicy;
  certificates: ListenerCertificates["secrets"];
  /** Accepted before conflicts are known. */
  accepted: Verdict;
  resolvedRefs: Verdict;
  /** Set when the listener is Conflicted (HostnameConflict or ProtocolConflict). */
  conflict?: Verdict;
  /** Routes attached (counted by attach.ts). */
  attachedRoutes: number;
  /** Set by gateway.ts: configuration for this listener is in the IR. */
  programmed: Verdict;
}

function frontendValidatedPorts(gateway: Gateway): (port: number) => boolean {
  const frontend = gateway.spec?.tls?.frontend;
  if (!frontend) return () => false;
  if (frontend.default?.validation) return () => true;
  const ports = new Set((Array.isArray(frontend.perPort) ? frontend.perPort : []).filter(p => p?.tls?.validation).map(p => p.port));
  return port => ports.has(port);
}

function acceptance(l: GatewayListener, namespaces: NamespacePolicy | { problem: string }, validated: boolean): Verdict {
  if (!isSupportedProtocol(l.protocol)) {
    return fail(Reason.UnsupportedProtocol, `protocol "${String(l.protocol)}" is not supported: use HTTP or HTTPS`);
  }
  if (!Number.isInteger(l.port) || l.port < 1 || l.port > 65535) {
    return fail(Reason.PortUnavailable, `port ${String(l.port)} is not a valid port`);
  }
  if (l.hostname !== undefined && l.hostname !== "" && !isValidHostname(l.hostname)) {
    return fail(Reason.UnsupportedValue, `hostname "${String(l.hostname)}" is not a valid hostname`);
  }
  if ("problem" in namespaces) return fail(Reason.UnsupportedValue, namespaces.problem);
  if (l.protocol === "HTTPS" && l.tls?.mode !== undefined && l.tls.mode !== "Terminate") {
    return fail(Reason.UnsupportedValue, `TLS mode ${String(l.tls.mode)} is not supported on HTTPS listeners`);
  }
  if (l.protocol === "HTTPS" && validated) {
    return fail(Reason.UnsupportedValue, "client certificate validation (spec.tls.frontend) is not supported");
  }
  return ok(Reason.Accepted, "Listener is accepted");
}

function resolvedRefs(certs: ListenerCertificates | undefined, invalidKinds: RouteGroupKind[]): Verdict {
  const kindsMessage =
    invalidKinds.length > 0
      ? `route kinds ${invalidKinds.map(k => `${k.group}/${k.kind}`).join(", ")} are not supported`
      : undefined;
  if (certs?.problem) {
    return fail(certs.problem.reason, [certs.problem.message, kindsMessage].filter(Boolean).join("; "));
  }
  if (kindsMessage) return fail(Reason.InvalidRouteKinds, kindsMessage);
  return ok(Reason.ResolvedRefs, "All references are resolved");
}

/** Validates one listener (conflicts with its siblings come later, from detectConflicts). */
export function buildListener(store: Store, gateway: Gateway, l: GatewayListener): ListenerModel {
  const kinds = routeKinds(l);
  const namespaces = namespacePolicy(l);
  const accepted = acceptance(l, namespaces, frontendValidatedPorts(gateway)(l.port));
  const terminates = accepted.ok && l.protocol === "HTTPS";
  const certs = terminates ? listenerCertificates(store, gateway, l) : undefined;
  return {
    name: l.name,
    port: l.port,
    protocol: String(l.protocol),
    hostname: isValidHostname(l.hostname) ? l.hostname : undefined,
    supportedKinds: kinds.supported,
    namespaces: "problem" in namespaces ? undefined : namespaces,
    certificates: certs?.secrets ?? [],
    accepted,
    resolvedRefs: resolvedRefs(certs, kinds.invalid),
    attachedRoutes: 0,
    programmed: fail(Reason.Invalid, "Listener is not programmed"),
  };
}

/** Marks listeners that share a port with a different protocol or the same hostname. */
export function detectConflicts(listeners: ListenerModel[]): void {
  const byPort = new Map<number, ListenerModel[]>();
  for (const l of listeners) {
    if (!l.accepted.ok) continue;
    const group = byPort.get(l.port) ?? [];
    group.push(l);
    byPort.set(l.port, group);
  }
  for (const [port, group] of byPort) {
    const protocols = [...new Set(group.map(l => l.protocol))].sort();
    if (protocols.length > 1) {
      const message = `port ${port} is used by listeners with different protocols (${protocols.join(", ")})`;
      for (const l of group) l.conflict = fail(Reason.ProtocolConflict, message);
      continue;
    }
    const byHost = new Map<string, ListenerModel[]>();
    for (const l of group) byHost.set(l.hostname ?? "", [...(byHost.get(l.hostname ?? "") ?? []), l]);
    for (const [host, same] of byHost) {
      if (same.length < 2) continue;
      const names = same.map(l => l.name).join(", ");
      const message = `listeners ${names} share port ${port} and hostname "${host || "*"}"`;
      for (const l of same) l.conflict = fail(Reason.HostnameConflict, message);
    }
  }
}

/** A listener is usable (can be programmed) when accepted, not conflicted, refs resolved and a kind supported. */
export function usable(l: ListenerModel): Verdict {
  if (!l.accepted.ok) return fail(Reason.Invalid, `Listener is not accepted: ${l.accepted.message}`);
  if (l.conflict) return fail(Reason.Invalid, `Listener is conflicted: ${l.conflict.message}`);
  if (!l.resolvedRefs.ok && l.resolvedRefs.reason !== Reason.InvalidRouteKinds) {
    return fail(Reason.Invalid, `Listener references are not resolved: ${l.resolvedRefs.message}`);
  }
  if (l.supportedKinds.length === 0) return fail(Reason.Invalid, "Listener supports no route kind");
  return ok(Reason.Programmed, "Listener is programmed");
}

export function listenerConditions(l: ListenerModel, generation: number): ComputedCondition[] {
  const accepted = l.conflict && l.accepted.ok ? fail(l.conflict.reason, l.conflict.message) : l.accepted;
  const conflicted = l.conflict
    ? { ok: true, reason: l.conflict.reason, message: l.conflict.message }
    : { ok: false, reason: Reason.NoConflicts, message: "No conflicts" };
  return [
    condition("Accepted", accepted, generation),
    condition("Conflicted", conflicted, generation),
    condition("Programmed", l.programmed, generation),
    condition("ResolvedRefs", l.resolvedRefs, generation),
  ];
}
