/**
 * Route attachment: each parentRef of an HTTPRoute that names one of our Gateways selects the
 * listeners matching its sectionName and port (none: NoMatchingParent), keeps those whose
 * allowedRoutes admit the route's kind and namespace (none: NotAllowedByListeners), and of those
 * the ones whose hostname intersects the route's hostnames (none: NoMatchingListenerHostname).
 * The route attaches to every listener left, with the intersected hostnames, unless route-level
 * translation refused the route as a whole. Each entry says Accepted and ResolvedRefs, and
 * PartiallyInvalid when the route is accepted with some rules dropped. Listener status does not affect attachment; a listener
 * counts each attached route once.
 *
 * ParentRefs to other kinds or to Gateways that are not ours get no status from this controller.
 */
import type { HTTPRoute, ParentRef } from "../apis";
import type { ParentStatusData } from "../ir/status";
import { keyOf } from "../store";
import type { RouteTranslation } from "./types";
import type { GatewayModel } from "./gateway";
import type { ListenerModel } from "./listeners";
import { NamespaceLabels, namespaceAllowed } from "./allowedroutes";
import { GATEWAY_GROUP, Reason, condition, fail, generationOf, ok, withGeneration, type Verdict } from "./conditions";
import { effectiveHostnames, routeHostnames } from "./hostnames";

export interface AttachedRoute {
  routeKey: string;
  translation: RouteTranslation;
  /** The hostnames the route serves on this listener (intersected, sorted by specificity). */
  hostnames: string[];
}

export interface GatewayRef {
  ref: ParentStatusData["parentRef"];
  gateway: GatewayModel;
}

export interface Attachments {
  /** `gatewayKey` → listener name → routes attached to it, sorted by route key. */
  byListener: Map<string, Map<string, AttachedRoute[]>>;
  /** Route key → our entries for status.parents, in parentRefs order. */
  parents: Map<string, ParentStatusData[]>;
}

export interface RouteInput {
  key: string;
  route: HTTPRoute;
  translation: RouteTranslation;
  /** The route's parentRefs to our Gateways (gatewayRefs). */
  refs: GatewayRef[];
}

/** The parentRefs of a route that name a Gateway of ours (distinct, in order), group/kind defaulted. */
export function gatewayRefs(route: HTTPRoute, gateways: ReadonlyMap<string, GatewayModel>): GatewayRef[] {
  const refs = route.spec?.parentRefs;
  const routeNs = route.metadata?.namespace ?? "";
  const out: GatewayRef[] = [];
  const seen = new Set<string>();
  const list = Array.isArray(refs) ? (refs as Array<ParentRef | null>) : [];
  for (const p of list) {
    if (!p || typeof p !== "object" || typeof p.name !== "string") continue;
    const group = p.group ?? GATEWAY_GROUP;
    const kind = p.kind ?? "Gateway";
    if (group !== GATEWAY_GROUP || kind !== "Gateway") continue;
    const gateway = gateways.get(keyOf(typeof p.namespace === "string" && p.namespace ? p.namespace : routeNs, p.name));
    if (!gateway) continue;
    const ref: ParentStatusData["parentRef"] = { group, kind, name: p.name };
    if (typeof p.namespace === "string" && p.namespace) ref.namespace = p.namespace;
    if (typeof p.sectionName === "string" && p.sectionName) ref.sectionName = p.sectionName;
    if (typeof p.port === "number") ref.port = p.port;
    if (list.length > 1) {
      const id = JSON.stringify([gateway.key, ref.sectionName, ref.port]);
      if (seen.has(id)) continue;
      seen.add(id);
    }
    out.push({ ref, gateway });
  }
  return out;
}

interface Selection {
  verdict: Verdict;
  listeners: Array<{ listener: ListenerModel; hostnames: string[] }>;
}

function describe(ref: GatewayRef["ref"], gw: GatewayModel): string {
  const section = ref.sectionName !== undefined ? ` named "${ref.sectionName}"` : "";
  const port = ref.port !== undefined ? ` on port ${ref.port}` : "";
  return `Gateway ${gw.key} has no listener${section}${port}`;
}

const ACCEPTED = ok(Reason.Accepted, "Route is accepted");

const admitsHTTPRoute = (l: ListenerModel) => l.supportedKinds.some(k => k.group === GATEWAY_GROUP && k.kind === "HTTPRoute");

