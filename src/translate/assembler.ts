/**
 * Assembly of one Gateway's IR (what it is made of: vhosts.ts), kept up to date route by route:
 * given the routes whose attachment changed, only the virtual hosts of the hostnames they were or
 * are served under are built again, and only the lists those touch are copied. Everything else
 * keeps its identity, so later stages reuse their work by reference. Built with every route as
 * changed, it is a full assembly: both ways give the same IR (the tests compare them).
 *
 * Clusters and secrets of the routes served are kept per name; every route's translation is
 * valid for the current snapshot, so two routes' objects of the same name have the same content
 * and either stands for the name.
 */
import type { ClusterIR, GatewayIR, RouteConfigIR, SecretIR, VirtualHostIR } from "../ir/types";
import type { AttachedRoute } from "./attach";
import type { GatewayModel } from "./gateway";
import type { ListenerModel } from "./listeners";
import type { RouteTranslation } from "./types";
import { sameData } from "./equal";
import { byName, configName, hostOf, misdirected, planPorts, virtualHost, type AssembledGateway, type PortPlan, type RouteOrdering } from "./vhosts";

interface ListenerState {
  listener: ListenerModel;
  plan: PortPlan;
  config: ConfigState;
  /** The route items on this listener, by route key. */
  items: Map<string, AttachedRoute>;
  /** Hostnames this listener owns → the routes served there, in route key order. */
  domains: Map<string, AttachedRoute[]>;
  vhosts: Map<string, VirtualHostIR>;
}

interface ConfigState {
  name: string;
  ir: RouteConfigIR;
}

/** Named objects contributed by routes (name → route key → object), listed by name. */
class Contributions<T extends { name: string }> {
  private readonly byName = new Map<string, Map<string, T>>();
  private touched = new Set<string>();
  private current: T[] | undefined;

  constructor(
    /** Listed first under their names, whatever routes contribute (e.g. listener certificates). */
    private readonly fixed: readonly T[] = [],
  ) {}

  add(route: string, items: readonly T[]): void {
    for (const item of items) {
      let by = this.byName.get(item.name);
      if (!by) this.byName.set(item.name, (by = new Map()));
      by.set(route, item);
      this.touched.add(item.name);
    }
  }

  remove(route: string, items: readonly T[]): void {
    for (const item of items) {
      const by = this.byName.get(item.name);
      by?.delete(route);
      if (by?.size === 0) this.byName.delete(item.name);
      this.touched.add(item.name);
    }
  }

  private pick(name: string): T | undefined {
    return this.fixed.find(f => f.name === name) ?? this.byName.get(name)?.values().next().value;
  }

  /** Takes over a list with the same content as the current one. */
  adopt(list: T[]): void {
    if (this.current) this.current = list;
  }

  /** One object per name, sorted by name: the previous list itself when nothing in it changed. */
  list(): T[] {
    const touched = this.touched;
    this.touched = new Set();
    if (!this.current) {
      const names = [...new Set([...this.fixed.map(f => f.name), ...this.byName.keys()])].sort();
      return (this.current = names.map(n => this.pick(n) as T));
    }
    if (touched.size === 0) return this.current;
    const list = [...this.current];
    for (const name of touched) {
      const item = this.pick(name);
      const at = lowerBound(list, name);
      const present = list[at]?.name === name;
      if (item && present) list[at] = item;
      else if (item) list.splice(at, 0, item);
      else if (present) list.splice(at, 1);
    }
    if (!sameItems(list, this.current)) this.current = list;
    return this.current;
  }
}

function lowerBound<T extends { name: string }>(list: readonly T[], name: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].name < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function find(list: readonly AttachedRoute[] | undefined, key: string): AttachedRoute | undefined {
  if (!list) return undefined;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].routeKey < key) lo = mid + 1;
    else hi = mid;
  }
  return list[lo]?.routeKey === key ? list[lo] : undefined;
}

