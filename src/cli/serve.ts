/**
 * `peg serve -f <file|dir> [-f ...] [-R] [--xds-address 127.0.0.1:18000] [--http-address 127.0.0.1:19000]
 *            [--tls-cert f --tls-key f [--tls-client-ca f]] [--no-watch]`
 *
 * Standalone mode: loads the manifests, applies the admission policy (a denied object is reported
 * and left out, as `kubectl apply` would have refused it), runs the pipeline, publishes one
 * snapshot per Gateway to the xDS server, and prints the status conditions as a table. Then it
 * watches the files and rebuilds on change (debounced: 100 ms of quiet, at most 500 ms after the
 * first change); a file that fails to parse is reported and its last good content kept. Stops
 * cleanly on SIGINT or SIGTERM. Exit code 2 when a path cannot be read or a port cannot be bound.
 */
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../config";
import { Pipeline } from "../pipeline";
import { storeFromObjects } from "../store/objects";
import { translate } from "../translate";
import { SnapshotCache } from "../xds/cache";
import { HttpServer } from "../xds/http";
import { XdsServer, type XdsTlsOptions, parseAddress } from "../xds/server";
import { XdsMetrics } from "../xds/server/metrics";
import { type Snapshot, TypeUrl } from "../xds/types";
import { admitObjects } from "./admit";
import { type LoadedObject, fileOptions, manifestFiles, parseManifests } from "./load";
import { withStatus } from "./resources";
import { statusTable } from "./serve-status";

export interface ServeOptions {
  files: string[];
  recursive?: boolean;
  xdsAddress: string;
  httpAddress: string;
  tls?: XdsTlsOptions;
  /** Rebuild on file changes (default true). */
  watch?: boolean;
  debounceMs?: number;
  maxDelayMs?: number;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface ServeIO {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  timers?: Timers;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: h => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
};

/** Runs `fn` after `quietMs` without a new trigger, and at most `maxMs` after the first one. */
export class Debouncer {
  private timer: unknown;
  private firstAt: number | undefined;

  constructor(
    private readonly fn: () => void,
    private readonly quietMs: number,
    private readonly maxMs: number,
    private readonly timers: Timers,
  ) {}

