/**
 * The translation builder (see pipeline.ts for the order of the processors), with memory: a
 * Translator given successive Store snapshots works on what changed and hands back the very
 * objects of its previous result for everything else. Its result is always the one a fresh
 * Translator gives for the same snapshot (the tests compare both, byte for byte).
 *
 * A run after an earlier one does work in proportion to what changed (beyond a copy of the list
 * of route status entries, and a look at every route when a Gateway or Namespace changed):
 * - Gateways are few: each gets its model again, kept (same object) while its Gateway, class,
 *   Secrets and ReferenceGrants are the same, or when rebuilt with the same content.
 * - HTTPRoutes looked at again (routebook.ts finds them): those whose object changed, those that
 *   read a dependency the change touched (deps.ts, through an index), those naming a Gateway
 *   whose model changed, those in a Namespace that changed. A route's translation is redone only
 *   when its object or a dependency changed; one with the same content keeps the earlier objects,
 *   and an attachment that comes out the same leaves the Gateway's listeners untouched.
 * - A Gateway is assembled again only when its model or its attached routes changed, reusing
 *   the virtual hosts built from the same routes, and its previous IR object stands when the
 *   result has the same content.
 *
 * Route-level functions that do not report what they read (`tracked: false`) are re-run for every
 * route whenever an input kind they may read changes, and their status entries are recomputed on
 * every run.
 */
import type { Config } from "../config";
import type { Gateway, HTTPRoute } from "../apis";
import type { StatusEntry } from "../ir/status";
import { keyOf, type Store } from "../store";
import type { TranslateContext } from "./context";
import type { RouteLevel, TranslateResult } from "./pipeline";
import type { RouteTranslation } from "./types";
import { NamespaceLabels } from "./allowedroutes";
import { attachRoute, gatewayRefs } from "./attach";
import { generationOf } from "./conditions";
import { DEP_KINDS, touchedDeps } from "./deps";
import { share } from "./equal";
import { ourClasses, type ClassModel } from "./gatewayclass";
import { buildGateway, type GatewayModel } from "./gateway";
import { safely, translateRoute } from "./failures";
import { RouteBook, type RouteEntry } from "./routebook";
import { classStatus, gatewayStatus, routeStatus, sortReport } from "./status";
import { GatewayAssembler } from "./assembler";
import type { AssembledGateway } from "./vhosts";
import { keepTranslation, mergeReports, namedGateways, policyUsage, sameAttachment, sameModel, sameStrings, RouteLevelStatus } from "./reuse";

interface ModelEntry {
  object: Gateway;
  cls: ClassModel["object"];
  secrets: object;
  grants: object;
  model: GatewayModel;
}

interface GatewayEntry {
  assembler: GatewayAssembler;
  assembled: AssembledGateway;
}

interface State {
  store: Store;
  config: Config;
  book: RouteBook;
  models: Map<string, ModelEntry>;
  gateways: Map<string, GatewayEntry>;
  statuses: RouteLevelStatus;
}

/** One run: the snapshot, what the previous run left, and what changed in between. */
interface Run {
  ctx: TranslateContext;
  previous?: State;
  book: RouteBook;
  /** Dependencies the change touched; undefined: every translation is to be redone. */
  touched?: ReadonlySet<string>;
  /** Every route is added afresh, in key order. */
  rebuild: boolean;
  gateways: ReadonlyMap<string, GatewayModel>;
  labels: NamespaceLabels;
}

/** The default TranslatorOptions.rebuildShare: editing a route's place costs O(routes) at worst. */
const REBUILD_SHARE = 0.25;

export interface TranslatorOptions {
  /** Whether rl's translateHTTPRoute reports what it reads through ctx.track. */
  tracked: boolean;
  /** Past this share of routes to look at again, the route book is rebuilt rather than edited. */
  rebuildShare?: number;
}

export class Translator {
  private state: State | undefined;
  private readonly tracked: boolean;
  private readonly rebuildShare: number;

  constructor(
    private readonly rl: RouteLevel,
    options: TranslatorOptions,
  ) {
    this.tracked = options.tracked;
    this.rebuildShare = options.rebuildShare ?? REBUILD_SHARE;
  }

  translate(ctx: TranslateContext): TranslateResult {
    const previous = this.state?.config === ctx.config ? this.state : undefined;
    this.state = undefined; // a run that throws part-way leaves nothing half-updated behind
    return this.run(ctx, previous);
  }

