/**
 * xDS server benchmark: 100 concurrent delta ADS streams on one Gateway's snapshot of 10k
 * HTTPRoutes (bench/generate.ts, every route attached to one Gateway, through the real pipeline).
 *
 * This process is the server (the pipeline, the snapshot cache and the ADS server, as in the
 * watcher); the streams run in separate client processes (bench/xds-clients.ts), so the server's
 * CPU time and memory are its own. On a machine with few cores the clients still compete with the
 * server for CPU, so the wall times include the clients' work; their CPU time is reported next to
 * the server's, with the load average. Measured, as medians over several runs:
 *   - initial sync: from the first request until every stream holds CDS, EDS, LDS and RDS;
 *   - a one-HTTPRoute change and a one-EndpointSlice change: from the snapshot being set until
 *     every stream received it, with the bytes the server sent (per stream, against the snapshot);
 *   - the server process's peak RSS while serving (the pipeline's state included).
 *
 *   npm run bench:xds [-- <routes> <streams> <runs> <client processes>]
 */
import { type ChildProcess, fork } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { KubeObject } from "../src/apis";
import { loadConfig } from "../src/config";
import { Pipeline } from "../src/pipeline";
import { storeFromObjects } from "../src/store/objects";
import { translate } from "../src/translate";
import { SnapshotCache } from "../src/xds/cache";
import { XdsServer } from "../src/xds/server";
import { framingStats } from "../src/xds/server/framing";
import { type Snapshot, TypeUrl } from "../src/xds/types";
import { generateWorld, route } from "./generate";
import { type ToClient, type ToServer, clientMain, cpuMs, now } from "./xds-clients";