/**
 * Which listeners of the Gateway one parentRef attaches the route to, and why (not): the reason is
 * that of the furthest step any candidate listener reached.
 */
export function selectListeners(route: HTTPRoute, { ref, gateway }: GatewayRef, labels: NamespaceLabels, hosts = routeHostnames(route.spec?.hostnames)): Selection {
  const routeNs = route.metadata?.namespace ?? "";
  const listeners: Selection["listeners"] = [];
  let reached = 0; // 1: a listener matched sectionName and port; 2: one also admitted the route
  for (const l of gateway.listeners) {
    if ((ref.sectionName !== undefined && l.name !== ref.sectionName) || (ref.port !== undefined && l.port !== ref.port)) continue;
    reached = Math.max(reached, 1);
    if (!admitsHTTPRoute(l) || !l.namespaces || !namespaceAllowed(l.namespaces, gateway.namespace, routeNs, labels)) continue;
    reached = 2;
    const hostnames = effectiveHostnames(l.hostname, hosts);
    if (hostnames.length > 0) listeners.push({ listener: l, hostnames });
  }
  if (listeners.length > 0) return { verdict: ACCEPTED, listeners };
  if (reached === 0) return { verdict: fail(Reason.NoMatchingParent, describe(ref, gateway)), listeners };
  if (reached === 1) {
    const message = `no listener of Gateway ${gateway.key} allows HTTPRoutes from namespace ${routeNs}`;
    return { verdict: fail(Reason.NotAllowedByListeners, message), listeners };
  }
  const message = `no listener hostname of Gateway ${gateway.key} intersects the route's hostnames`;
  return { verdict: fail(Reason.NoMatchingListenerHostname, message), listeners };
}

/** What one route contributes: its status.parents entries and its place on listeners. */
export interface RouteAttachment {
  parents: ParentStatusData[];
  /** One entry per listener the route attaches to (hostnames merged over parentRefs), in order. */
  attached: Array<{ gateway: GatewayModel; listener: ListenerModel; item: AttachedRoute }>;
}

/** Attaches one route to the listeners of its parentRefs (the same listener once). */
export function attachRoute(input: RouteInput, labels: NamespaceLabels, controllerName: string): RouteAttachment {
  const { key, route, translation, refs } = input;
  const generation = generationOf(route);
  const hosts = routeHostnames(route.spec?.hostnames);
  const out: RouteAttachment = { parents: [], attached: [] };
  for (const gref of refs) {
    const selection = selectListeners(route, gref, labels, hosts);
    const refused = selection.verdict.ok ? translation.notAccepted : undefined;
    for (const { listener, hostnames } of refused ? [] : selection.listeners) {
      const seen = out.attached.find(a => a.listener === listener);
      if (seen) seen.item.hostnames = [...new Set([...seen.item.hostnames, ...hostnames])];
      else out.attached.push({ gateway: gref.gateway, listener, item: { routeKey: key, translation, hostnames } });
    }
    const accepted = refused ? withGeneration(refused, generation) : condition("Accepted", selection.verdict, generation);
    const conditions = [accepted, withGeneration(translation.resolvedRefs, generation)];
    if (accepted.status === "True" && translation.partiallyInvalid) conditions.push(withGeneration(translation.partiallyInvalid, generation));
    out.parents.push({ parentRef: gref.ref, controllerName, conditions });
  }
  return out;
}

/** Adds one route's attachment (routes come in key order); counts it on each listener. */
export function addAttachment(out: Attachments, key: string, attachment: RouteAttachment): void {
  for (const { gateway, listener, item } of attachment.attached) {
    let perGateway = out.byListener.get(gateway.key);
    if (!perGateway) out.byListener.set(gateway.key, (perGateway = new Map()));
    const list = perGateway.get(listener.name);
    if (list) list.push(item);
    else perGateway.set(listener.name, [item]);
    listener.attachedRoutes += 1;
  }
  if (attachment.parents.length > 0) out.parents.set(key, attachment.parents);
}

/** Attaches every route (given in key order) and records its parent statuses. */
export function attachRoutes(routes: readonly RouteInput[], labels: NamespaceLabels, controllerName: string): Attachments {
  const out: Attachments = { byListener: new Map(), parents: new Map() };
  for (const input of routes) addAttachment(out, input.key, attachRoute(input, labels, controllerName));
  return out;
}