  private run(ctx: TranslateContext, previous: State | undefined): TranslateResult {
    const classes = ourClasses(ctx);
    const models = new Map<string, ModelEntry>();
    const gateways = gatewayModels(ctx, classes, previous, models);
    const byKey = new Map(gateways.map(g => [g.key, g]));
    const changed = previous ? changedGateways(previous.models, models) : [];
    const run = this.refreshRoutes(ctx, previous, byKey, changed);
    run.book.countAttached(gateways);
    const touched = run.book.takeTouched();
    const entries = new Map<string, GatewayEntry>();
    const assembled = gateways.filter(g => g.accepted.ok).map(g => this.assemble(g, run, touched.get(g.key), entries));
    const statuses = previous && this.tracked ? previous.statuses : new RouteLevelStatus();
    const others: StatusEntry[] = [...classes.values()].map(classStatus);
    others.push(...gateways.map(gatewayStatus));
    others.push(...statuses.policies(ctx, policyUsage(assembled), this.tracked, usage => safely(() => this.rl.backendTLSPolicyStatus(ctx, usage))));
    others.push(...statuses.backends(ctx, this.tracked, () => safely(() => this.rl.backendStatus(ctx))));
    const status = mergeReports(sortReport(others), run.book.routeStatuses());
    this.state = { store: ctx.store, config: ctx.config, book: run.book, models, gateways: entries, statuses };
    return { ir: { gateways: assembled.map(a => a.ir) }, status };
  }

  /** Brings every route that may have changed up to date in the route book. */
  private refreshRoutes(ctx: TranslateContext, previous: State | undefined, gateways: ReadonlyMap<string, GatewayModel>, changed: readonly string[]): Run {
    const labels = new NamespaceLabels(ctx.store);
    const all = ctx.store.size("HTTPRoute");
    let touched: ReadonlySet<string> | undefined;
    let keys: Set<string> | undefined;
    if (previous) {
      const before = previous.store;
      if (this.tracked) touched = touchedDeps(before, ctx.store);
      else if (DEP_KINDS.every(k => before.token(k) === ctx.store.token(k))) touched = new Set();
      keys = touched ? affectedRoutes(ctx.store, previous, touched, changed) : undefined;
    }
    const rebuild = !previous || !keys || keys.size > this.rebuildShare * Math.max(all, previous.book.entries.size);
    const run: Run = { ctx, previous, book: rebuild ? new RouteBook() : previous.book, touched, rebuild, gateways, labels };
    if (rebuild) {
      for (const route of ctx.store.list<HTTPRoute>("HTTPRoute")) {
        const key = keyOf(route.metadata?.namespace, route.metadata?.name ?? "");
        this.refresh(run, key, previous?.book.entries.get(key), route);
      }
      run.book.sortStatuses();
    } else {
      for (const key of [...keys!].sort()) this.refresh(run, key, run.book.entries.get(key), ctx.store.byKey<HTTPRoute>("HTTPRoute", key));
    }
    return run;
  }

  /** Puts one route's current entry in the book (or takes it out when the route is gone). */
  private refresh(run: Run, key: string, old: RouteEntry | undefined, route: HTTPRoute | undefined): void {
    const book = run.book;
    if (!route) {
      if (!run.rebuild) book.remove(key);
      return;
    }
    const next = this.nextEntry(run, key, old, route);
    if (!run.rebuild && old) {
      const same = next.attachment === old.attachment && next.namespace === old.namespace && sameStrings(next.named, old.named) && sameStrings(next.deps, old.deps);
      if (same) {
        Object.assign(old, next);
        return;
      }
      book.remove(key);
    }
    book.add(next, run.rebuild);
  }

  /** The route's entry now: its translation (kept while valid) and attachment. */
  private nextEntry(run: Run, key: string, old: RouteEntry | undefined, route: HTTPRoute): RouteEntry {
    const same = old?.route === route;
    const valid = same && old.translation !== undefined && run.touched !== undefined && !old.deps.some(d => run.touched!.has(d));
    const entry: RouteEntry = {
      key,
      route,
      namespace: route.metadata?.namespace ?? "",
      named: same ? old.named : namedGateways(route),
      translation: valid ? old.translation : undefined,
      last: old?.translation ?? old?.last,
      deps: valid ? old.deps : [],
    };
    const refs = gatewayRefs(route, run.gateways);
    if (refs.length === 0) return entry;
    const translation = this.translateEntry(run.ctx, entry);
    const result = attachRoute({ key, route, translation, refs }, run.labels, run.ctx.config.controllerName);
    const before = old?.attachment;
    if (before && before.translation === translation && sameAttachment(before.result, result)) {
      entry.attachment = before;
    } else {
      const status = result.parents.length > 0 ? routeStatus(entry.namespace, route.metadata?.name ?? "", generationOf(route), result.parents) : undefined;
      entry.attachment = { refs, translation, result, status };
    }
    return entry;
  }

