/**
 * DeltaAggregatedResources: incremental ADS, the sibling of sotw.ts.
 *
 * Per type the stream remembers the subscription and, per resource name, the version the client
 * holds (held.ts: from what was sent, or from initial_resource_versions on a reconnect). A resource is sent only when the client's version differs
 * from the snapshot's, so a NACKed version is never re-sent: only a new version or a
 * re-subscription sends it again. Subscription changes are applied from every request (nonces only
 * match ACKs and NACKs to responses), so none is lost while a response is in flight.
 *
 * A push sends changed resources in PUSH_ORDER first, then removals (removed_resources) in
 * PUSH_ORDER, so no Cluster, endpoint set or route table disappears before what referred to it was
 * updated. Names explicitly subscribed that do not exist are reported once in removed_resources.
 *
 * Scale: a stream that gets a whole type (wildcard, or names covering most of it) holds it as the
 * snapshot's own map; on each change it moves to the next map and compares only what changed.
 * Streams that get the same resources share one response (shared.ts).
 */
import { type EncodedResource, type Snapshot, TypeUrl, PUSH_ORDER } from "../types";
import { resourcesOf, snapshotDiff } from "./diff";
import { ABSENT, Held } from "./held";
import { apiListener, grpcEndpoints } from "./proxyless";
import type { DeltaDiscoveryRequest } from "./service";
import { listOf, newNonce, sameList, shared } from "./shared";
import { AdsStream } from "./stream";
import { Subscription, WILDCARD } from "./subscription";
import { type WireMessage, deltaEntry, deltaResponse } from "./wire";

interface TypeState {
  sub: Subscription;
  held: Held;
  responded: boolean;
  /** Nonces sent and not yet ACKed or NACKed (bounded). */
  nonces: Set<string>;
}

interface Change {
  upserts: readonly EncodedResource[];
  removed: string[];
}

/** Lists many streams' changes are likely to equal (so their response can be shared). */
interface Canonical {
  upserts?: readonly EncodedResource[];
  removed?: readonly string[];
}

interface Coverage {
  /** The resources subscribed to (the snapshot's canonical list when that is all of them). */
  upserts: readonly EncodedResource[];
  /** Resources of the map not subscribed to. */
  missing: readonly string[];
  /** Names subscribed to that the map lacks. */
  removed: readonly string[];
}

const coverages = new WeakMap<ReadonlySet<string>, { map: ReadonlyMap<string, EncodedResource>; wildcard: boolean; result: Coverage }>();

/**
 * How a subscription covers a type's map. Computed once per map for a shared set of names (every
 * Envoy of a Gateway subscribing to the same endpoint sets), once per stream otherwise.
 */
function coverage(sub: Subscription, map: ReadonlyMap<string, EncodedResource>): Coverage {
  const memo = sub.namesShared ? coverages.get(sub.names) : undefined;
  if (memo && memo.map === map && memo.wildcard === sub.wildcard) return memo.result;
  const all = listOf(map);
  const removed: string[] = [];
  let present = 0;
  for (const name of sub.names) {
    if (map.has(name)) present++;
    else removed.push(name);
  }
  const whole = sub.wildcard || present === map.size;
  const result: Coverage = {
    upserts: whole ? all : all.filter(r => sub.names.has(r.name)),
    missing: whole ? [] : all.filter(r => !sub.names.has(r.name)).map(r => r.name),
    removed,
  };
  if (sub.namesShared) coverages.set(sub.names, { map, wildcard: sub.wildcard, result });
  return result;
}

export class DeltaStream extends AdsStream<DeltaDiscoveryRequest> {
  private readonly types = new Map<TypeUrl, TypeState>();

  private state(type: TypeUrl): TypeState {
    let st = this.types.get(type);
    if (!st) this.types.set(type, (st = { sub: new Subscription(type), held: new Held(), responded: false, nonces: new Set() }));
    return st;
  }

  protected onRequest(req: DeltaDiscoveryRequest, type: TypeUrl): void {
    const st = this.state(type);
    const first = !st.sub.requested;
    if (first) for (const [name, version] of Object.entries(req.initialResourceVersions ?? {})) st.held.set(name, version);
    if (req.responseNonce && st.nonces.delete(req.responseNonce)) {
      if (req.errorDetail) this.nackLog(type, req.errorDetail);
      else this.deps.metrics.acked(this.variant, type);
    }
    const wasWildcard = st.sub.wildcard;
    const { added, removed } = st.sub.applyDelta(req.resourceNamesSubscribe ?? [], req.resourceNamesUnsubscribe ?? []);
    for (const name of removed) st.held.forget(name);
    // Leaving the wildcard: the client forgets what it held only through it.
    if (wasWildcard && !st.sub.wildcard) st.held.keepOnly(st.sub.names);
    if (!this.snapshot) return;
    const all = first || added.includes(WILDCARD);
    const some = all ? [] : [...added, ...removed.filter(n => st.sub.covers(n))];
    if (!all && some.length === 0 && st.responded) return;
    const map = resourcesOf(this.snapshot, type);
    const change = (all && this.holdWhole(type, st, map)) || this.changes(type, st, all ? this.allNames(type, st) : some);
    this.sendChange(type, st, change.upserts, change.removed, undefined, { upserts: listOf(map) });
  }

  protected onSnapshot(prev: Snapshot | undefined, next: Snapshot | undefined): void {
    const startedAt = this.deps.now();
    const removals: Array<[TypeUrl, TypeState, string[], Canonical]> = [];
    for (const type of PUSH_ORDER) {
      const st = this.types.get(type);
      if (!st?.sub.requested) continue;
      const { change, canonical } = next ? this.push(type, st, prev, next) : { change: this.dropAll(st), canonical: {} };
      if (change.upserts.length > 0 || (!st.responded && next)) this.sendChange(type, st, change.upserts, [], startedAt, canonical);
      if (change.removed.length > 0) removals.push([type, st, change.removed, canonical]);
    }
    for (const [type, st, removed, canonical] of removals) this.sendChange(type, st, [], removed, startedAt, canonical);
  }

