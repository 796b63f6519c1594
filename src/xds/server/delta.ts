/**
 * DeltaAggregatedResources: incremental ADS, the sibling of sotw.ts.
 *
 * Per type the stream remembers the subscription and, per resource name, the version the client
 * holds (from what was sent, or from initial_resource_versions on a reconnect; "" = the client was
 * told the resource does not exist). A resource is sent only when the client's version differs
 * from the snapshot's, so a NACKed version is never re-sent: only a new version or a
 * re-subscription sends it again. Subscription changes are applied from every request (nonces only
 * match ACKs and NACKs to responses), so none is lost while a response is in flight.
 *
 * A push sends changed resources in PUSH_ORDER first, then removals (removed_resources) in
 * PUSH_ORDER, so no Cluster, endpoint set or route table disappears before what referred to it was
 * updated. Names explicitly subscribed that do not exist are reported once in removed_resources.
 */
import { type EncodedResource, type Snapshot, TypeUrl, PUSH_ORDER } from "../types";
import { apiListener, grpcEndpoints } from "./proxyless";
import { resourcesOf, snapshotDiff } from "./diff";
import type { DeltaDiscoveryRequest } from "./service";
import { AdsStream } from "./stream";
import { Subscription, WILDCARD } from "./subscription";
import { deltaEntry, deltaResponse } from "./wire";

const ABSENT = "";

interface TypeState {
  sub: Subscription;
  /** name → version the client holds. */
  held: Map<string, string>;
  responded: boolean;
  /** Nonces sent and not yet ACKed or NACKed (bounded). */
  nonces: Set<string>;
}

interface Change {
  upserts: EncodedResource[];
  removed: string[];
}

export class DeltaStream extends AdsStream<DeltaDiscoveryRequest> {
  private readonly types = new Map<TypeUrl, TypeState>();

  private state(type: TypeUrl): TypeState {
    let st = this.types.get(type);
    if (!st) this.types.set(type, (st = { sub: new Subscription(type), held: new Map(), responded: false, nonces: new Set() }));
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
    const { added, removed } = st.sub.applyDelta(req.resourceNamesSubscribe ?? [], req.resourceNamesUnsubscribe ?? []);
    for (const name of removed) st.held.delete(name);
    if (!this.snapshot) return;
    const candidates = first || added.includes(WILDCARD) ? this.allNames(type, st) : [...added, ...removed.filter(n => st.sub.covers(n))];
    if (candidates.length === 0 && st.responded) return;
    const change = this.changes(type, st, candidates);
    this.sendChange(type, st, change.upserts, change.removed);
  }

  protected onSnapshot(prev: Snapshot | undefined, next: Snapshot | undefined): void {
    const startedAt = this.deps.now();
    const removals: Array<[TypeUrl, TypeState, string[]]> = [];
    for (const type of PUSH_ORDER) {
      const st = this.types.get(type);
      if (!st?.sub.requested) continue;
      let change: Change;
      if (!next) change = { upserts: [], removed: [...st.held].filter(([, v]) => v !== ABSENT).map(([n]) => n) };
      else change = this.changes(type, st, prev ? this.changedNames(type, st, prev, next) : this.allNames(type, st));
      if (!next) for (const name of change.removed) st.held.set(name, ABSENT);
      if (change.upserts.length > 0 || (!st.responded && next)) this.sendChange(type, st, change.upserts, [], startedAt);
      if (change.removed.length > 0) removals.push([type, st, change.removed]);
    }
    for (const [type, st, removed] of removals) this.sendChange(type, st, [], removed, startedAt);
  }

  /** Every name that may need a message: the snapshot's (wildcard), the named ones, the held ones. */
  private allNames(type: TypeUrl, st: TypeState): string[] {
    const names = new Set<string>(st.sub.names);
    if (st.sub.wildcard) for (const name of resourcesOf(this.snapshot, type).keys()) names.add(name);
    for (const name of st.held.keys()) names.add(name);
    return [...names];
  }

  /** Names whose state may differ after prev → next: the diff, plus named API listeners. */
  private changedNames(type: TypeUrl, st: TypeState, prev: Snapshot, next: Snapshot): string[] {
    const diff = snapshotDiff(prev, next).get(type);
    const names = diff ? [...diff.changed.map(r => r.name), ...diff.removed] : [];
    if (type === TypeUrl.Listener && !st.sub.wildcard) {
      const listeners = resourcesOf(next, type);
      for (const name of st.sub.names) if (!listeners.has(name)) names.push(name);
    }
    return names;
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
        st.held.delete(name);
      }
    }
    return { upserts, removed };
  }

  private sendChange(type: TypeUrl, st: TypeState, upserts: EncodedResource[], removed: string[], startedAt?: number): void {
    const nonce = this.nextNonce();
    st.responded = true;
    if (st.nonces.size >= 64) st.nonces.delete(st.nonces.values().next().value as string);
    st.nonces.add(nonce);
    const msg = deltaResponse({
      systemVersionInfo: this.snapshot?.version ?? "",
      typeUrl: type,
      nonce,
      entries: upserts.map(deltaEntry),
      resources: upserts.length,
      removed,
    });
    this.send(type, msg, startedAt);
  }
}
