/**
 * Status assertions of the conformance suite, checked against the StatusReport translate
 * computed (what the status writer would write). Each check returns the problems it found, in
 * words that say which object, what was expected and what was there. "Current" means a
 * condition's observedGeneration equals the object's metadata.generation.
 */
import type { KubeObject } from "../../../src/apis";
import type { ComputedCondition, ParentStatusData, StatusEntry, StatusReport } from "../../../src/ir/status";
import type { Cond, ListenerExpectation, StatusAssertion } from "../cases/types";
import { CONTROLLER_NAME, keyOf } from "./world";

const GROUP = "gateway.networking.k8s.io";
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface StatusContext {
  report: StatusReport;
  objects: readonly KubeObject[];
}

function split(name: string): { namespace?: string; name: string } {
  const slash = name.indexOf("/");
  return slash < 0 ? { name } : { namespace: name.slice(0, slash), name: name.slice(slash + 1) };
}

function entry(ctx: StatusContext, kind: string, name: string): StatusEntry | undefined {
  const { namespace, name: n } = split(name);
  return ctx.report.find(e => e.ref.kind === kind && e.ref.name === n && (e.ref.namespace ?? undefined) === namespace);
}

function generation(ctx: StatusContext, kind: string, name: string): number {
  return (ctx.objects.find(o => o.kind === kind && keyOf(o) === name)?.metadata?.generation as number | undefined) ?? 1;
}

function show(c: Cond | ComputedCondition): string {
  return `${c.type}=${c.status}${c.reason ? `/${c.reason}` : ""}`;
}

function has(conditions: readonly ComputedCondition[], want: Cond): boolean {
  return conditions.some(c => c.type === want.type && c.status === want.status && (!want.reason || c.reason === want.reason));
}

function stale(conditions: readonly ComputedCondition[], gen: number): string[] {
  return conditions.filter(c => c.observedGeneration !== gen).map(c => `${c.type} observedGeneration ${c.observedGeneration ?? "unset"} ≠ generation ${gen}`);
}

function gatewayData(ctx: StatusContext, gateway: string): { data?: Extract<StatusEntry["status"], { kind: "gateway" }>; problems: string[] } {
  const e = entry(ctx, "Gateway", gateway);
  if (!e || e.status.kind !== "gateway") return { problems: [`Gateway ${gateway} has no status`] };
  const problems = stale(e.status.conditions, generation(ctx, "Gateway", gateway)).map(p => `Gateway ${gateway}: ${p}`);
  return { data: e.status, problems };
}

/** Kinds whose status lists parents: an HTTPRoute its parents, a BackendTLSPolicy its ancestors. */
const ROLE = { HTTPRoute: "parent", BackendTLSPolicy: "ancestor" } as const;
type WithParents = keyof typeof ROLE;

function listed(kind: WithParents, status: StatusEntry["status"] | undefined): ParentStatusData[] | undefined {
  if (kind === "HTTPRoute") return status?.kind === "parents" ? status.parents : undefined;
  return status?.kind === "ancestors" ? status.ancestors : undefined;
}

/** The parents (or ancestors) of an object's status, and those whose conditions are not current. */
function parentsOf(ctx: StatusContext, kind: WithParents, name: string): { parents?: ParentStatusData[]; problems: string[] } {
  const parents = listed(kind, entry(ctx, kind, name)?.status);
  if (!parents) return { problems: [`${kind} ${name} has no status`] };
  const gen = generation(ctx, kind, name);
  const problems = parents.flatMap(p => stale(p.conditions, gen).map(s => `${kind} ${name} ${ROLE[kind]} ${p.parentRef.name}: ${s}`));
  return { parents, problems };
}

/** A parent (or ancestor) naming the Gateway has the condition; every one's conditions are current. */
function conditionFor(ctx: StatusContext, kind: WithParents, name: string, gateway: string, condition: Cond): string[] {
  const { parents, problems } = parentsOf(ctx, kind, name);
  if (!parents) return problems;
  if (!parents.some(p => refersTo(p, gateway) && has(p.conditions, condition))) {
    problems.push(`${kind} ${name}: expected ${show(condition)} for ${ROLE[kind]} ${gateway}, got ${describeParents(parents)}`);
  }
  return problems;
}

function refersTo(parent: ParentStatusData, gateway: string): boolean {
  const { namespace, name } = split(gateway);
  return parent.parentRef.name === name && (parent.parentRef.namespace === undefined || parent.parentRef.namespace === namespace);
}