  /** What a new snapshot changes for one type of this stream. */
  private push(type: TypeUrl, st: TypeState, prev: Snapshot | undefined, next: Snapshot): { change: Change; canonical: Canonical } {
    const map = resourcesOf(next, type);
    if (!prev) return { change: (st.held.empty() && this.holdWhole(type, st, map)) || this.changes(type, st, this.allNames(type, st)), canonical: { upserts: listOf(map) } };
    const diff = snapshotDiff(prev, next).get(type);
    const touched = diff ? [...diff.changed.map(r => r.name), ...diff.removed] : [];
    if (st.held.basedOn(resourcesOf(prev, type))) st.held.rebase(map, touched);
    return { change: this.changes(type, st, this.changedNames(type, st, touched, map)), canonical: { upserts: diff?.changed, removed: diff?.removed } };
  }

  /** The Gateway's snapshot is gone: every resource held is removed. */
  private dropAll(st: TypeState): Change {
    const removed = st.held.names().filter(n => st.held.get(n) !== ABSENT);
    st.held.keepOnly(new Set());
    for (const name of st.sub.names) st.held.set(name, ABSENT);
    return { upserts: [], removed };
  }

  /**
   * A stream that holds nothing and wants most of a type gets all of it at once: it then holds
   * the snapshot's map itself. Undefined when that does not apply (the caller compares by name).
   */
  private holdWhole(type: TypeUrl, st: TypeState, map: ReadonlyMap<string, EncodedResource>): Change | undefined {
    if (!st.held.empty() || (type === TypeUrl.Endpoint && this.proxyless())) return undefined;
    if (!st.sub.wildcard && st.sub.names.size < map.size / 2) return undefined;
    const { upserts, missing, removed } = coverage(st.sub, map);
    st.held.holdAll(map, missing);
    for (const name of removed) st.held.set(name, ABSENT);
    return { upserts, removed: [...removed] };
  }

  /** Every name that may need a message: the snapshot's (wildcard), the named ones, the held ones. */
  private allNames(type: TypeUrl, st: TypeState): string[] {
    const names = new Set<string>(st.sub.names);
    if (st.sub.wildcard) for (const name of resourcesOf(this.snapshot, type).keys()) names.add(name);
    for (const name of st.held.names()) names.add(name);
    return [...names];
  }

  /** Names whose state may differ after a change: those the diff touched, plus named API listeners. */
  private changedNames(type: TypeUrl, st: TypeState, touched: string[], map: ReadonlyMap<string, EncodedResource>): string[] {
    if (type !== TypeUrl.Listener || st.sub.wildcard) return touched;
    return [...touched, ...[...st.sub.names].filter(name => !map.has(name))];
  }

  /** The current resource for a name, by the stream's subscription (API listeners for named LDS). */
  private current(type: TypeUrl, st: TypeState, name: string): EncodedResource | undefined {
    if (!st.sub.covers(name) || !this.snapshot) return undefined;
    const res = resourcesOf(this.snapshot, type).get(name);
    if (res) return type === TypeUrl.Endpoint && this.proxyless() ? grpcEndpoints(res) : res;
    return type === TypeUrl.Listener && !st.sub.wildcard ? apiListener(this.snapshot, name) : undefined;
  }

  /** A proxyless gRPC client: it names the Listeners it wants. */
  private proxyless(): boolean {
    const lds = this.types.get(TypeUrl.Listener)?.sub;
    return !!lds && !lds.wildcard && lds.names.size > 0;
  }

  /** What to send for `names`, updating what the client holds as it goes. */
  private changes(type: TypeUrl, st: TypeState, names: Iterable<string>): Change {
    const upserts: EncodedResource[] = [];
    const removed: string[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      const res = this.current(type, st, name);
      const held = st.held.get(name);
      if (res) {
        if (held !== res.version) {
          upserts.push(res);
          st.held.set(name, res.version);
        }
      } else if (st.sub.names.has(name)) {
        if (held !== ABSENT) {
          removed.push(name);
          st.held.set(name, ABSENT);
        }
      } else if (held !== undefined) {
        if (held !== ABSENT) removed.push(name);
        st.held.forget(name);
      }
    }
    return { upserts, removed };
  }

  private sendChange(type: TypeUrl, st: TypeState, upserts: readonly EncodedResource[], removed: string[], startedAt?: number, canon: Canonical = {}): void {
    const systemVersionInfo = this.snapshot?.version ?? "";
    const make = (nonce: string): WireMessage => deltaResponse({ systemVersionInfo, typeUrl: type, nonce, entries: upserts.map(deltaEntry), resources: upserts.length, removed });
    let canonical: object | undefined;
    if (removed.length === 0 && upserts.length > 0 && sameList(upserts, canon.upserts)) canonical = canon.upserts;
    else if (upserts.length === 0 && removed.length > 0 && sameList(removed, canon.removed)) canonical = canon.removed;
    const common = canonical ? shared(canonical, `delta\u0000${type}\u0000${systemVersionInfo}`, make) : undefined;
    const own = common && this.firstUse(common) ? common : { nonce: newNonce(), msg: undefined as WireMessage | undefined };
    const nonce = own.nonce;
    const msg = own.msg ?? make(nonce);
    st.responded = true;
    if (st.nonces.size >= 64) st.nonces.delete(st.nonces.values().next().value as string);
    st.nonces.add(nonce);
    this.send(type, msg, startedAt);
  }
}
