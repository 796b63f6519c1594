/**
 * What the SotW and delta streams share: the node → Gateway rule (bound to the client
 * certificate's Gateway under mTLS, identity.ts), the cache watch, request hygiene (a malformed
 * request is counted and ignored, never fatal), and an ordered send queue with flow control: one
 * response in flight per stream, and a byte budget shared by all streams so that a burst of large
 * responses to many streams does not allocate them all at once.
 */
import * as grpc from "@grpc/grpc-js";
import type { SnapshotCache } from "../cache";
import { type Snapshot, type TypeUrl, PUSH_ORDER } from "../types";
import type { Variant, XdsMetrics } from "./metrics";
import { type PeerIdentity, decide } from "./identity";
import type { NodeMessage, RpcStatus } from "./service";
import type { SharedResponse } from "./shared";
import { zeroCopyActive } from "./framing";
import { type WireMessage, build, prebuilt } from "./wire";

/** Bytes of responses being written at once, across streams. */
export class ByteBudget {
  private used = 0;
  private readonly waiters: Array<{ n: number; fn: () => void }> = [];

  constructor(readonly limit: number) {}

  /** Runs `fn` once `n` bytes fit in the budget (a single oversized response runs alone; nothing waits for 0 bytes). */
  acquire(n: number, fn: () => void): void {
    if (n === 0) {
      fn();
    } else if (this.waiters.length === 0 && (this.used === 0 || this.used + n <= this.limit)) {
      this.used += n;
      fn();
    } else {
      this.waiters.push({ n, fn });
    }
  }

  release(n: number): void {
    this.used -= n;
    while (this.waiters.length > 0 && (this.used === 0 || this.used + this.waiters[0].n <= this.limit)) {
      const next = this.waiters.shift() as { n: number; fn: () => void };
      this.used += next.n;
      next.fn();
    }
  }
}

export interface StreamDeps {
  cache: SnapshotCache;
  metrics: XdsMetrics;
  budget: ByteBudget;
  log: (line: string) => void;
  now: () => number;
  /** Refusals already logged (certificate's Gateway and the one asked for), bounded. */
  deniedLogged: Set<string>;
}

/** Distinct refusals logged; later ones are only counted. */
const DENIED_LOG_LIMIT = 256;

interface Outgoing {
  typeUrl: string;
  msg: WireMessage;
  startedAt: number;
}

const KNOWN_TYPES = new Set<string>(PUSH_ORDER);

let streamIds = 0;

export abstract class AdsStream<Req extends { node?: NodeMessage | null; typeUrl: string; errorDetail?: RpcStatus | null }> {
  readonly id = ++streamIds;
  /** The Gateway this stream serves (`namespace/name`), once the node named one. */
  gateway: string | undefined;
  protected snapshot: Snapshot | undefined;
  protected node = "";
  private identified = false;
  private unwatch: (() => void) | undefined;
  private closed = false;
  private readonly queue: Outgoing[] = [];
  private writing = false;
  private held = 0;
  private unknownTypesLogged = new Set<string>();
  /** Shared responses this stream has been sent (a nonce must not repeat on a stream). */
  private readonly sharedSent = new WeakSet<SharedResponse>();

  constructor(
    protected readonly call: grpc.ServerDuplexStream<Req, Buffer>,
    protected readonly deps: StreamDeps,
    readonly variant: Variant,
    private readonly onClose: (stream: AdsStream<Req>) => void,
    /** The client certificate's identity; undefined when the server does not require one. */
    private readonly peer?: PeerIdentity,
  ) {
    deps.metrics.streamOpened(variant);
    call.on("data", (req: Req) => this.receive(req));
    call.on("end", () => {
      this.close();
      call.end();
    });
    call.on("error", () => this.close());
    call.on("cancelled", () => this.close());
    call.on("close", () => this.close());
  }

  /** Handles one request whose type URL is one of PUSH_ORDER. */
  protected abstract onRequest(req: Req, type: TypeUrl): void;

  /** Pushes what changed from `prev` to `next` (undefined: the Gateway's snapshot was deleted). */
  protected abstract onSnapshot(prev: Snapshot | undefined, next: Snapshot | undefined): void;

  /** Ends the stream from the server side (shutdown). */
  end(): void {
    if (this.closed) return;
    this.close();
    try {
      this.call.end();
    } catch {
      // already gone
    }
  }

