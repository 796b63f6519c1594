/**
 * Gateways of our GatewayClasses: listeners (listeners.ts), static addresses, infrastructure
 * metadata, and the Gateway's Accepted and Programmed conditions.
 *
 * - Accepted=False: the GatewayClass is not accepted (Invalid), infrastructure.parametersRef is
 *   set (InvalidParameters: no parameters kind is supported), an address type other than
 *   IPAddress or Hostname or a malformed value (UnsupportedAddress), or no valid listener
 *   (ListenersNotValid). With some listeners that cannot be configured (invalid, conflicted,
 *   unresolved references, no supported kind): Accepted=True ListenersNotValid, naming them.
 * - Programmed=True once the Gateway is accepted and at least one listener is programmed.
 * - Listeners with a name already used earlier in the list are ignored (the schema forbids them).
 */
import type { Gateway, GatewayListener } from "../apis";
import type { ComputedCondition } from "../ir/status";
import { parsePlainAddress } from "../policy/address";
import { keyOf } from "../store";
import type { TranslateContext } from "./context";
import type { ClassModel } from "./gatewayclass";
import { Reason, condition, fail, generationOf, ok, type Verdict } from "./conditions";
import { isValidHostname } from "./hostnames";
import { buildListener, detectConflicts, usable, type ListenerModel } from "./listeners";

export interface GatewayModel {
  key: string;
  namespace: string;
  name: string;
  object: Gateway;
  generation: number;
  listeners: ListenerModel[];
  accepted: Verdict;
  programmed: Verdict;
  /** spec.addresses with a value, type defaulted to IPAddress. */
  addresses: Array<{ type: string; value: string }>;
  infrastructure: { labels: Record<string, string>; annotations: Record<string, string> };
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const k of Object.keys(value).sort()) out[k] = String((value as Record<string, unknown>)[k]);
  }
  return out;
}

function addressesOf(gw: Gateway): { addresses: GatewayModel["addresses"]; problem?: string } {
  const raw = gw.spec?.addresses;
  const addresses: GatewayModel["addresses"] = [];
  for (const a of Array.isArray(raw) ? raw : []) {
    const type = typeof a?.type === "string" && a.type ? a.type : "IPAddress";
    const value = typeof a?.value === "string" && a.value ? a.value : undefined;
    if (type !== "IPAddress" && type !== "Hostname") return { addresses, problem: `address type "${type}" is not supported` };
    if (value === undefined) continue;
    if (type === "IPAddress" && !parsePlainAddress(value)) return { addresses, problem: `"${value}" is not an IP address` };
    if (type === "Hostname" && !isValidHostname(value)) return { addresses, problem: `"${value}" is not a valid hostname` };
    addresses.push({ type, value });
  }
  return { addresses };
}

function listenersOf(gw: Gateway): { listeners: GatewayListener[]; duplicates: string[] } {
  const raw = gw.spec?.listeners;
  const seen = new Set<string>();
  const listeners: GatewayListener[] = [];
  const duplicates: string[] = [];
  for (const l of Array.isArray(raw) ? raw : []) {
    if (!l || typeof l !== "object" || typeof l.name !== "string" || l.name === "") continue;
    if (seen.has(l.name)) duplicates.push(l.name);
    else listeners.push(l);
    seen.add(l.name);
  }
  return { listeners, duplicates };
}

function acceptance(gw: Gateway, cls: ClassModel, listeners: ListenerModel[], duplicates: string[], addressProblem?: string): Verdict {
  if (!cls.accepted.ok) return fail(Reason.Invalid, `GatewayClass ${cls.name} is not accepted: ${cls.accepted.message}`);
  const params = gw.spec?.infrastructure?.parametersRef;
  if (params) {
    return fail(Reason.InvalidParameters, `infrastructure.parametersRef ${String(params.group)}/${String(params.kind)} ${String(params.name)} is not supported`);
  }
  if (addressProblem) return fail(Reason.UnsupportedAddress, addressProblem);
  if (listeners.length === 0) return fail(Reason.ListenersNotValid, "Gateway has no listener");
  const invalid = listeners.filter(l => !l.accepted.ok || l.conflict).map(l => l.name);
  if (invalid.length === listeners.length) return fail(Reason.ListenersNotValid, `no listener is valid: ${invalid.join(", ")}`);
  // Accepted, but saying which listeners cannot be configured (invalid, unresolved, duplicate).
  const unusable = listeners.filter(l => !usable(l).ok).map(l => l.name);
  unusable.push(...duplicates.map(d => `${d} (duplicate name)`));
  if (unusable.length > 0) return ok(Reason.ListenersNotValid, `listeners not valid: ${unusable.join(", ")}`);
  return ok(Reason.Accepted, "Gateway is accepted");
}

export function buildGateway(ctx: TranslateContext, gw: Gateway, cls: ClassModel): GatewayModel {
  const namespace = gw.metadata?.namespace ?? "";
  const name = gw.metadata?.name ?? "";
  const { listeners: raw, duplicates } = listenersOf(gw);
  const listeners = raw.map(l => buildListener(ctx.store, gw, l));
  detectConflicts(listeners);
  const { addresses, problem } = addressesOf(gw);
  const accepted = acceptance(gw, cls, listeners, duplicates, problem);
  for (const l of listeners) l.programmed = accepted.ok ? usable(l) : fail(Reason.Invalid, "Gateway is not accepted");
  const anyProgrammed = listeners.some(l => l.programmed.ok);
  const programmed = !accepted.ok
    ? fail(Reason.Invalid, `Gateway is not accepted: ${accepted.message}`)
    : anyProgrammed
      ? ok(Reason.Programmed, "Gateway is programmed")
      : fail(Reason.Invalid, "no listener is programmed");
  const infra = gw.spec?.infrastructure;
  return {
    key: keyOf(namespace, name),
    namespace,
    name,
    object: gw,
    generation: generationOf(gw),
    listeners,
    accepted,
    programmed,
    addresses,
    infrastructure: { labels: stringMap(infra?.labels), annotations: stringMap(infra?.annotations) },
  };
}

/** Every Gateway of one of our classes, sorted by key. */
export function ourGateways(ctx: TranslateContext, classes: ReadonlyMap<string, ClassModel>): GatewayModel[] {
  const out: GatewayModel[] = [];
  for (const gw of ctx.store.list<Gateway>("Gateway")) {
    const cls = classes.get(String(gw.spec?.gatewayClassName ?? ""));
    if (cls && gw.metadata?.name) out.push(buildGateway(ctx, gw, cls));
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function gatewayConditions(gw: GatewayModel): ComputedCondition[] {
  return [condition("Accepted", gw.accepted, gw.generation), condition("Programmed", gw.programmed, gw.generation)];
}