  trigger(): void {
    const now = this.timers.now();
    if (this.firstAt === undefined) this.firstAt = now;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(this.quietMs, this.firstAt + this.maxMs - now));
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.firstAt = undefined;
      this.fn();
    }, delay);
  }

  cancel(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.firstAt = undefined;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function summary(s: Snapshot): string {
  const n = (t: TypeUrl) => s.resources.get(t)?.size ?? 0;
  return [
    plural(n(TypeUrl.Listener), "listener"),
    plural(n(TypeUrl.Route), "route configuration"),
    plural(n(TypeUrl.Cluster), "cluster"),
    plural(n(TypeUrl.Endpoint), "endpoint set"),
    plural(n(TypeUrl.Secret), "secret"),
  ].join(", ");
}

export class StandaloneServer {
  readonly cache: SnapshotCache;
  readonly metrics = new XdsMetrics();
  private readonly xds: XdsServer;
  private readonly http: HttpServer;
  private readonly pipeline: Pipeline;
  private readonly timers: Timers;
  private readonly debouncer: Debouncer;
  private readonly goodFiles = new Map<string, LoadedObject[]>();
  private readonly watchers = new Map<string, FSWatcher>();
  private statusObjects: unknown[] = [];
  private lastPrinted = { status: "", denials: "", problems: "" };
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  ready = false;

  constructor(
    private readonly options: ServeOptions,
    private readonly io: ServeIO,
  ) {
    this.timers = io.timers ?? realTimers;
    this.cache = new SnapshotCache({ log: line => io.err(line), now: () => this.timers.now() });
    this.xds = new XdsServer({ cache: this.cache, metrics: this.metrics, tls: options.tls, log: line => io.err(line), now: () => this.timers.now() });
    this.http = new HttpServer({ cache: this.cache, metrics: this.metrics, resources: () => this.statusObjects, ready: () => this.ready });
    this.pipeline = new Pipeline(loadConfig(io.env), translate);
    this.debouncer = new Debouncer(() => void this.rebuild(), options.debounceMs ?? 100, options.maxDelayMs ?? 500, this.timers);
  }

  /** Binds both ports, builds once, starts watching. Resolves to the bound ports. */
  async start(): Promise<{ xdsPort: number; httpPort: number }> {
    const http = parseAddress(this.options.httpAddress);
    const xdsPort = await this.xds.listen(this.options.xdsAddress);
    let httpPort: number;
    try {
      httpPort = await this.http.listen(http.host, http.port);
    } catch (err) {
      await this.xds.stop(0);
      throw err;
    }
    const xdsHost = parseAddress(this.options.xdsAddress).host;
    this.io.out(`peg serve: xDS (ADS, SotW and delta) on ${xdsHost}:${xdsPort} (${this.options.tls ? (this.options.tls.clientCaFile ? "mTLS" : "TLS") : "plaintext"}); HTTP on ${http.host}:${httpPort} (/healthz /metrics /config_dump)`);
    await this.rebuild();
    this.ready = true;
    if (this.options.watch !== false) this.io.out(`peg serve: watching ${this.options.files.join(", ")} for changes (Ctrl-C to stop)`);
    return { xdsPort, httpPort };
  }

  /** Loads, admits, translates and publishes; concurrent calls coalesce. */
  rebuild(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.rebuildOnce();
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private load(): { objects: LoadedObject[]; files: string[] } {
    const { files, errors } = manifestFiles(this.options.files, { recursive: this.options.recursive });
    for (const e of errors) this.io.err(`peg serve: ${e.file}: ${e.message}`);
    const objects: LoadedObject[] = [];
    for (const file of files) {
      let parsed: ReturnType<typeof parseManifests>;
      try {
        parsed = parseManifests(readFileSync(file, "utf8"), file);
      } catch (err) {
        parsed = { objects: [], errors: [{ file, message: err instanceof Error ? err.message : String(err) }] };
      }
      if (parsed.errors.length === 0) this.goodFiles.set(file, parsed.objects);
      else {
        const kept = this.goodFiles.has(file) ? "; keeping its last good content" : "";
        for (const e of parsed.errors) this.io.err(`peg serve: ${e.file}: ${e.message}${kept}`);
      }
      objects.push(...(this.goodFiles.get(file) ?? []));
    }
    for (const file of [...this.goodFiles.keys()]) if (!files.includes(file)) this.goodFiles.delete(file);
    return { objects, files };
  }

  private async rebuildOnce(): Promise<void> {
    const startedAt = this.timers.now();
    const { objects, files } = this.load();
    if (this.options.watch !== false && !this.stopped) this.watchFiles(files);
    const admission = await admitObjects(objects, loadConfig(this.io.env).policy);
    const denials = admission.denials.flatMap(d => d.messages.map(m => `denied ${d.object} (${d.file}): ${m}`));
    const result = this.pipeline.update(storeFromObjects(admission.admitted.map(a => a.stored)).store);
    this.metrics.translations++;
    if (result.problems.length > 0) this.metrics.translationFailures++;
    this.metrics.translateDuration.observe(this.timers.now() - startedAt);
    this.statusObjects = withStatus(admission.admitted, result.status, "stored");
    this.publish(result.snapshots, new Set(result.ir.gateways.map(g => g.key)));
    this.printOnChange("denials", denials.map(d => `peg serve: ${d}`), line => this.io.err(line));
    this.printOnChange("problems", result.problems.map(p => `peg serve: Gateway ${p.gateway}: ${p.message}`), line => this.io.err(line));
    this.printOnChange("status", [`peg serve: status of ${plural(objects.length, "object")} from ${plural(files.length, "file")} (${denials.length} denied):`, ...statusTable(result.status).map(l => `  ${l}`)], line => this.io.out(line));
  }

  /** Sets every fresh snapshot; drops Gateways that are gone; keeps the last good one of a Gateway that failed. */
  private publish(snapshots: ReadonlyMap<string, Snapshot>, gateways: ReadonlySet<string>): void {
    for (const [key, snapshot] of snapshots) {
      const before = this.cache.get(key)?.version;
      if (this.cache.set(snapshot).changed) this.io.out(`peg serve: serving ${key} version ${snapshot.version}${before ? ` (was ${before})` : ""}: ${summary(snapshot)}`);
    }
    for (const key of this.cache.keys()) {
      if (!gateways.has(key) && this.cache.delete(key)) this.io.out(`peg serve: ${key} is gone; its proxies get an empty configuration`);
    }
  }

  private printOnChange(what: keyof StandaloneServer["lastPrinted"], lines: string[], print: (line: string) => void): void {
    const text = lines.join("\n");
    if (text === this.lastPrinted[what]) return;
    this.lastPrinted[what] = text;
    if (what !== "status" && lines.length === 0) return;
    for (const line of lines) print(line);
  }

  /** Watches the directories that hold (or may hold) the manifests; any change triggers a rebuild. */
  private watchFiles(files: string[]): void {
    const dirs = new Map<string, string | undefined>(); // dir → only this file name (explicit file roots)
    for (const root of this.options.files) {
      const isFile = files.includes(root);
      dirs.set(isFile ? dirname(root) : root, isFile ? basename(root) : undefined);
    }
    for (const f of files) if (!dirs.has(dirname(f))) dirs.set(dirname(f), undefined);
    for (const [dir, watcher] of this.watchers) {
      if (!dirs.has(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const [dir, only] of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: true }, (_event, name) => {
          if (!only || !name || String(name) === only) this.debouncer.trigger();
        });
        w.on("error", () => this.debouncer.trigger());
        this.watchers.set(dir, w);
      } catch (err) {
        this.io.err(`peg serve: cannot watch ${dir}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Stops watching and serving. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.debouncer.cancel();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.running?.catch(() => undefined);
    await Promise.all([this.xds.stop(1_000), this.http.close()]);
  }
}

interface ServeCliOptions {
  file: string[];
  recursive?: boolean;
  xdsAddress: string;
  httpAddress: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  watch: boolean;
}

/** Runs until SIGINT/SIGTERM (or `signal`); resolves to the exit code. */
export async function runServe(options: ServeOptions, io: ServeIO, signal?: AbortSignal): Promise<number> {
  const missing = manifestFiles(options.files, { recursive: options.recursive }).errors;
  if (missing.length > 0) {
    for (const e of missing) io.err(`peg serve: ${e.file}: ${e.message}`);
    return 2;
  }
  const server = new StandaloneServer(options, io);
  try {
    await server.start();
  } catch (err) {
    io.err(`peg serve: ${err instanceof Error ? err.message : String(err)}`);
    await server.stop();
    return 2;
  }
  await new Promise<void>(resolve => {
    const done = (): void => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
    signal?.addEventListener("abort", done, { once: true });
  });
  io.out("peg serve: stopping");
  await server.stop();
  return 0;
}

export function registerServe(program: Command): void {
  fileOptions(program.command("serve").description("serve xDS for the Gateways in manifest files, print their status, and follow changes to the files"))
    .option("--xds-address <host:port>", "where the xDS (ADS) server listens", "127.0.0.1:18000")
    .option("--http-address <host:port>", "where /healthz, /metrics and /config_dump are served", "127.0.0.1:19000")
    .option("--tls-cert <file>", "PEM certificate chain of the xDS server (enables TLS)")
    .option("--tls-key <file>", "PEM private key of the xDS server")
    .option("--tls-client-ca <file>", "PEM CA bundle: require client certificates signed by it (mTLS)")
    .option("--no-watch", "build once and serve, without following file changes")
    .action(async (opts: ServeCliOptions) => {
      if (!!opts.tlsCert !== !!opts.tlsKey || (opts.tlsClientCa && !opts.tlsCert)) {
        process.stderr.write("peg serve: --tls-cert and --tls-key go together (and --tls-client-ca needs them)\n");
        process.exitCode = 2;
        return;
      }
      const tls = opts.tlsCert ? { certFile: opts.tlsCert, keyFile: opts.tlsKey as string, clientCaFile: opts.tlsClientCa } : undefined;
      const io: ServeIO = { out: l => process.stdout.write(`${l}\n`), err: l => process.stderr.write(`${l}\n`), env: process.env };
      process.exitCode = await runServe({ files: opts.file, recursive: opts.recursive, xdsAddress: opts.xdsAddress, httpAddress: opts.httpAddress, tls, watch: opts.watch }, io);
    });
}
