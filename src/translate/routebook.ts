/**
 * The incremental translator's bookkeeping of HTTPRoutes: each route's translation and
 * attachment, what they depend on (indexed, so that a change to a Service, a Backend ... finds the
 * routes it touches without looking at the others), the routes attached to each listener of each
 * Gateway (kept in route key order, as a full translation lists them), and the routes' status
 * entries (kept in report order).
 */
import type { HTTPRoute, KubeObject } from "../apis";
import type { StatusEntry } from "../ir/status";
import type { AttachedRoute, GatewayRef, RouteAttachment } from "./attach";
import type { GatewayModel } from "./gateway";
import { statusSortKey } from "./status";
import type { RouteTranslation } from "./types";

export interface RouteEntry {
  key: string;
  route: HTTPRoute;
  /** route.metadata.namespace ("" when unset): whose Namespace labels may select it. */
  namespace: string;
  /** The Gateway keys its parentRefs name (ours or not). */
  named: readonly string[];
  /** Its translation while valid; undefined when it is to be computed (again). */
  translation?: RouteTranslation;
  /** The latest translation computed, valid or not: a new one keeps its objects where equal. */
  last?: RouteTranslation;
  /** What the translation read (deps.ts). */
  deps: readonly string[];
  /** Set when a parentRef names a Gateway of ours. */
  attachment?: Attached;
}

export interface Attached {
  refs: GatewayRef[];
  translation: RouteTranslation;
  namespaceObject?: KubeObject;
  result: RouteAttachment;
  status?: StatusEntry;
}

type Index = Map<string, Set<string>>;

function link(index: Index, key: string, route: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(route);
}

function unlink(index: Index, key: string, route: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(route);
  if (set.size === 0) index.delete(key);
}

/** Position of the first item whose key is not below `key`. */
function lowerBound<T>(items: readonly T[], key: string, keyOf: (item: T) => string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(items[mid]) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const routeKeyOf = (r: AttachedRoute) => r.routeKey;

export class RouteBook {
  readonly entries = new Map<string, RouteEntry>();
  private readonly byDep: Index = new Map();
  /** gateway key → listener name → attached routes, in route key order. */
  private readonly lists = new Map<string, Map<string, AttachedRoute[]>>();
  /** Status entries of routes, in report order. */
  private statuses: StatusEntry[] = [];
  /** Gateway key → keys of the routes whose items on its listeners changed since `takeTouched`. */
  private touched = new Map<string, Set<string>>();

  /** Keys of routes that read one of these dependencies. */
  dependents(deps: Iterable<string>, out: Set<string>): void {
    for (const dep of deps) for (const key of this.byDep.get(dep) ?? []) out.add(key);
  }

  /** Keys of routes whose parentRefs name one of these Gateways (a look at every route: Gateways change seldom). */
  naming(gateways: Iterable<string>, out: Set<string>): void {
    const wanted = new Set(gateways);
    if (wanted.size === 0) return;
    for (const [key, entry] of this.entries) if (entry.named.some(gw => wanted.has(gw))) out.add(key);
  }

  /** Keys of routes in one of these namespaces (a look at every route: Namespaces change seldom). */
  inNamespaces(namespaces: Iterable<string>, out: Set<string>): void {
    const wanted = new Set(namespaces);
    if (wanted.size === 0) return;
    for (const [key, entry] of this.entries) if (wanted.has(entry.namespace)) out.add(key);
  }

  /** Takes a route's entry out of every index, list and the status order. */
  remove(key: string): RouteEntry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    for (const dep of entry.deps) unlink(this.byDep, dep, key);
    if (entry.attachment) this.detach(key, entry.attachment);
    return entry;
  }

  /** Puts an entry (not in the book) into every index, list and the status order. */
  add(entry: RouteEntry, statusesInOrder: boolean): void {
    const key = entry.key;
    this.entries.set(key, entry);
    for (const dep of entry.deps) link(this.byDep, dep, key);
    if (entry.attachment) this.attach(entry.attachment, statusesInOrder);
  }

  private detach(key: string, attached: Attached): void {
    for (const { gateway, listener } of attached.result.attached) {
      const list = this.lists.get(gateway.key)?.get(listener.name);
      if (!list) continue;
      const at = lowerBound(list, key, routeKeyOf);
      if (list[at]?.routeKey === key) list.splice(at, 1);
      this.touch(gateway.key, key);
    }
    if (attached.status) {
      const sortKey = statusSortKey(attached.status);
      const at = lowerBound(this.statuses, sortKey, statusSortKey);
      if (this.statuses[at] === attached.status) this.statuses.splice(at, 1);
    }
  }

  private attach(attached: Attached, statusesInOrder: boolean): void {
    for (const { gateway, listener, item } of attached.result.attached) {
      let perGateway = this.lists.get(gateway.key);
      if (!perGateway) this.lists.set(gateway.key, (perGateway = new Map()));
      const list = perGateway.get(listener.name);
      if (!list) perGateway.set(listener.name, [item]);
      else if (list.length === 0 || list[list.length - 1].routeKey < item.routeKey) list.push(item);
      else list.splice(lowerBound(list, item.routeKey, routeKeyOf), 0, item);
      if (!statusesInOrder) this.touch(gateway.key, item.routeKey); // a book filled afresh is assembled afresh
    }
    if (!attached.status) return;
    if (statusesInOrder) this.statuses.push(attached.status);
    else this.statuses.splice(lowerBound(this.statuses, statusSortKey(attached.status), statusSortKey), 0, attached.status);
  }

  /** After adds with statusesInOrder: puts the status entries in report order (often already so). */
  sortStatuses(): void {
    const keys = this.statuses.map(statusSortKey);
    let sorted = true;
    for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] <= keys[i];
    if (sorted) return;
    const order = keys.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
    this.statuses = order.map(i => this.statuses[i]);
  }

  /** The routes attached to each listener of a Gateway (live: changed by later adds and removes). */
  attachedTo(gateway: string): ReadonlyMap<string, AttachedRoute[]> {
    const perGateway = this.lists.get(gateway);
    if (!perGateway) return new Map();
    for (const [listener, list] of perGateway) if (list.length === 0) perGateway.delete(listener);
    if (perGateway.size === 0) this.lists.delete(gateway);
    return perGateway;
  }

  routeStatuses(): readonly StatusEntry[] {
    return this.statuses;
  }

  private touch(gateway: string, route: string): void {
    let routes = this.touched.get(gateway);
    if (!routes) this.touched.set(gateway, (routes = new Set()));
    routes.add(route);
  }

  /** Per Gateway, the routes whose items on its listeners changed since the last call. */
  takeTouched(): Map<string, Set<string>> {
    const touched = this.touched;
    this.touched = new Map();
    return touched;
  }

  /** Sets each listener's attachedRoutes to the number of routes attached to it. */
  countAttached(models: Iterable<GatewayModel>): void {
    for (const gw of models) {
      const perGateway = this.lists.get(gw.key);
      for (const l of gw.listeners) l.attachedRoutes = perGateway?.get(l.name)?.length ?? 0;
    }
  }
}
