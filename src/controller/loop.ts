/**
 * The rebuild loop: after a change, wait for a quiet period (100 ms by default) but never longer
 * than a cap after the first change (500 ms), then run the pipeline on the current Store, publish
 * the snapshots, and hand the result on (status writer, data plane). One rebuild at a time: a
 * change during a rebuild schedules the next one. A failing rebuild is logged and the loop goes
 * on; the previously published snapshots stay.
 */
import type { IR } from "../ir/types";
import type { StatusReport } from "../ir/status";
import type { Store } from "../store";
import type { Snapshot } from "../xds/types";
import { errorMessage, type Logger } from "./log";
import type { Timers } from "./timers";

export interface DebounceOptions {
  quietMs: number;
  capMs: number;
  timers: Timers;
  onError?: (err: unknown) => void;
}

/** Calls `run` once per burst of `trigger()` calls; never two runs at once. */
export class Debouncer {
  private timer: unknown;
  private firstAt: number | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;

  constructor(
    private readonly run: () => Promise<void> | void,
    private readonly opts: DebounceOptions,
  ) {}

  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    const { timers, quietMs, capMs } = this.opts;
    const now = timers.now();
    this.firstAt ??= now;
    const at = Math.min(now + quietMs, this.firstAt + capMs);
    if (this.timer !== undefined) timers.clearTimeout(this.timer);
    this.timer = timers.setTimeout(() => void this.fire(), Math.max(0, at - now));
  }

  /** True while a run is scheduled or in progress. */
  get busy(): boolean {
    return this.timer !== undefined || this.running !== undefined;
  }

  /** Runs now if a run is scheduled; resolves when no run is in progress. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) await this.fire();
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.opts.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async fire(): Promise<void> {
    if (this.timer !== undefined) this.opts.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.firstAt = undefined;
    const done = (async () => {
      try {
        await this.run();
      } catch (err) {
        this.opts.onError?.(err);
      }
    })();
    this.running = done;
    await done;
    this.running = undefined;
    if (this.dirty) {
      this.dirty = false;
      this.trigger();
    }
  }
}

/** What one pipeline run produces (src/pipeline's PipelineResult, as far as the loop reads it). */
export interface PipelineOutput {
  ir: IR;
  status: StatusReport;
  snapshots: ReadonlyMap<string, Snapshot>;
  problems?: unknown;
}

export interface PipelineLike {
  update(store: Store): PipelineOutput;
}

export interface RebuildLoopDeps {
  /** The current Store (ingest's, with every change applied). */
  store(): Store;
  pipeline: PipelineLike;
  /** Publishes the snapshots (the xDS cache). */
  publish(snapshots: ReadonlyMap<string, Snapshot>, result: PipelineOutput): void;
  /** Receives each result: status writer and data plane. Must not throw; may be async (not awaited). */
  onResult(result: PipelineOutput, store: Store): void;
  log: Logger;
  timers: Timers;
}

export interface LoopStats {
  rebuilds: number;
  failures: number;
  lastStore?: Store;
}

export class RebuildLoop {
  private readonly debouncer: Debouncer;
  private started = false;
  readonly stats: LoopStats = { rebuilds: 0, failures: 0 };

  constructor(private readonly deps: RebuildLoopDeps) {
    this.debouncer = new Debouncer(() => this.rebuild(), {
      quietMs: 100,
      capMs: 500,
      timers: deps.timers,
      onError: err => deps.log.error("rebuild failed", { error: errorMessage(err) }),
    });
  }

  /** Begins rebuilding (after the initial sync): one rebuild now, then on every trigger. */
  start(): void {
    this.started = true;
    this.debouncer.trigger();
  }

  /** A change: schedule a rebuild (ignored before start, when the Store is still filling). */
  trigger(): void {
    if (this.started) this.debouncer.trigger();
  }

  get busy(): boolean {
    return this.debouncer.busy;
  }

  /** Runs a pending rebuild now; resolves when none is in progress. */
  flush(): Promise<void> {
    return this.debouncer.flush();
  }

  stop(): void {
    this.started = false;
    this.debouncer.stop();
  }

  /** One rebuild; errors are logged, never thrown. */
  rebuild(): void {
    const { deps } = this;
    const startedAt = deps.timers.now();
    const store = deps.store();
    let result: PipelineOutput;
    try {
      result = deps.pipeline.update(store);
    } catch (err) {
      this.stats.failures++;
      deps.log.error("translation failed; keeping the published configuration", { error: errorMessage(err) });
      return;
    }
    this.stats.rebuilds++;
    this.stats.lastStore = store;
    const { rss, heapUsed } = process.memoryUsage();
    deps.log.info("rebuilt", {
      gateways: result.ir.gateways.length,
      statusEntries: result.status.length,
      ms: deps.timers.now() - startedAt,
      rssMiB: Math.round(rss / 1048576),
      heapMiB: Math.round(heapUsed / 1048576),
    });
    if (Array.isArray(result.problems) && result.problems.length > 0) {
      deps.log.warn("pipeline reported problems", { problems: result.problems.slice(0, 20), count: result.problems.length });
    }
    try {
      deps.publish(result.snapshots, result);
    } catch (err) {
      this.stats.failures++;
      deps.log.error("publishing snapshots failed", { error: errorMessage(err) });
    }
    try {
      deps.onResult(result, store);
    } catch (err) {
      deps.log.error("handling the rebuild result failed", { error: errorMessage(err) });
    }
  }
}

/**
 * Publishes into a snapshot cache: sets every snapshot; deletes the snapshots of Gateways that are
 * not in `present` (Gateways in the IR without a snapshot this time, e.g. a render failure, keep
 * their previous one).
 */
export function publishTo(
  cache: { set(s: Snapshot): { changed: boolean; problems: string[] }; delete(gateway: string): boolean; keys(): string[] },
  log: Logger,
): (snapshots: ReadonlyMap<string, Snapshot>, present?: ReadonlySet<string>) => void {
  return (snapshots, present) => {
    for (const snapshot of snapshots.values()) {
      const { problems } = cache.set(snapshot);
      if (problems.length > 0) log.error("snapshot refused by the cache", { gateway: snapshot.gateway, problems });
    }
    for (const key of cache.keys()) if (!snapshots.has(key) && !present?.has(key)) cache.delete(key);
  };
}