  private receive(req: Req): void {
    if (this.closed) return;
    try {
      if (!this.identified) this.identify(req.node);
      if (this.closed) return; // refused
      if (!KNOWN_TYPES.has(req.typeUrl)) {
        this.deps.metrics.badRequests++;
        if (!this.unknownTypesLogged.has(req.typeUrl) && this.unknownTypesLogged.size < 8) {
          this.unknownTypesLogged.add(req.typeUrl);
          this.deps.log(`xds: stream ${this.id} (${this.node}) asked for unsupported type ${JSON.stringify(req.typeUrl)}; ignored`);
        }
        return;
      }
      this.onRequest(req, req.typeUrl as TypeUrl);
    } catch (err) {
      this.deps.metrics.badRequests++;
      this.deps.log(`xds: stream ${this.id} (${this.node}): request ignored: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private identify(node: NodeMessage | null | undefined): void {
    this.identified = true;
    this.node = node?.id || "(no node id)";
    const decision = decide(this.peer, node);
    if (decision.denied !== undefined) return this.deny(decision);
    const key = decision.gateway;
    if (!key) {
      this.deps.metrics.unknownNodes++;
      this.deps.log(`xds: stream ${this.id}: node ${JSON.stringify(node?.id ?? "")} (cluster ${JSON.stringify(node?.cluster ?? "")}) names no Gateway; it gets nothing (set node.cluster to namespace/name)`);
      return;
    }
    this.gateway = key;
    this.snapshot = this.deps.cache.get(key);
    if (!this.snapshot) {
      this.deps.metrics.unknownNodes++;
      this.deps.log(`xds: stream ${this.id}: node ${JSON.stringify(this.node)} serves Gateway ${key}, which has no configuration; it gets nothing until it has`);
    }
    this.unwatch = this.deps.cache.watch(key, next => this.snapshotChanged(next));
  }

  /** Ends the stream with PERMISSION_DENIED: counted always, logged once per pair of Gateways. */
  private deny({ denied: message, certificate, asked }: { denied: string; certificate: string; asked: string }): void {
    this.deps.metrics.denied(certificate);
    // A certificate naming no Gateway is told apart by its problem; others by the two Gateways.
    const seen = `${certificate}\u0000${asked}\u0000${certificate ? "" : message}`;
    const logged = this.deps.deniedLogged;
    if (!logged.has(seen) && logged.size < DENIED_LOG_LIMIT) {
      logged.add(seen);
      this.deps.log(`xds: stream ${this.id} refused: ${message} (logged once; counted in peg_xds_denied_streams_total)`);
    }
    this.close();
    this.call.emit("error", { code: grpc.status.PERMISSION_DENIED, details: message });
  }

  private snapshotChanged(next: Snapshot | undefined): void {
    if (this.closed) return;
    const prev = this.snapshot;
    this.snapshot = next;
    try {
      this.onSnapshot(prev, next);
    } catch (err) {
      this.deps.log(`xds: stream ${this.id} (${this.node}): push failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** True the first time this stream takes a shared response; false means build its own. */
  protected firstUse(entry: SharedResponse): boolean {
    if (this.sharedSent.has(entry)) return false;
    this.sharedSent.add(entry);
    return true;
  }

  protected nackLog(type: string, detail: RpcStatus | null | undefined): void {
    const message = detail?.message || `code ${detail?.code ?? "?"}`;
    this.deps.metrics.nacked(this.gateway ?? "", type, this.node, message);
    this.deps.log(`xds: ${this.node} (${this.gateway}) rejected ${type.slice(type.lastIndexOf(".") + 1)}: ${message}`);
  }

  /** Queues a response; responses of a stream are written in the order they are queued. */
  protected send(typeUrl: string, msg: WireMessage, startedAt = this.deps.now()): void {
    if (this.closed) return;
    this.queue.push({ typeUrl, msg, startedAt });
    this.pump();
  }

  private pump(): void {
    if (this.writing || this.closed || this.queue.length === 0) return;
    const item = this.queue.shift() as Outgoing;
    this.writing = true;
    // A shared response sent without a copy costs no memory of its own while it is written.
    const cost = prebuilt(item.msg) && zeroCopyActive() ? 0 : item.msg.size;
    this.deps.budget.acquire(cost, () => {
      if (this.closed) {
        this.deps.budget.release(cost);
        return;
      }
      this.held = cost;
      this.deps.metrics.pushed(this.variant, item.typeUrl, item.msg.size, item.msg.resources);
      this.call.write(build(item.msg), () => {
        if (this.closed) return;
        this.deps.budget.release(this.held);
        this.held = 0;
        this.deps.metrics.pushDuration.observe(this.deps.now() - item.startedAt);
        this.writing = false;
        this.pump();
      });
    });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch?.();
    this.queue.length = 0;
    if (this.held > 0) this.deps.budget.release(this.held);
    this.held = 0;
    this.deps.metrics.streamClosed(this.variant);
    this.onClose(this);
  }
}
