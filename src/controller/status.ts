/**
 * The status writer: the only code that writes status. Each rebuild submits the whole report; the
 * writer keeps, per object, only the newest desired status (a later report replaces an unwritten
 * earlier one), and a few workers write them:
 *
 *   1. merge the desired status with what the object has now (the newest watched version, or the
 *      response of our previous write) — nothing to write: done;
 *   2. merge-patch the status subresource with metadata.resourceVersion set, so a concurrent
 *      writer's change is never overwritten (status.parents/ancestors are atomic lists);
 *   3. on 409 Conflict: read the object again and go back to 1; on 404: done; on other errors:
 *      retry later with backoff.
 *
 * Responses are fed back to ingest as the newest version, so the watch event of our own write
 * finds nothing new. Objects that hold our entries in status.parents/ancestors but are no longer
 * in the report get those entries removed. Gateways and GatewayClasses of other controllers are
 * never written, whatever the report says.
 */
import type { GatewayClass, Gateway, InputKind, KubeObject } from "../apis";
import type { StatusData, StatusEntry, StatusReport } from "../ir/status";
import type { Store } from "../store";
import { keyOf } from "../store";
import { inputKindNamed } from "./kinds";
import { errorMessage, httpStatusOf, type Logger } from "./log";
import { statusPatch, withdrawalPatch, type StatusPatch } from "./statusdiff";
import { backoffDelay, kubeTime, type Timers } from "./timers";

export interface StatusClient {
  /** Reads the object; undefined when it does not exist. */
  get(kind: InputKind, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  /** Merge-patches the status subresource with a resourceVersion precondition; resolves to the object. */
  patchStatus(kind: InputKind, namespace: string | undefined, name: string, resourceVersion: string | undefined, status: StatusPatch): Promise<KubeObject>;
}

export interface StatusWriterDeps {
  client: StatusClient;
  /** The newest version of an object the watcher has seen. */
  observed(kind: InputKind, namespace: string | undefined, name: string): KubeObject | undefined;
  /** All newest objects of a kind (to find our stale entries). */
  observedAll(kind: InputKind): KubeObject[];
  /** Records an object the API returned (fed to ingest as a watch event). */
  record(kind: InputKind, obj: KubeObject): void;
  controllerName: string;
  timers: Timers;
  log: Logger;
}

/** Writes in flight at once. */
const CONCURRENCY = 16;
/** Conflict retries per write before giving up until the next submit. */
const MAX_CONFLICTS = 5;

type Desired = { kind: InputKind; namespace?: string; name: string } & ({ data: StatusData } | { withdraw: "parents" | "ancestors" });

export interface StatusWriterStats {
  writes: number;
  conflicts: number;
  failures: number;
}

/** Whether a report entry may be written: GatewayClasses and Gateways must be ours. */
export function mayWrite(store: Store, entry: StatusEntry, controllerName: string): boolean {
  const { kind, namespace, name } = entry.ref;
  const classIsOurs = (className: string | undefined) =>
    !!className && store.get<GatewayClass>("GatewayClass", undefined, className)?.spec?.controllerName === controllerName;
  if (kind === "GatewayClass") return classIsOurs(name);
  if (kind === "Gateway") return classIsOurs(store.get<Gateway>("Gateway", namespace, name)?.spec?.gatewayClassName);
  return true;
}

const SHARED_LISTS: Array<[InputKind, "parents" | "ancestors"]> = [
  ["HTTPRoute", "parents"],
  ["BackendTLSPolicy", "ancestors"],
];

export class StatusWriter {
  private readonly desired = new Map<string, Desired>();
  private readonly queue = new Set<string>();
  private readonly inflight = new Set<string>();
  private readonly failedAttempts = new Map<string, number>();
  private active = 0;
  private idleWaiters: Array<() => void> = [];
  readonly stats: StatusWriterStats = { writes: 0, conflicts: 0, failures: 0 };

  constructor(private readonly deps: StatusWriterDeps) {}