/** One expected parent, compared field by field as the suite does (group and kind must be written out). */
function parentMatches(p: ParentStatusData, gateway: string, namespaceInRef: boolean, namespaceRequired: boolean, conditions: Cond[]): boolean {
  const { namespace, name } = split(gateway);
  if (p.controllerName !== CONTROLLER_NAME || p.parentRef.group !== GROUP || p.parentRef.kind !== "Gateway" || p.parentRef.name !== name) return false;
  const wantNs = namespaceInRef ? namespace : undefined;
  if (p.parentRef.namespace !== wantNs && (namespaceRequired || p.parentRef.namespace !== undefined)) return false;
  return conditions.every(c => has(p.conditions, c));
}

function describeParents(parents: readonly ParentStatusData[]): string {
  if (parents.length === 0) return "no parents";
  return parents
    .map(p => `{${[p.parentRef.group ?? "<no group>", p.parentRef.kind ?? "<no kind>", p.parentRef.namespace ?? "", p.parentRef.name].join("/")} ${p.controllerName}: ${p.conditions.map(show).join(", ")}}`)
    .join(" ");
}

function listenersHave(data: Extract<StatusEntry["status"], { kind: "gateway" }>, gateway: string, wants: Cond[]): string[] {
  return data.listeners.flatMap(l => wants.filter(w => !has(l.conditions, w)).map(w => `Gateway ${gateway} listener ${l.name}: expected ${show(w)}, has ${l.conditions.map(show).join(", ")}`));
}

const LISTENER_READY: Cond[] = [
  { type: "ResolvedRefs", status: "True" },
  { type: "Accepted", status: "True" },
  { type: "Programmed", status: "True" },
];

function routesAccepted(ctx: StatusContext, a: Extract<StatusAssertion, { type: "routesAccepted" }>): string[] {
  const gw = gatewayData(ctx, a.gateway);
  const problems = [...gw.problems];
  for (const route of a.routes) {
    const { parents, problems: p } = parentsOf(ctx, "HTTPRoute", route);
    problems.push(...p);
    if (!parents) continue;
    const namespaceRequired = split(route).namespace !== split(a.gateway).namespace;
    const want: Cond = { type: "Accepted", status: "True", reason: "Accepted" };
    for (const _ of a.listeners ?? [""]) {
      if (!parents.some(pp => parentMatches(pp, a.gateway, true, namespaceRequired, [want]))) {
        problems.push(`HTTPRoute ${route}: expected a parent ${a.gateway} with ${show(want)}, got ${describeParents(parents)}`);
      }
    }
  }
  if (gw.data) problems.push(...listenersHave(gw.data, a.gateway, LISTENER_READY));
  return problems;
}

function noAcceptedParents(ctx: StatusContext, a: Extract<StatusAssertion, { type: "routeNoAcceptedParents" }>): string[] {
  const parents = listed("HTTPRoute", entry(ctx, "HTTPRoute", a.route)?.status) ?? [];
  if (parents.length === 0) return [];
  const { problems } = parentsOf(ctx, "HTTPRoute", a.route);
  if (parents.length > 1) return [...problems, `HTTPRoute ${a.route}: expected at most one parent, got ${describeParents(parents)}`];
  if (!has(parents[0].conditions, { type: "Accepted", status: "False" })) problems.push(`HTTPRoute ${a.route}: expected its parent to be Accepted=False, got ${describeParents(parents)}`);
  return problems;
}

function explicitParents(ctx: StatusContext, a: Extract<StatusAssertion, { type: "routeParents" }>): string[] {
  const { parents, problems } = parentsOf(ctx, "HTTPRoute", a.route);
  if (!parents) return problems;
  for (const want of a.parents) {
    if (!parents.some(p => parentMatches(p, want.gateway, want.namespaceInRef, a.namespaceRequired, want.conditions))) {
      problems.push(`HTTPRoute ${a.route}: expected parent ${want.gateway} with ${want.conditions.map(show).join(", ")}, got ${describeParents(parents)}`);
    }
  }
  return problems;
}

function listenerProblems(gateway: string, want: ListenerExpectation, got: Any): string[] {
  const problems: string[] = [];
  const kinds: Array<{ group: string; kind: string }> = got.supportedKinds ?? [];
  if (want.supportedKinds.length === 0 && kinds.length > 0) problems.push(`supportedKinds should be empty, got ${kinds.map(k => k.kind).join(", ")}`);
  for (const kind of want.supportedKinds) {
    if (!kinds.some(k => (k.group || GROUP) === GROUP && k.kind === kind)) problems.push(`supportedKinds lacks ${kind}`);
  }
  if (got.attachedRoutes !== want.attachedRoutes) problems.push(`attachedRoutes ${got.attachedRoutes}, expected ${want.attachedRoutes}`);
  for (const c of want.conditions) if (!has(got.conditions, c)) problems.push(`expected ${show(c)}, has ${got.conditions.map(show).join(", ")}`);
  return problems.map(p => `Gateway ${gateway} listener ${want.name}: ${p}`);
}