function insertAt(list: readonly AttachedRoute[], key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].routeKey < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const sameItems = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export class GatewayAssembler {
  private readonly listeners: ListenerState[] = [];
  private readonly configs: ConfigState[] = [];
  /** Per route served here: its translation and in how many (listener, hostname) places. */
  private readonly served = new Map<string, { translation: RouteTranslation; places: number }>();
  private readonly clusters = new Contributions<ClusterIR>();
  private readonly secrets: Contributions<SecretIR>;
  private readonly policies = new Map<string, Set<string>>();
  private result: AssembledGateway | undefined;

  constructor(
    readonly model: GatewayModel,
    private readonly order: RouteOrdering,
  ) {
    this.secrets = new Contributions<SecretIR>(model.listeners.filter(l => l.programmed.ok).flatMap(l => l.certificates));
    for (const plan of planPorts(model)) {
      const http: ConfigState | undefined = plan.protocol === "HTTP" ? { name: configName(model, plan, plan.listeners[0]), ir: { name: "", virtualHosts: [] } } : undefined;
      if (http) this.configs.push(http);
      for (const l of plan.listeners) {
        const config = http ?? { name: configName(model, plan, l), ir: { name: "", virtualHosts: [] } };
        if (!http) this.configs.push(config);
        const state: ListenerState = { listener: l, plan, config, items: new Map(), domains: new Map([[hostOf(l), []]]), vhosts: new Map() };
        this.listeners.push(state);
      }
    }
    this.configs.sort(byName);
  }

  /**
   * The IR with the routes now attached to each listener (`attached`, lists in route key order);
   * `changed`: the keys of the routes whose attachment may differ since the last call, or "all"
   * (every route on a listener now or before; always the case on the first call).
   */
  update(attached: ReadonlyMap<string, readonly AttachedRoute[]>, changed: Iterable<string> | "all"): AssembledGateway {
    const dirty = new Map<ListenerState, Set<string>>();
    let policiesChanged = true;
    if (!this.result) {
      this.fill(attached);
      for (const ls of this.listeners) dirty.set(ls, new Set(ls.domains.keys()));
    } else {
      policiesChanged = false;
      const keys = changed === "all" ? this.allKeys(attached) : changed;
      for (const key of keys) policiesChanged = this.updateRoute(key, attached, dirty) || policiesChanged;
    }
    const configs = this.rebuildHosts(dirty);
    return (this.result = this.assemble(configs, policiesChanged));
  }

  /** The first update: every route in list order (what updateRoute does one route at a time). */
  private fill(attached: ReadonlyMap<string, readonly AttachedRoute[]>): void {
    const places = new Map<string, { translation: RouteTranslation; places: number }>();
    for (const ls of this.listeners) {
      for (const item of attached.get(ls.listener.name) ?? []) {
        ls.items.set(item.routeKey, item);
        let count = 0;
        for (const host of item.hostnames) {
          if (ls.plan.owner(host) !== ls.listener) continue;
          count++;
          const list = ls.domains.get(host);
          if (list) list.push(item);
          else ls.domains.set(host, [item]);
        }
        const seen = places.get(item.routeKey);
        if (seen) seen.places += count;
        else places.set(item.routeKey, { translation: item.translation, places: count });
      }
    }
    for (const [key, { translation, places: count }] of places) this.contribute(key, count > 0 ? translation : undefined, count);
  }

  /** Every route on a listener now or before. */
  private allKeys(attached: ReadonlyMap<string, readonly AttachedRoute[]>): Set<string> {
    const keys = new Set<string>();
    for (const ls of this.listeners) {
      for (const item of attached.get(ls.listener.name) ?? []) keys.add(item.routeKey);
      for (const key of ls.items.keys()) keys.add(key);
    }
    return keys;
  }

  /**
   * Takes over an IR with the same content as the current one (an earlier assembly's, where
   * parts kept their identity), so that later updates start from its objects.
   */
  adopt(assembled: AssembledGateway): void {
    this.result = assembled;
    this.clusters.adopt(assembled.ir.clusters);
    this.secrets.adopt(assembled.ir.secrets);
    const vhosts = new Map<string, Map<string, VirtualHostIR>>();
    for (const rc of assembled.ir.routeConfigs) vhosts.set(rc.name, new Map(rc.virtualHosts.map(vh => [vh.name, vh])));
    for (const config of this.configs) config.ir = assembled.ir.routeConfigs.find(rc => rc.name === config.name) ?? config.ir;
    for (const ls of this.listeners) {
      const theirs = vhosts.get(ls.config.name);
      for (const name of ls.vhosts.keys()) {
        const vh = theirs?.get(name);
        if (vh) ls.vhosts.set(name, vh);
      }
    }
  }

  /** Moves one route's items; returns whether the policies in use may have changed. */
  private updateRoute(key: string, attached: ReadonlyMap<string, readonly AttachedRoute[]>, dirty: Map<ListenerState, Set<string>>): boolean {
    let places = this.served.get(key)?.places ?? 0;
    let translation: RouteTranslation | undefined;
    for (const ls of this.listeners) {
      const before = ls.items.get(key);
      const now = find(attached.get(ls.listener.name), key);
      if (now) translation = now.translation;
      if (before === now) {
        if (before) translation = before.translation;
        continue;
      }
      if (before) places -= this.move(ls, before, -1, dirty);
      if (now) places += this.move(ls, now, 1, dirty);
      if (now) ls.items.set(key, now);
      else ls.items.delete(key);
    }
    return this.contribute(key, places > 0 ? translation : undefined, places);
  }

  /** Takes an item out of (-1) or puts it into (+1) the hostnames its listener owns; returns how many. */
  private move(ls: ListenerState, item: AttachedRoute, direction: 1 | -1, dirty: Map<ListenerState, Set<string>>): number {
    let count = 0;
    for (const host of item.hostnames) {
      if (ls.plan.owner(host) !== ls.listener) continue;
      count++;
      let hosts = dirty.get(ls);
      if (!hosts) dirty.set(ls, (hosts = new Set()));
      hosts.add(host);
      const list = ls.domains.get(host);
      if (direction > 0) {
        if (list) list.splice(insertAt(list, item.routeKey), 0, item);
        else ls.domains.set(host, [item]);
      } else if (list) {
        const at = list.indexOf(item);
        if (at >= 0) list.splice(at, 1);
        if (list.length === 0 && host !== hostOf(ls.listener)) ls.domains.delete(host);
      }
    }
    return count;
  }

  /** Counts a route's clusters, secrets and policies while it is served; returns whether policies changed. */
  private contribute(key: string, translation: RouteTranslation | undefined, places: number): boolean {
    const before = this.served.get(key);
    if (translation) this.served.set(key, { translation, places });
    else this.served.delete(key);
    if (before?.translation === translation) return false;
    if (before) this.withdraw(key, before.translation);
    if (!translation) return true;
    this.clusters.add(key, translation.clusters);
    this.secrets.add(key, translation.secrets);
    for (const p of translation.backendTLSPolicies) {
      let routes = this.policies.get(p);
      if (!routes) this.policies.set(p, (routes = new Set()));
      routes.add(key);
    }
    return true;
  }

  private withdraw(key: string, translation: RouteTranslation): void {
    this.clusters.remove(key, translation.clusters);
    this.secrets.remove(key, translation.secrets);
    for (const p of translation.backendTLSPolicies) {
      const routes = this.policies.get(p);
      routes?.delete(key);
      if (routes?.size === 0) this.policies.delete(p);
    }
  }

  /** Builds the virtual hosts of the hostnames touched; returns the route configurations whose list changed. */
  private rebuildHosts(dirty: Map<ListenerState, Set<string>>): Set<ConfigState> {
    const configs = new Map<ConfigState, Map<string, VirtualHostIR | undefined>>();
    for (const [ls, hosts] of dirty) {
      let changes = configs.get(ls.config);
      if (!changes) configs.set(ls.config, (changes = new Map()));
      for (const host of hosts) {
        const routes = ls.domains.get(host);
        const old = ls.vhosts.get(host);
        let vh = routes ? virtualHost(ls.plan, host, routes, this.order) : undefined;
        if (vh && old && sameData(old, vh)) vh = old;
        if (vh === old && this.result) continue;
        if (vh) ls.vhosts.set(host, vh);
        else ls.vhosts.delete(host);
        changes.set(host, vh);
      }
    }
    for (const [config, changes] of configs) this.patchConfig(config, changes);
    return new Set(configs.keys());
  }

  /** A new list of a configuration's virtual hosts with the changed ones replaced, added or removed. */
  private patchConfig(config: ConfigState, changes: Map<string, VirtualHostIR | undefined>): void {
    if (!this.result) {
      const members = this.listeners.filter(ls => ls.config === config);
      const hosts = members.flatMap(ls => [...ls.vhosts.values()]);
      if (members[0].plan.protocol === "HTTPS") {
        const self = members[0].listener;
        hosts.push(...members[0].plan.listeners.filter(m => m !== self).map(m => misdirected(this.model, members[0].plan, self, m)));
      }
      config.ir = { name: config.name, virtualHosts: hosts.sort(byName) };
      return;
    }
    const list = [...config.ir.virtualHosts];
    for (const [name, vh] of changes) {
      const at = lowerBound(list, name);
      const present = list[at]?.name === name;
      if (vh && present) list[at] = vh;
      else if (vh) list.splice(at, 0, vh);
      else if (present) list.splice(at, 1);
    }
    if (!sameItems(list, config.ir.virtualHosts)) config.ir = { name: config.name, virtualHosts: list };
  }

  private assemble(changedConfigs: Set<ConfigState>, policiesChanged: boolean): AssembledGateway {
    const before = this.result;
    const gw = this.model;
    const routeConfigs = before && changedConfigs.size === 0 ? before.ir.routeConfigs : this.configs.map(c => c.ir);
    const clusters = this.clusters.list();
    const secrets = this.secrets.list();
    const policies = before && !policiesChanged ? before.policies : [...this.policies.keys()].sort();
    if (before) {
      const ir = before.ir;
      const same = sameItems(routeConfigs, ir.routeConfigs) && sameItems(clusters, ir.clusters) && sameItems(secrets, ir.secrets);
      const out = same ? ir : { ...ir, routeConfigs: keep(ir.routeConfigs, routeConfigs), clusters: keep(ir.clusters, clusters), secrets: keep(ir.secrets, secrets) };
      return out === ir && sameItems(policies, before.policies) ? before : { ir: out, policies: keep(before.policies, policies) };
    }
    const ir: GatewayIR = {
      key: gw.key,
      namespace: gw.namespace,
      name: gw.name,
      listeners: [...new Set(this.listeners.map(ls => ls.plan))].map(p => p.listener),
      routeConfigs,
      clusters,
      secrets,
      infrastructure: gw.infrastructure,
      addresses: gw.addresses.map(a => a.value),
    };
    return { ir, policies };
  }
}

/** The previous list when it has the same items. */
function keep<T>(previous: T[], next: T[]): T[] {
  return sameItems(previous, next) ? previous : next;
}
