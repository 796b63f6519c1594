/**
 * Translate/render/encode benchmark on synthetic worlds (bench/generate.ts): N HTTPRoutes with 2
 * rules each (header and path matches, 1-3 weighted backends) over 10 Gateways, N/2 Services
 * with EndpointSlices. Each N runs in a process of its own and prints, as medians of wall and
 * CPU time (CPU includes the garbage collector's threads):
 *
 * - the full pipeline (a new Pipeline's first update), and the same work stage by stage:
 *   translate, render, encode (strict encoding and snapshots);
 * - peak RSS after one full pipeline (the target), and after the whole bench (several pipelines'
 *   worth of garbage);
 * - incremental updates of one Pipeline: one HTTPRoute changed, and one Service or EndpointSlice
 *   changed; after each series, whether the result equals a fresh pipeline's (snapshots byte
 *   for byte, status and problems).
 *
 *   npm run bench:translate [-- 1000 10000]
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import type { KubeObject } from "../src/apis";
import { loadConfig } from "../src/config";
import { Pipeline, type PipelineResult } from "../src/pipeline";
import { RenderCache } from "../src/pipeline/cache";
import type { Store } from "../src/store";
import { storeFromObjects } from "../src/store/objects";
import { translate } from "../src/translate";
import { renderGateway } from "../src/xds/render";
import { buildSnapshot } from "../src/xds/snapshot";
import { generateWorld, route } from "./generate";

const config = loadConfig({});
const TARGETS_MS: Record<number, number> = { 1000: 100, 10000: 1000 };
const INCREMENTAL_TARGET_MS = 30;
const RSS_TARGET_MIB = 500;

interface Sample {
  wall: number;
  cpu: number;
}

function measure<T>(fn: () => T): { sample: Sample; value: T } {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { sample: { wall, cpu: (cpu.user + cpu.system) / 1000 }, value };
}

function median(samples: Sample[]): Sample {
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wall: mid(samples.map(s => s.wall)), cpu: mid(samples.map(s => s.cpu)) };
}

/** Why two results differ (undefined when they are the same, snapshot bytes included). */
function difference(a: PipelineResult, b: PipelineResult): string | undefined {
  if (JSON.stringify(a.status) !== JSON.stringify(b.status)) return "status differs";
  if (JSON.stringify(a.problems) !== JSON.stringify(b.problems)) return "problems differ";
  if (a.snapshots.size !== b.snapshots.size) return `${a.snapshots.size} vs ${b.snapshots.size} gateways`;
  for (const [key, snap] of a.snapshots) {
    const other = b.snapshots.get(key);
    if (!other) return `gateway ${key} missing`;
    if (other.version !== snap.version) return `gateway ${key}: version ${snap.version} vs ${other.version}`;
    for (const [type, resources] of snap.resources) {
      const others = other.resources.get(type)!;
      if (others.size !== resources.size) return `gateway ${key}: ${type} count differs`;
      for (const [name, r] of resources) {
        const o = others.get(name);
        if (!o || !Buffer.from(r.bytes).equals(Buffer.from(o.bytes))) return `gateway ${key}: ${type} ${name} bytes differ`;
      }
    }
  }
  return undefined;
}

/** The pipeline's full build, and the same work one stage at a time. */
function full(store: Store, runs: number) {
  const s = { translate: [] as Sample[], render: [] as Sample[], encode: [] as Sample[], pipeline: [] as Sample[] };
  let routes = 0;
  for (let i = 0; i < runs; i++) {
    const tr = measure(() => translate.incremental()({ store, config }));
    const cache = new RenderCache();
    const rendered = measure(() => tr.value.ir.gateways.map(gw => renderGateway(gw, cache)));
    const encoded = measure(() => rendered.value.map(r => buildSnapshot(r, cache.encode)));
    const pipeline = measure(() => new Pipeline(config, translate).update(store));
    if (pipeline.value.problems.length > 0) throw new Error(`pipeline problems: ${JSON.stringify(pipeline.value.problems.slice(0, 3))}`);
    routes = tr.value.ir.gateways.reduce((n, gw) => n + gw.routeConfigs.reduce((m, rc) => m + rc.virtualHosts.reduce((k, vh) => k + vh.routes.length, 0), 0), 0);
    s.translate.push(tr.sample);
    s.render.push(rendered.sample);
    s.encode.push(encoded.sample);
    s.pipeline.push(pipeline.sample);
  }
  return { translate: median(s.translate), render: median(s.render), encode: median(s.encode), pipeline: median(s.pipeline), routes };
}

