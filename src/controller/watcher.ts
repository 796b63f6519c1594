/**
 * The watcher: ingest, rebuild loop, status writer and data-plane provisioning, wired together.
 * The capability's Watch bindings feed `event`/`deploymentEvent`; `start` lists every kind once
 * (retrying with backoff while the API is unreachable) before the first rebuild, so the first
 * status written is computed from a complete Store, and then relists periodically, which removes
 * objects whose delete events were missed and restores any the watches lost.
 */
import { INPUT_KINDS, type InputKind, type KubeObject } from "../apis";
import type { Config } from "../config";
import type { Store } from "../store";
import type { Snapshot } from "../xds/types";
import { dataPlaneNames, MANAGED_SELECTOR } from "./dataplane/names";
import { DeploymentTracker } from "./dataplane/deployments";
import { Provisioner, type ProvisionerDeps } from "./dataplane/provision";
import { reportWithDataPlane, serviceState, type DataPlaneObservation } from "./dataplane/status";
import { Ingest, type WatchPhase } from "./ingest";
import { ApiError, type KubeClient } from "./k8s";
import { DEPLOYMENT, INPUT_KIND_INFO } from "./kinds";
import { errorMessage, type Logger } from "./log";
import { RebuildLoop, type PipelineLike, type PipelineOutput } from "./loop";
import { StatusWriter } from "./status";
import { retryWithBackoff, type Timers } from "./timers";

export interface WatcherDeps {
  client: KubeClient;
  config: Config;
  pipeline: PipelineLike;
  publish(snapshots: ReadonlyMap<string, Snapshot>, result: PipelineOutput): void;
  /** Data-plane provisioning; omitted: no data plane is created (status still reports it). */
  provisioning?: Omit<ProvisionerDeps, "client" | "timers" | "log">;
  timers: Timers;
  log: Logger;
  /** Periodic full relist (default 10 minutes; 0 disables). */
  resyncMs?: number;
}

export interface WatcherStats {
  synced: boolean;
  rebuilds: number;
  rebuildFailures: number;
  statusWrites: number;
  statusConflicts: number;
  statusFailures: number;
  relists: number;
  applies: number;
}

export class Watcher {
  readonly ingest: Ingest;
  readonly loop: RebuildLoop;
  readonly writer: StatusWriter;
  readonly deployments = new DeploymentTracker();
  readonly provisioner?: Provisioner;
  private synced = false;
  private relists = 0;
  private resyncTimer: unknown;
  private readonly abort = new AbortController();

  constructor(private readonly deps: WatcherDeps) {
    const { client, timers, log } = deps;
    this.ingest = new Ingest({
      onChange: () => this.loop.trigger(),
      onMalformed: kind => log.warn("skipped a watched object without a name", { kind }),
    });
    this.writer = new StatusWriter({
      client: {
        get: (kind, ns, name) => client.get(INPUT_KIND_INFO[kind], ns, name),
        patchStatus: (kind, ns, name, rv, status) => client.patchStatus(INPUT_KIND_INFO[kind], ns, name, rv, status),
      },
      observed: (kind, ns, name) => this.ingest.observed(kind, ns, name),
      observedAll: kind => this.ingest.observedAll(kind),
      record: (kind, obj) => this.ingest.event(kind, "MODIFIED", obj),
      controllerName: deps.config.controllerName,
      timers,
      log,
    });
    if (deps.provisioning) this.provisioner = new Provisioner({ ...deps.provisioning, client, timers, log });
    this.loop = new RebuildLoop({
      store: () => this.ingest.store,
      pipeline: deps.pipeline,
      publish: (snapshots, result) => deps.publish(snapshots, result),
      onResult: (result, store) => this.onResult(result, store),
      log,
      timers,
    });
  }

  /** A watch event of an input kind. */
  event(kind: InputKind, phase: WatchPhase, obj: unknown): void {
    this.ingest.event(kind, phase, obj);
  }

  /** A watch event of a data-plane Deployment. */
  deploymentEvent(phase: WatchPhase, obj: unknown): void {
    if (this.deployments.event(phase, obj)) this.loop.trigger();
  }

  /** The Gateway's data plane as watched: Deployment availability and Service addresses. */
  observe(namespace: string, name: string): DataPlaneObservation {
    const names = dataPlaneNames(namespace, name);
    return {
      deployment: this.deployments.state(namespace, names.deployment),
      service: serviceState(this.ingest.observed("Service", namespace, names.service)),
    };
  }

  private onResult(result: PipelineOutput, store: Store): void {
    this.writer.submit(
      reportWithDataPlane(result.status, (ns, name) => this.observe(ns, name)),
      store,
    );
    this.provisioner?.submit({ ir: result.ir, store, extraManaged: this.deployments.objects() });
  }

  /** Initial sync (with backoff), then the first rebuild and periodic relists. */
  async start(): Promise<void> {
    const { timers, log } = this.deps;
    await retryWithBackoff(() => this.relistAll(true), {
      timers,
      signal: this.abort.signal,
      onError: (err, attempt, delay) => log.warn("initial list failed; retrying", { error: errorMessage(err), attempt, retryInMs: delay }),
    });
    this.synced = true;
    log.info("initial sync complete", { objects: INPUT_KINDS.reduce((n, k) => n + this.ingest.store.size(k), 0) });
    this.loop.start();
    this.scheduleResync();
  }

  private scheduleResync(): void {
    const every = this.deps.resyncMs ?? 600_000;
    if (every <= 0 || this.abort.signal.aborted) return;
    this.resyncTimer = this.deps.timers.setTimeout(() => {
      void this.relistAll(false)
        .catch(err => this.deps.log.warn("periodic relist failed", { error: errorMessage(err) }))
        .finally(() => this.scheduleResync());
    }, every);
  }

  /** Lists every input kind and the managed Deployments and makes the Store match. */
  async relistAll(initial: boolean): Promise<void> {
    const { client, log } = this.deps;
    const lists = await Promise.all(
      INPUT_KINDS.map(async kind => {
        try {
          return { kind, ...(await client.list(INPUT_KIND_INFO[kind])) };
        } catch (err) {
          // A kind whose CRD is not installed has no objects.
          if (err instanceof ApiError && err.status === 404) {
            if (initial) log.warn("kind not served; is its CRD installed?", { kind });
            return { kind, items: [] as KubeObject[], resourceVersion: undefined };
          }
          throw err;
        }
      }),
    );
    const deployments = await client.list(DEPLOYMENT, { labelSelector: MANAGED_SELECTOR });
    for (const l of lists) this.ingest.relist(l.kind, l.items, l.resourceVersion);
    if (this.deployments.relist(deployments.items)) this.loop.trigger();
    this.relists++;
  }

  stats(): WatcherStats {
    return {
      synced: this.synced,
      rebuilds: this.loop.stats.rebuilds,
      rebuildFailures: this.loop.stats.failures,
      statusWrites: this.writer.stats.writes,
      statusConflicts: this.writer.stats.conflicts,
      statusFailures: this.writer.stats.failures,
      relists: this.relists,
      applies: this.provisioner?.stats.applies ?? 0,
    };
  }

  /** True when nothing is scheduled, rebuilding, being written or provisioned. */
  async settled(): Promise<boolean> {
    await this.loop.flush();
    await this.writer.idle();
    await this.provisioner?.idle();
    return !this.loop.busy && this.writer.pending === 0;
  }

  stop(): void {
    this.abort.abort();
    if (this.resyncTimer !== undefined) this.deps.timers.clearTimeout(this.resyncTimer);
    this.loop.stop();
  }
}
