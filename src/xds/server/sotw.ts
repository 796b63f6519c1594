/**
 * StreamAggregatedResources: state-of-the-world ADS.
 *
 * Per type the stream remembers the subscription, the nonce of its last response and what that
 * response carried. A request whose response_nonce is not the last nonce is stale and gets no
 * response (its names are still recorded). After a current request (initial, ACK or NACK) the
 * response for the names now wanted is compared with what was last sent, and sent only if it
 * differs: so a subscription change made while a response was in flight is answered when that
 * response is ACKed, and a NACKed response is never re-sent (only a new snapshot or a new
 * subscription produces a new response).
 *
 * A new snapshot is pushed in PUSH_ORDER (CDS, EDS, LDS, RDS, SDS). Listeners and Clusters that
 * disappear stay in the first CDS/LDS response of the push and are dropped by a second one sent
 * after the dependents (make before break), since in SotW a missing Listener or Cluster is a delete.
 */
import { type EncodedResource, type Snapshot, TypeUrl, PUSH_ORDER } from "../types";
import { apiListener, grpcEndpoints } from "./proxyless";
import { resourcesOf, snapshotDiff } from "./diff";
import type { DiscoveryRequest } from "./service";
import { AdsStream } from "./stream";
import { Subscription } from "./subscription";
import { newNonce, shared } from "./shared";
import { type WireMessage, sotwEntry, sotwResponse } from "./wire";

/** What a response carried: the full map of a snapshot's type (wildcard), or a list. */
interface Content {
  resources: ReadonlyMap<string, EncodedResource>;
  /** Set when `resources` is the whole of this snapshot's type map. */
  full?: Snapshot;
}

interface TypeState {
  sub: Subscription;
  nonce?: string;
  sent?: Content;
  /** The snapshot `sent` is known to match (for the subscription at the time). */
  sentFrom?: Snapshot;
  /** The subscription changed since `sent`. */
  dirty: boolean;
}

function isFullStateType(type: TypeUrl): boolean {
  return type === TypeUrl.Cluster || type === TypeUrl.Listener;
}

export class SotwStream extends AdsStream<DiscoveryRequest> {
  private readonly types = new Map<TypeUrl, TypeState>();

  private state(type: TypeUrl): TypeState {
    let st = this.types.get(type);
    if (!st) this.types.set(type, (st = { sub: new Subscription(type), dirty: false }));
    return st;
  }

  protected onRequest(req: DiscoveryRequest, type: TypeUrl): void {
    const st = this.state(type);
    if (st.sub.applySotw(req.resourceNames ?? [])) st.dirty = true;
    if (st.nonce !== undefined) {
      if (req.responseNonce !== st.nonce) return; // stale: a newer response is on its way
      if (req.errorDetail) this.nackLog(type, req.errorDetail);
      else this.deps.metrics.acked(this.variant, type);
    }
    if (!st.dirty && st.sent && st.sentFrom === this.snapshot) return; // nothing can differ
    this.respond(type, st);
  }

  protected onSnapshot(prev: Snapshot | undefined, next: Snapshot | undefined): void {
    const startedAt = this.deps.now();
    if (!next) {
      for (const type of [TypeUrl.Cluster, TypeUrl.Listener]) {
        const st = this.types.get(type);
        if (st?.sent && st.sent.resources.size > 0) this.sendContent(type, st, { resources: new Map() }, "", startedAt);
      }
      for (const st of this.types.values()) st.sentFrom = undefined;
      return;
    }
    const breaking: TypeUrl[] = [];
    for (const type of PUSH_ORDER) {
      const st = this.types.get(type);
      if (!st?.sub.requested) continue;
      if (prev && st.sent && !st.dirty && st.sentFrom === prev && !this.touches(type, st, prev, next)) {
        st.sentFrom = next;
        continue;
      }
      if (isFullStateType(type) && st.sent && this.respondKeeping(type, st, next, startedAt)) breaking.push(type);
      else this.respond(type, st, startedAt);
    }
    for (const type of breaking) this.respond(type, this.state(type), startedAt);
  }