setFlagsFromString("--expose_gc");
/** A full garbage collection (the bench separates the pipeline's garbage from the server's memory). */
const gc = runInNewContext("gc") as () => void;
/** Collects garbage and lets the collector's sweeping finish before a measurement starts. */
async function settle(): Promise<void> {
  gc();
  await new Promise(resolve => setTimeout(resolve, 500));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (xs: number[], digits = 0): string => `median ${median(xs).toFixed(digits)} ms (runs: ${xs.map(x => x.toFixed(digits)).join(", ")})`;
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`;
const load = (): string => loadavg().map(l => l.toFixed(1)).join(" ");
const GATEWAY = "bench/gw-0";

/** bench/generate.ts's world with every HTTPRoute attached to the first Gateway. */
function world(routes: number): KubeObject[] {
  return generateWorld(routes).map(o => (o.kind === "HTTPRoute" ? ({ ...o, spec: { ...(o as KubeObject & { spec: object }).spec, parentRefs: [{ name: "gw-0" }] } } as KubeObject) : o));
}

function snapshotBytes(s: Snapshot): number {
  let n = 0;
  for (const m of s.resources.values()) for (const r of m.values()) n += r.bytes.length;
  return n;
}

interface Bench {
  streams: number;
  runs: number;
  objects: KubeObject[];
  pipeline: Pipeline;
  /** The route table names and encoded size of the first snapshot (the bench holds no snapshot: an old one would be kept alive). */
  routeConfigs: string[];
  snapshotBytes: number;
  cache: SnapshotCache;
  server: XdsServer;
  port: number;
  clients: ChildProcess[];
  /** Peak RSS of this (the server's) process while serving. */
  peak: number;
}

/** Resolves to the next reply of `op` from every client process. */
function replies<T extends ToServer["op"]>(b: Bench, op: T): Promise<Array<Extract<ToServer, { op: T }>>> {
  return Promise.all(
    b.clients.map(
      child =>
        new Promise<Extract<ToServer, { op: T }>>(resolve => {
          const on = (m: ToServer): void => {
            if (m.op !== op) return;
            child.off("message", on);
            resolve(m as Extract<ToServer, { op: T }>);
          };
          child.on("message", on);
        }),
    ),
  );
}

/** Sends a command to every client process (`command(i)` for process i) and waits for their replies of `op`. */
function ask<T extends ToServer["op"]>(b: Bench, command: (i: number) => ToClient, op: T): Promise<Array<Extract<ToServer, { op: T }>>> {
  const answers = replies(b, op);
  b.clients.forEach((child, i) => child.send(command(i)));
  return answers;
}

/** Samples this process's RSS every 10 ms until the returned function is called, which returns the phase's peak. */
function sampleRss(b: Bench): () => number {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  return () => {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
    b.peak = Math.max(b.peak, peak);
    return peak;
  };
}

/** CPU time of this process since `from`, total and split. */
function serverCpu(from: NodeJS.CpuUsage): { total: number; user: number; system: number } {
  const u = process.cpuUsage(from);
  return { total: cpuMs(u), user: u.user / 1000, system: u.system / 1000 };
}

async function setup(routes: number, streams: number, runs: number, processes: number): Promise<Bench> {
  const objects = world(routes);
  const pipeline = new Pipeline(loadConfig({}), translate);
  const t = now();
  const first = pipeline.update(storeFromObjects(objects).store);
  const snapshot = first.snapshots.get(GATEWAY);
  if (!snapshot) throw new Error(`no snapshot for ${GATEWAY}: ${JSON.stringify(first.problems.slice(0, 3))}`);
  const counts = [...snapshot.resources].map(([k, m]) => `${m.size} ${k.slice(k.lastIndexOf(".") + 1)}`).join(", ");
  console.log(`  pipeline (full build): ${(now() - t).toFixed(0)} ms; snapshot: ${counts}; ${(snapshotBytes(snapshot) / 1048576).toFixed(2)} MiB encoded`);
  await settle();
  console.log(`  server process RSS before serving (pipeline state included): ${mib(process.memoryUsage().rss)}`);
  const cache = new SnapshotCache();
  cache.set(snapshot);
  const server = new XdsServer({ cache });
  const port = await server.listen("127.0.0.1:0");
  const clients = Array.from({ length: processes }, () => fork(__filename, ["--client"], { stdio: "inherit" }));
  for (const child of clients) {
    child.on("exit", (code, signal) => {
      if (code !== 0) {
        console.error(`bench: a client process exited (${signal ?? code}) before the end`);
        process.exit(1);
      }
    });
  }
  const routeConfigs = [...(snapshot.resources.get(TypeUrl.Route)?.keys() ?? [])];
  return { streams, runs, objects, pipeline, routeConfigs, snapshotBytes: snapshotBytes(snapshot), cache, server, port, clients, peak: 0 };
}

/** Streams of client process `i` of `n`: [first, count]. */
function share(total: number, n: number, i: number): [number, number] {
  const base = Math.floor(total / n);
  const extra = i < total % n ? 1 : 0;
  return [i * base + Math.min(i, total % n), base + extra];
}

async function measureSync(b: Bench): Promise<void> {
  const routeConfigs = b.routeConfigs;
  const times: number[] = [];
  const server: Array<ReturnType<typeof serverCpu>> = [];
  const client: number[] = [];
  const stop = sampleRss(b);
  for (let i = 0; i < b.runs; i++) {
    const cpu = process.cpuUsage();
    const synced = await ask(b, c => {
      const [first, streams] = share(b.streams, b.clients.length, c);
      return { op: "sync", port: b.port, gateway: GATEWAY, first, streams, routeConfigs };
    }, "synced");
    server.push(serverCpu(cpu));
    times.push(Math.max(...synced.map(r => r.end)) - Math.min(...synced.map(r => r.start)));
    client.push(synced.reduce((n, r) => n + r.cpuMs, 0));
    if (i < b.runs - 1) await ask(b, () => ({ op: "close" }), "closed");
  }
  const peak = stop();
  const total = server.map(s => s.total);
  console.log(`  initial sync of ${b.streams} streams: wall ${ms(times)}; target <= 1000 ms`);
  console.log(`    CPU: server process median ${median(total).toFixed(0)} ms (user ${median(server.map(s => s.user)).toFixed(0)}, system ${median(server.map(s => s.system)).toFixed(0)}); client processes median ${median(client).toFixed(0)} ms; load average ${load()}`);
  console.log(`    server process peak RSS: ${mib(peak)}`);
}

async function measureChange(b: Bench, what: string, type: TypeUrl, edit: (variant: number) => void): Promise<void> {
  const times: number[] = [];
  const bytes: number[] = [];
  const pipelineMs: number[] = [];
  const server: number[] = [];
  const client: number[] = [];
  let peak = 0;
  for (let v = 1; v <= b.runs; v++) {
    edit(v);
    const t = now();
    const next = b.pipeline.update(storeFromObjects(b.objects).store).snapshots.get(GATEWAY) as Snapshot;
    pipelineMs.push(now() - t);
    await settle(); // the pipeline's garbage is not the server's
    await ask(b, () => ({ op: "expect", type }), "armed");
    const sent = b.server.metrics.bytes.get(`delta|${type}`) ?? 0;
    const stop = sampleRss(b);
    const received = replies(b, "received");
    const cpu = process.cpuUsage();
    const setAt = now();
    b.cache.set(next);
    const answers = await received;
    server.push(cpuMs(process.cpuUsage(cpu)));
    peak = Math.max(peak, stop());
    times.push(Math.max(...answers.map(r => r.last)) - setAt);
    client.push(answers.reduce((n, r) => n + r.cpuMs, 0));
    bytes.push(((b.server.metrics.bytes.get(`delta|${type}`) ?? 0) - sent) / b.streams);
  }
  console.log(`  ${what}: delivered to all ${b.streams} streams in wall ${ms(times, 1)}; target <= 100 ms`);
  console.log(`    CPU: server process median ${median(server).toFixed(1)} ms; client processes median ${median(client).toFixed(1)} ms; load average ${load()}; server process peak RSS ${mib(peak)}`);
  console.log(`    bytes sent per stream: median ${median(bytes).toFixed(0)} (whole snapshot: ${b.snapshotBytes}); pipeline update (not in the times above): median ${median(pipelineMs).toFixed(1)} ms`);
}

async function main(): Promise<void> {
  const [routes = 10_000, streams = 100, runs = 5, processes = 1] = process.argv.slice(2).filter(a => /^\d+$/.test(a)).map(Number);
  console.log(`xDS bench: ${routes} HTTPRoutes on one Gateway, ${streams} delta ADS streams in ${processes} client process(es), ${runs} runs; ${cpus().length} CPUs, load average ${load()}`);
  const b = await setup(routes, streams, runs, processes);
  await measureSync(b);
  const routeIndex = b.objects.findIndex(o => o.kind === "HTTPRoute");
  const serviceCount = Math.max(1, Math.floor(routes / 2));
  await measureChange(b, "one HTTPRoute changed (its listener's route table is resent)", TypeUrl.Route, v => {
    const r = route(0, serviceCount, v) as KubeObject & { spec: object };
    b.objects[routeIndex] = { ...r, spec: { ...r.spec, parentRefs: [{ name: "gw-0" }] } } as KubeObject;
    b.objects = [...b.objects];
  });
  const sliceIndex = b.objects.findIndex(o => o.kind === "EndpointSlice");
  await measureChange(b, "one EndpointSlice changed", TypeUrl.Endpoint, v => {
    const slice = b.objects[sliceIndex] as KubeObject & { endpoints: Array<{ addresses: string[] }> };
    b.objects[sliceIndex] = { ...slice, endpoints: [{ ...slice.endpoints[0], addresses: [`10.250.${v}.1`] }] } as KubeObject;
    b.objects = [...b.objects];
  });
  const closed = await ask(b, () => ({ op: "close" }), "closed");
  console.log(`  server process peak RSS while serving: ${mib(b.peak)} (target <= 400 MiB); client processes peak RSS: ${closed.map(c => mib(c.maxRssBytes)).join(", ")}`);
  console.log(`  responses written without a copy per stream: ${framingStats.copying === 0 ? "yes" : `no (${framingStats.copying} calls copied)`}`);
  for (const child of b.clients) {
    child.removeAllListeners("exit");
    child.disconnect();
  }
  await b.server.stop(500);
}

if (process.argv.includes("--client")) clientMain();
else
  main().catch(err => {
    console.error(err);
    process.exit(1);
  });