function gatewayListeners(ctx: StatusContext, a: Extract<StatusAssertion, { type: "gatewayListeners" }>): string[] {
  const { data, problems } = gatewayData(ctx, a.gateway);
  if (!data) return problems;
  if (data.listeners.length !== a.listeners.length) {
    problems.push(`Gateway ${a.gateway}: expected ${a.listeners.length} listener statuses, got ${data.listeners.length} (${data.listeners.map(l => l.name).join(", ")})`);
  }
  for (const want of a.listeners) {
    const got = data.listeners.find(l => l.name === want.name);
    if (!got) problems.push(`Gateway ${a.gateway}: no status for listener ${want.name}`);
    else problems.push(...listenerProblems(a.gateway, want, got));
  }
  return problems;
}

function namespacesReady(ctx: StatusContext, a: Extract<StatusAssertion, { type: "namespacesReady" }>): string[] {
  const gateways = ctx.objects.filter(o => o.kind === "Gateway" && a.namespaces.includes(o.metadata?.namespace ?? ""));
  return gateways
    .filter(g => g.metadata?.annotations?.["gateway-api/skip-this-for-readiness"] !== "true")
    .flatMap(g => {
      const { data, problems } = gatewayData(ctx, keyOf(g));
      if (!data) return problems;
      for (const want of [{ type: "Accepted", status: "True" }, { type: "Programmed", status: "True" }] as Cond[]) {
        if (!has(data.conditions, want)) problems.push(`Gateway ${keyOf(g)}: not ready, expected ${show(want)}, has ${data.conditions.map(show).join(", ")}`);
      }
      return problems;
    });
}

function simpleConditions(ctx: StatusContext, kind: string, name: string, want: Cond | undefined): string[] {
  const e = entry(ctx, kind, name);
  if (!e || e.status.kind === "parents" || e.status.kind === "ancestors") return [`${kind} ${name} has no status`];
  const problems = stale(e.status.conditions, generation(ctx, kind, name)).map(p => `${kind} ${name}: ${p}`);
  if (want && !has(e.status.conditions, want)) problems.push(`${kind} ${name}: expected ${show(want)}, has ${e.status.conditions.map(show).join(", ")}`);
  return problems;
}

export function checkStatus(ctx: StatusContext, a: StatusAssertion): string[] {
  switch (a.type) {
    case "routesAccepted":
      return routesAccepted(ctx, a);
    case "routeCondition":
      return conditionFor(ctx, "HTTPRoute", a.route, a.gateway, a.condition);
    case "routeNoAcceptedParents":
      return noAcceptedParents(ctx, a);
    case "routeParents":
      return explicitParents(ctx, a);
    case "gatewayCondition":
      return simpleConditions(ctx, "Gateway", a.gateway, a.condition);
    case "gatewayLatest":
      return gatewayData(ctx, a.gateway).problems;
    case "gatewayListeners":
      return gatewayListeners(ctx, a);
    case "gatewayZeroRoutes": {
      const { data, problems } = gatewayData(ctx, a.gateway);
      if (data && !(data.listeners.length === 0 || (data.listeners.length === 1 && data.listeners[0].attachedRoutes === 0))) {
        problems.push(`Gateway ${a.gateway}: expected zero attached routes, got ${data.listeners.map(l => `${l.name}=${l.attachedRoutes}`).join(", ")}`);
      }
      return problems;
    }
    case "namespacesReady":
      return namespacesReady(ctx, a);
    case "gatewayClassAccepted": {
      const problems = simpleConditions(ctx, "GatewayClass", a.name, undefined);
      const e = entry(ctx, "GatewayClass", a.name);
      const conditions = e && e.status.kind === "conditions" ? e.status.conditions : [];
      if (e && !conditions.some(c => c.type === "Accepted" && (!a.status || c.status === a.status))) {
        problems.push(`GatewayClass ${a.name}: expected Accepted${a.status ? `=${a.status}` : ""}, has ${conditions.map(show).join(", ")}`);
      }
      return problems;
    }
    case "policyCondition":
      return conditionFor(ctx, "BackendTLSPolicy", a.policy, a.gateway, a.condition);
    case "policyLatest":
      return parentsOf(ctx, "BackendTLSPolicy", a.policy).problems;
    case "gatewayAddresses": {
      const { data, problems } = gatewayData(ctx, a.gateway);
      const got = (data?.addresses ?? []).map(x => `${x.type}:${x.value}`).join(", ");
      const want = a.addresses.map(x => `${x.type}:${x.value}`).join(", ");
      if (data && got !== want) problems.push(`Gateway ${a.gateway}: expected addresses [${want}], got [${got}]`);
      return problems;
    }
  }
}
