/**
 * BackendTLSPolicy (gateway.networking.k8s.io/v1): TLS from the proxy to a Service port or a
 * Backend.
 *
 * - targetRefs: Services (sectionName = the Service port's name) and Backends
 *   (gateway.envoyproxy.io). A policy naming a sectionName takes precedence over one naming the
 *   whole target for that port; that is not a conflict.
 * - Conflicts: of the policies naming the same target and sectionName, the oldest
 *   (creationTimestamp) wins, then the first by `namespace/name`; the others get Accepted=False,
 *   reason Conflicted, and are not applied there.
 * - validation.hostname is the SNI and, without subjectAltNames, the name the certificate must
 *   present; subjectAltNames (Hostname or URI) replace it for verification.
 * - caCertificateRefs: ConfigMaps or Secrets with `ca.crt` (see cacerts.ts) → a SecretIR of kind
 *   "ca"; wellKnownCACertificates "System" → the system trust store. An invalid reference gives
 *   ResolvedRefs=False (InvalidCACertificateRef or InvalidKind); when no reference is valid the
 *   policy is Accepted=False (NoValidCACertificate) and, as the spec requires, connections to the
 *   target fail: the backend is not routed and its traffic share gets HTTP 500.
 * - A malformed policy (no hostname, both or neither CA sources, an unknown well-known set) is
 *   Accepted=False, reason Invalid. It takes no part in conflict resolution, but traffic to a
 *   target that only malformed policies name is refused too rather than sent in clear text.
 *
 * The policies are resolved once for all snapshots with the same policies, ConfigMaps and Secrets.
 */
import type { BackendTLSPolicy } from "../apis";
import type { SecretIR, UpstreamTLSIR } from "../ir/types";
import type { ComputedCondition, StatusEntry } from "../ir/status";
import { isRecord, quote } from "../policy/report";
import type { Store } from "../store";
import { loadCACertificates } from "./cacerts";
import { comparePolicyAge } from "./age";
import type { TranslateContext } from "./context";
import type { PolicyUsage } from "./types";