type Change = (store: Store, i: number) => Store;

/** One HTTPRoute at a time: a new path prefix and generation. */
const routeChange = (n: number): Change => (store, i) => store.with("HTTPRoute", route((i * 7919) % n, Math.max(1, Math.floor(n / 2)), i + 1) as KubeObject);

/** One Service or EndpointSlice at a time: a slice's endpoints, or a Service's port name. */
function serviceChange(store0: Store): Change {
  const slices = store0.list("EndpointSlice");
  const services = store0.list("Service");
  return (store, i) => {
    if (i % 2 === 0) {
      const slice = slices[(i * 37) % slices.length];
      return store.with("EndpointSlice", { ...slice, endpoints: [{ addresses: [`10.200.${(i >> 8) & 255}.${i & 255}`], conditions: { ready: true } }] } as KubeObject);
    }
    const svc = services[(i * 53) % services.length] as KubeObject & { spec: { ports: Array<Record<string, unknown>> } };
    return store.with("Service", { ...svc, spec: { ...svc.spec, ports: svc.spec.ports.map(p => ({ ...p, appProtocol: i % 4 === 1 ? "kubernetes.io/h2c" : undefined })) } } as KubeObject);
  };
}

function incremental(store: Store, change: Change, changes: number) {
  const pipeline = new Pipeline(config, translate);
  pipeline.update(store);
  const samples: Sample[] = [];
  let current = store;
  let last: PipelineResult | undefined;
  for (let i = 0; i < changes; i++) {
    const next = (current = change(current, i));
    const step = measure(() => pipeline.update(next));
    samples.push(step.sample);
    last = step.value;
  }
  const mismatch = difference(last!, new Pipeline(config, translate).update(current));
  return { ...median(samples), max: Math.max(...samples.map(s => s.wall)), mismatch };
}

function runOne(n: number): void {
  const { store } = storeFromObjects(generateWorld(n));
  new Pipeline(config, translate).update(store); // also the warm-up: JIT and proto type caches
  const coldRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  const result = {
    n,
    ...full(store, n >= 10_000 ? 5 : 9),
    coldRssMiB,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    route: incremental(store, routeChange(n), 21),
    service: incremental(store, serviceChange(store), 21),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const ms = (s: Sample) => `${s.wall.toFixed(1)} ms (CPU ${s.cpu.toFixed(1)} ms)`;
const verdict = (value: number, target: number) => (value <= target ? "ok" : "MISSED");

function report(r: ReturnType<typeof JSON.parse>): boolean {
  const target = TARGETS_MS[r.n];
  console.log(
    `N=${r.n} (${r.routes} Envoy routes): full pipeline ${ms(r.pipeline)}${target ? ` [target ${target} ms: ${verdict(r.pipeline.wall, target)}]` : ""}; ` +
      `by stage: translate ${ms(r.translate)}, render ${ms(r.render)}, encode ${ms(r.encode)}; ` +
      `peak RSS after one full pipeline ${r.coldRssMiB} MiB [target ${RSS_TARGET_MIB}: ${verdict(r.coldRssMiB, RSS_TARGET_MIB)}], ` +
      `after the whole bench ${r.peakRssMiB} MiB`,
  );
  let same = true;
  for (const [label, inc] of [["one HTTPRoute changed", r.route], ["one Service or EndpointSlice changed", r.service]] as const) {
    const targetNote = label.includes("HTTPRoute") ? ` [target ${INCREMENTAL_TARGET_MS} ms: ${verdict(inc.wall, INCREMENTAL_TARGET_MS)}]` : "";
    console.log(`  incremental, ${label}: ${ms(inc)}, max ${inc.max.toFixed(1)} ms${targetNote}; equals a full rebuild: ${inc.mismatch ? `NO (${inc.mismatch})` : "yes"}`);
    if (inc.mismatch) same = false;
  }
  return same;
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === "--one") return runOne(Number(args[1]));
  const sizes = args.length > 0 ? args.map(Number) : [1000, 10_000];
  console.log(`bench:translate on ${cpus().length} CPUs, load average ${loadavg().map(l => l.toFixed(2)).join(" ")}; medians, wall (CPU)`);
  for (const n of sizes) {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, "--one", String(n)], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (child.status !== 0) {
      console.error(child.stderr);
      process.exitCode = 1;
      continue;
    }
    if (!report(JSON.parse(child.stdout.trim().split("\n").pop()!))) process.exitCode = 1;
  }
  console.log(`load average after: ${loadavg().map(l => l.toFixed(2)).join(" ")}`);
}

main();