  /** Replaces what should be written with this report (and withdrawals of our stale entries). */
  submit(report: StatusReport, store: Store): void {
    const next = new Map<string, Desired>();
    for (const entry of report) {
      const kind = inputKindNamed(entry.ref.kind);
      if (!kind || !mayWrite(store, entry, this.deps.controllerName)) continue;
      const { namespace, name } = entry.ref;
      next.set(`${kind}/${keyOf(namespace, name)}`, { kind, namespace, name, data: entry.status });
    }
    for (const [kind, field] of SHARED_LISTS) {
      for (const obj of this.deps.observedAll(kind)) {
        const { namespace, name } = obj.metadata ?? {};
        const key = `${kind}/${keyOf(namespace, name!)}`;
        if (next.has(key)) continue;
        if (withdrawalPatch((obj as { status?: unknown }).status, field, this.deps.controllerName)) {
          next.set(key, { kind, namespace, name: name!, withdraw: field });
        }
      }
    }
    this.desired.clear();
    this.queue.clear();
    for (const [key, d] of next) {
      this.desired.set(key, d);
      if (this.patchFor(d) !== undefined) this.queue.add(key);
    }
    this.pump();
  }

  /** Resolves when nothing is queued or being written. */
  idle(): Promise<void> {
    if (this.queue.size === 0 && this.active === 0) return Promise.resolve();
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  get pending(): number {
    return this.queue.size + this.active;
  }

  private patchFor(d: Desired, current?: KubeObject): StatusPatch | undefined {
    const obj = current ?? this.deps.observed(d.kind, d.namespace, d.name);
    if (!obj) return undefined;
    const status = (obj as { status?: unknown }).status;
    if ("withdraw" in d) return withdrawalPatch(status, d.withdraw, this.deps.controllerName);
    return statusPatch(status, d.data, {
      controllerName: this.deps.controllerName,
      objectNamespace: d.namespace,
      now: kubeTime(this.deps.timers.now()),
    });
  }

  private pump(): void {
    for (const key of this.queue) {
      if (this.active >= CONCURRENCY) break;
      if (this.inflight.has(key)) continue;
      this.queue.delete(key);
      this.inflight.add(key);
      this.active++;
      void this.write(key).finally(() => {
        this.inflight.delete(key);
        this.active--;
        this.pump();
        if (this.queue.size === 0 && this.active === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
  }

  private async write(key: string): Promise<void> {
    let current: KubeObject | undefined;
    for (let conflicts = 0; conflicts <= MAX_CONFLICTS; conflicts++) {
      const d = this.desired.get(key);
      if (!d) return;
      current ??= this.deps.observed(d.kind, d.namespace, d.name);
      const patch = current && this.patchFor(d, current);
      if (!current || !patch) return;
      try {
        const rv = current.metadata?.resourceVersion;
        const written = await this.deps.client.patchStatus(d.kind, d.namespace, d.name, rv, patch);
        this.stats.writes++;
        this.failedAttempts.delete(key);
        this.deps.record(d.kind, written);
        return;
      } catch (err) {
        const code = httpStatusOf(err);
        if (code === 404) return;
        if (code !== 409) return this.failed(key, d, err);
        this.stats.conflicts++;
        try {
          current = await this.deps.client.get(d.kind, d.namespace, d.name);
        } catch (getErr) {
          return this.failed(key, d, getErr);
        }
        if (current) this.deps.record(d.kind, current);
      }
    }
    this.deps.log.warn("status write kept conflicting; will retry on the next rebuild", { object: key });
  }

  private failed(key: string, d: Desired, err: unknown): void {
    this.stats.failures++;
    const attempt = this.failedAttempts.get(key) ?? 0;
    this.failedAttempts.set(key, attempt + 1);
    const delay = backoffDelay(attempt, 1_000, 60_000);
    this.deps.log.warn("status write failed; retrying", { object: key, error: errorMessage(err), retryInMs: delay });
    this.deps.timers.setTimeout(() => {
      if (this.desired.get(key) !== d) return; // superseded by a newer report
      this.queue.add(key);
      this.pump();
    }, delay);
  }
}