  private translateEntry(ctx: TranslateContext, entry: RouteEntry): RouteTranslation {
    if (entry.translation) return entry.translation;
    const deps: string[] = [];
    const tracking: TranslateContext = { store: ctx.store, config: ctx.config, track: dep => deps.push(dep) };
    const translation = keepTranslation(entry.last, translateRoute(tracking, this.rl, entry.key, entry.route));
    entry.translation = translation;
    entry.last = translation;
    const unique: string[] = [];
    for (const dep of deps) if (!unique.includes(dep)) unique.push(dep);
    entry.deps = unique;
    return translation;
  }

  /**
   * One accepted Gateway's IR: its assembler brought up to date with the routes touched (every
   * route when the route book was rebuilt); a new assembler when its model changed, whose result
   * keeps the parts of the previous IR that came out the same.
   */
  private assemble(gw: GatewayModel, run: Run, routes: ReadonlySet<string> | undefined, out: Map<string, GatewayEntry>): AssembledGateway {
    const before = run.previous?.gateways.get(gw.key);
    let entry: GatewayEntry;
    if (before && before.assembler.model === gw) {
      const changed = run.rebuild ? "all" : routes;
      entry = changed ? { assembler: before.assembler, assembled: before.assembler.update(run.book.attachedTo(gw.key), changed) } : before;
    } else {
      const assembler = new GatewayAssembler(gw, this.rl);
      const fresh = assembler.update(run.book.attachedTo(gw.key), "all");
      const assembled = before ? share(before.assembled, fresh) : fresh;
      if (assembled !== fresh) assembler.adopt(assembled);
      entry = { assembler, assembled };
    }
    out.set(gw.key, entry);
    return entry.assembled;
  }
}

/** Every Gateway of one of our classes, sorted by key; unchanged ones keep their model. */
function gatewayModels(ctx: TranslateContext, classes: ReadonlyMap<string, ClassModel>, previous: State | undefined, out: Map<string, ModelEntry>): GatewayModel[] {
  const secrets = ctx.store.token("Secret");
  const grants = ctx.store.token("ReferenceGrant");
  const list: GatewayModel[] = [];
  for (const gw of ctx.store.list<Gateway>("Gateway")) {
    const cls = classes.get(String(gw.spec?.gatewayClassName ?? ""));
    if (!cls || !gw.metadata?.name) continue;
    const key = keyOf(gw.metadata.namespace ?? "", gw.metadata.name);
    const before = previous?.models.get(key);
    let model: GatewayModel;
    if (before && before.object === gw && before.cls === cls.object && before.secrets === secrets && before.grants === grants) {
      model = before.model;
    } else {
      const built = buildGateway(ctx, gw, cls);
      model = before && sameModel(before.model, built) ? before.model : built;
    }
    out.set(key, { object: gw, cls: cls.object, secrets, grants, model });
    list.push(model);
  }
  return list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Keys of Gateways whose model is new, changed or gone. */
function changedGateways(before: ReadonlyMap<string, ModelEntry>, after: ReadonlyMap<string, ModelEntry>): string[] {
  const out: string[] = [];
  for (const [key, entry] of after) if (before.get(key)?.model !== entry.model) out.push(key);
  for (const key of before.keys()) if (!after.has(key)) out.push(key);
  return out;
}

/** The routes to look at again after a change (see the file comment). */
function affectedRoutes(store: Store, previous: State, touched: ReadonlySet<string>, gateways: readonly string[]): Set<string> {
  const out = new Set(store.changes("HTTPRoute", previous.store));
  previous.book.dependents(touched, out);
  previous.book.naming(gateways, out);
  if (previous.store.token("Namespace") !== store.token("Namespace")) previous.book.inNamespaces(store.changes("Namespace", previous.store), out);
  return out;
}