  /** Whether the change from prev to next can alter what this stream wants of a type. */
  private touches(type: TypeUrl, st: TypeState, prev: Snapshot, next: Snapshot): boolean {
    const diff = snapshotDiff(prev, next).get(type);
    if (type === TypeUrl.Listener && !st.sub.wildcard) return true; // API listeners follow the routes
    if (!diff || (diff.changed.length === 0 && diff.removed.length === 0)) return false;
    if (st.sub.wildcard) return true;
    return diff.changed.some(r => st.sub.names.has(r.name)) || diff.removed.some(n => st.sub.names.has(n));
  }

  /** The resources the subscription wants from the current snapshot. */
  private wanted(type: TypeUrl, st: TypeState, snapshot: Snapshot): Content {
    const map = resourcesOf(snapshot, type);
    const adapt = type === TypeUrl.Endpoint && this.proxyless() ? grpcEndpoints : (r: EncodedResource) => r;
    const extra = st.sub.wildcard ? [...st.sub.names].filter(n => !map.has(n)) : [];
    if (st.sub.wildcard && extra.length === 0 && type !== TypeUrl.Endpoint) return { resources: map, full: snapshot };
    const out = new Map<string, EncodedResource>();
    if (st.sub.wildcard) for (const [n, r] of map) out.set(n, adapt(r));
    for (const name of st.sub.names) {
      const res = map.get(name) ?? (type === TypeUrl.Listener && !st.sub.wildcard ? apiListener(snapshot, name) : undefined);
      if (res) out.set(name, adapt(res));
    }
    return { resources: out };
  }

  /** A proxyless gRPC client: it names the Listeners it wants. */
  private proxyless(): boolean {
    const lds = this.types.get(TypeUrl.Listener)?.sub;
    return !!lds && !lds.wildcard && lds.names.size > 0;
  }

  private same(a: Content, b: Content, type: TypeUrl): boolean {
    if (a.resources === b.resources) return true;
    if (a.full && b.full) {
      const d = snapshotDiff(a.full, b.full).get(type);
      if (d && d.changed.length === 0 && d.removed.length === 0) return true;
    }
    if (a.resources.size !== b.resources.size) return false;
    for (const [name, res] of b.resources) if (a.resources.get(name)?.version !== res.version) return false;
    return true;
  }

  private respond(type: TypeUrl, st: TypeState, startedAt?: number): void {
    const snapshot = this.snapshot;
    if (!snapshot) return;
    const content = this.wanted(type, st, snapshot);
    if (st.sent && this.same(st.sent, content, type)) {
      st.sentFrom = snapshot;
      st.dirty = false;
      return;
    }
    this.sendContent(type, st, content, snapshot.version, startedAt);
  }

  /**
   * Make before break: when a Listener or Cluster sent before is gone, first send the new set plus
   * the gone ones. Returns true when it did (a second response must then drop them).
   */
  private respondKeeping(type: TypeUrl, st: TypeState, snapshot: Snapshot, startedAt: number): boolean {
    const sent = st.sent as Content;
    const content = this.wanted(type, st, snapshot);
    const gone = [...sent.resources.values()].filter(r => !content.resources.has(r.name));
    if (gone.length === 0) return false;
    const kept = new Map(content.resources);
    for (const r of gone) kept.set(r.name, r);
    this.sendContent(type, st, { resources: kept }, `${snapshot.version}+kept`, startedAt);
    return true;
  }

  private sendContent(type: TypeUrl, st: TypeState, content: Content, version: string, startedAt?: number): void {
    const count = content.resources.size;
    const make = (nonce: string): WireMessage =>
      sotwResponse({ versionInfo: version, typeUrl: type, nonce, entries: [...content.resources.values()].map(sotwEntry), resources: count });
    // A wildcard stream's full state of a type is the same bytes for every such stream: built once.
    const common = content.full ? shared(content.resources, `sotw\u0000${type}\u0000${version}`, make) : undefined;
    let msg: WireMessage;
    if (common && this.firstUse(common)) ({ nonce: st.nonce, msg } = common);
    else msg = make((st.nonce = newNonce()));
    st.sent = content;
    st.sentFrom = this.snapshot;
    st.dirty = false;
    this.send(type, msg, startedAt);
  }
}