const GATEWAY_GROUP = "gateway.networking.k8s.io";
const HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SAN_HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const URI = /^(([^:/?#]+):)(\/\/([^/?#]*))([^?#]*)(\?([^#]*))?(#(.*))?/;
const MAX_TARGETS = 16;

type Verdict = { status: "True" | "False"; reason: string; message: string };

export interface PolicyState {
  key: string;
  namespace: string;
  name: string;
  generation: number;
  createdAt: string;
  /** Set when the policy is malformed (Accepted=False, Invalid). */
  invalid?: string;
  resolvedRefs: Verdict;
  /** TLS to apply; undefined when no CA is usable (connections must fail). */
  tls?: UpstreamTLSIR;
  secret?: SecretIR;
  /** Target keys on which another policy took precedence. */
  lostTo: Map<string, string>;
}

interface Index {
  states: Map<string, PolicyState>;
  /** Per target key: every policy naming it, in precedence order (malformed ones last). */
  byTarget: Map<string, PolicyState[]>;
}

export function targetKey(group: string, kind: string, namespace: string, name: string, section?: string): string {
  return `${group}|${kind}|${namespace}|${name}|${section ?? ""}`;
}

function subjectAltNames(value: unknown): UpstreamTLSIR["subjectAltNames"] | string {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 5) return "spec.validation.subjectAltNames must be a list of at most 5 entries";
  const out: UpstreamTLSIR["subjectAltNames"] = [];
  for (const [i, san] of value.entries()) {
    const at = `spec.validation.subjectAltNames[${i}]`;
    if (isRecord(san) && san.type === "Hostname" && typeof san.hostname === "string" && SAN_HOSTNAME.test(san.hostname)) {
      out.push({ type: "Hostname", value: san.hostname });
    } else if (isRecord(san) && san.type === "URI" && typeof san.uri === "string" && URI.test(san.uri)) {
      out.push({ type: "URI", value: san.uri });
    } else return `${at} must be a Hostname with a hostname or a URI with a uri`;
  }
  return out;
}

function readPolicy(store: Store, policy: BackendTLSPolicy): PolicyState {
  const meta = policy.metadata ?? {};
  const namespace = meta.namespace ?? "";
  const name = meta.name ?? "";
  const state: PolicyState = {
    key: `${namespace}/${name}`,
    namespace,
    name,
    generation: typeof meta.generation === "number" ? meta.generation : 0,
    createdAt: typeof meta.creationTimestamp === "string" ? meta.creationTimestamp : "",
    resolvedRefs: { status: "True", reason: "ResolvedRefs", message: "All CA certificate references resolved" },
    lostTo: new Map(),
  };
  const v: unknown = isRecord(policy.spec) ? policy.spec.validation : undefined;
  if (!isRecord(v)) return { ...state, invalid: "spec.validation must be an object with hostname and a CA source" };
  if (typeof v.hostname !== "string" || !HOSTNAME.test(v.hostname)) {
    return { ...state, invalid: `spec.validation.hostname ${quote(v.hostname)} must be a DNS name (the SNI sent to the backend)` };
  }
  const sans = subjectAltNames(v.subjectAltNames);
  if (typeof sans === "string") return { ...state, invalid: sans };
  const refs = Array.isArray(v.caCertificateRefs) ? v.caCertificateRefs : [];
  const wellKnown = v.wellKnownCACertificates;
  const hasWellKnown = typeof wellKnown === "string" && wellKnown !== "";
  if (refs.length > 0 && hasWellKnown) return { ...state, invalid: "set either caCertificateRefs or wellKnownCACertificates, not both" };
  if (refs.length === 0 && !hasWellKnown) return { ...state, invalid: "set caCertificateRefs or wellKnownCACertificates (System)" };
  const base = { sni: v.hostname, subjectAltNames: sans };
  if (hasWellKnown) {
    if (wellKnown !== "System") return { ...state, invalid: `wellKnownCACertificates ${quote(wellKnown)} is not supported; use System` };
    return { ...state, tls: { ...base, ca: { kind: "system" } } };
  }
  const bundle = loadCACertificates(store, namespace, refs, "spec.validation.caCertificateRefs");
  if (bundle.problems.length > 0) {
    state.resolvedRefs = { status: "False", reason: bundle.problems[0].reason, message: bundle.problems.map(p => p.message).join("; ") };
  }
  if (bundle.valid === 0) return state;
  const secretName = `backendtlspolicy/${namespace}/${name}/ca`;
  return { ...state, tls: { ...base, ca: { kind: "secret", secretName } }, secret: { name: secretName, kind: "ca", trustedCA: bundle.pem } };
}

function targetKeysOf(policy: BackendTLSPolicy, namespace: string): string[] {
  const refs: unknown = isRecord(policy.spec) ? policy.spec.targetRefs : undefined;
  if (!Array.isArray(refs)) return [];
  const keys = new Set<string>();
  for (const ref of refs.slice(0, MAX_TARGETS)) {
    if (!isRecord(ref) || typeof ref.name !== "string" || typeof ref.kind !== "string") continue;
    const group = typeof ref.group === "string" ? ref.group : "";
    const section = typeof ref.sectionName === "string" && ref.sectionName !== "" ? ref.sectionName : undefined;
    keys.add(targetKey(group, ref.kind, namespace, ref.name, section));
  }
  return [...keys];
}

function buildIndex(store: Store): Index {
  const states = new Map<string, PolicyState>();
  const byTarget = new Map<string, PolicyState[]>();
  for (const policy of store.list<BackendTLSPolicy>("BackendTLSPolicy")) {
    const state = readPolicy(store, policy);
    states.set(state.key, state);
    for (const key of targetKeysOf(policy, state.namespace)) {
      const list = byTarget.get(key);
      if (list) list.push(state);
      else byTarget.set(key, [state]);
    }
  }
  for (const [key, list] of byTarget) {
    list.sort((a, b) => Number(Boolean(a.invalid)) - Number(Boolean(b.invalid)) || comparePolicyAge(a, b));
    const winner = list[0];
    if (winner.invalid) continue;
    for (const loser of list.slice(1)) if (!loser.invalid) loser.lostTo.set(key, winner.key);
  }
  return { states, byTarget };
}

/** Slot of the policy index (store.derived): shared while policies and CA objects are unchanged. */
const INDEX = {};

function indexOf(store: Store): Index {
  return store.derived(INDEX, ["BackendTLSPolicy", "ConfigMap", "Secret"], () => buildIndex(store));
}

export interface TargetTLS {
  /** The policy applied, if any. */
  applied?: PolicyState;
  /** Policies name the target but none can be applied: connections must fail. */
  blocked?: string;
  /** `namespace/name` of every policy naming the chosen target key (applied, conflicted, invalid). */
  related: string[];
}

/**
 * The BackendTLSPolicy for a target (a Service port by its name, or a Backend): the policies
 * naming the section win over those naming the whole target.
 */
export function tlsForTarget(store: Store, group: string, kind: string, namespace: string, name: string, section?: string): TargetTLS {
  const idx = indexOf(store);
  if (idx.byTarget.size === 0) return { related: [] };
  const sectioned = section ? idx.byTarget.get(targetKey(group, kind, namespace, name, section)) : undefined;
  const list = sectioned ?? idx.byTarget.get(targetKey(group, kind, namespace, name));
  if (!list) return { related: [] };
  const related = list.map(s => s.key).sort();
  const winner = list[0];
  if (winner.invalid) return { related, blocked: `BackendTLSPolicy ${winner.key} is invalid: ${winner.invalid}` };
  if (!winner.tls) return { related, blocked: `BackendTLSPolicy ${winner.key} has no valid CA certificate` };
  return { related, applied: winner };
}

function acceptedOf(state: PolicyState): Verdict {
  if (state.invalid) return { status: "False", reason: "Invalid", message: state.invalid };
  if (state.lostTo.size > 0) {
    const [target, winner] = [...state.lostTo.entries()].sort()[0];
    const [group, kind, , name, section] = target.split("|");
    const what = `${group ? `${group}/` : ""}${kind} ${name}${section ? ` port ${section}` : ""}`;
    return { status: "False", reason: "Conflicted", message: `BackendTLSPolicy ${winner} already targets ${what} and takes precedence (older, or first by name)` };
  }
  if (!state.tls) return { status: "False", reason: "NoValidCACertificate", message: "None of the CA certificate references is valid" };
  return { status: "True", reason: "Accepted", message: "Policy has been accepted" };
}

function conditions(state: PolicyState): ComputedCondition[] {
  const accepted = acceptedOf(state);
  const refs = state.resolvedRefs;
  return [
    { type: "Accepted", ...accepted, observedGeneration: state.generation },
    { type: "ResolvedRefs", ...refs, observedGeneration: state.generation },
  ];
}

function gatewayRef(key: string): { group: string; kind: string; namespace: string; name: string } {
  const slash = key.indexOf("/");
  return { group: GATEWAY_GROUP, kind: "Gateway", namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** status.ancestors of every used BackendTLSPolicy: one entry per Gateway whose routes use it. */
export function backendTLSPolicyStatus(ctx: TranslateContext, usage: PolicyUsage): StatusEntry[] {
  const idx = indexOf(ctx.store);
  const out: StatusEntry[] = [];
  for (const key of [...usage.keys()].sort()) {
    const state = idx.states.get(key);
    const gateways = usage.get(key) ?? [];
    if (!state || gateways.length === 0) continue;
    const conds = conditions(state);
    out.push({
      ref: { group: GATEWAY_GROUP, kind: "BackendTLSPolicy", namespace: state.namespace, name: state.name },
      generation: state.generation,
      status: {
        kind: "ancestors",
        ancestors: [...new Set(gateways)].sort().map(gw => ({
          parentRef: gatewayRef(gw),
          controllerName: ctx.config.controllerName,
          conditions: conds.map(c => ({ ...c })),
        })),
      },
    });
  }
  return out;
}
