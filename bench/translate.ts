/**
 * Translate/render/encode benchmark on synthetic worlds (bench/generate.ts): N HTTPRoutes with 2
 * rules each (header and path matches, 1-3 weighted backends) over 10 Gateways, N/2 Services
 * with EndpointSlices. Per N it prints median times of the stages and of the whole pipeline, and
 * the peak RSS of a process that did only that N. At the largest N it also changes one HTTPRoute
 * at a time and times the next pipeline update (incremental), then checks that the incremental
 * result equals a fresh pipeline's, byte for byte.
 *
 *   npm run bench:translate [-- 1000 10000]
 */
import { spawnSync } from "node:child_process";
import type { KubeObject } from "../src/apis";
import { loadConfig } from "../src/config";
import { Pipeline } from "../src/pipeline";
import type { Store } from "../src/store";
import { storeFromObjects } from "../src/store/objects";
import { translate } from "../src/translate";
import { renderGateway } from "../src/xds/render";
import { buildSnapshot } from "../src/xds/snapshot";
import type { GatewayResources, Snapshot } from "../src/xds/types";
import { generateWorld, route } from "./generate";

const config = loadConfig({});
const TARGETS_MS: Record<number, number> = { 1000: 100, 10000: 1000 };
const INCREMENTAL_TARGET_MS = 30;
const RSS_TARGET_MIB = 500;

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

function sameSnapshots(a: ReadonlyMap<string, Snapshot>, b: ReadonlyMap<string, Snapshot>): string | undefined {
  if (a.size !== b.size) return `${a.size} vs ${b.size} gateways`;
  for (const [key, snap] of a) {
    const other = b.get(key);
    if (!other) return `gateway ${key} missing`;
    if (other.version !== snap.version) return `gateway ${key}: version ${snap.version} vs ${other.version}`;
    for (const [type, resources] of snap.resources) {
      const others = other.resources.get(type)!;
      if (others.size !== resources.size) return `gateway ${key}: ${type} count differs`;
      for (const [name, r] of resources) {
        if (!Buffer.from(r.bytes).equals(Buffer.from(others.get(name)!.bytes))) return `gateway ${key}: ${type} ${name} bytes differ`;
      }
    }
  }
  return undefined;
}

/** translate, timed: the pipeline's own share is its total less this. */
let translateMs = 0;
const timedTranslate: typeof translate = ctx => {
  const r = time(() => translate(ctx));
  translateMs += r.ms;
  return r.value;
};

function stages(store: Store, runs: number) {
  const t = { translate: [] as number[], render: [] as number[], encode: [] as number[], pipeline: [] as number[], ownMs: [] as number[] };
  let routes = 0;
  for (let i = 0; i < runs; i++) {
    const tr = time(() => translate({ store, config }));
    const rendered = time(() => tr.value.ir.gateways.map(gw => renderGateway(gw)));
    const encoded = time(() => rendered.value.map((r: GatewayResources) => buildSnapshot(r)));
    translateMs = 0;
    const full = time(() => new Pipeline(config, timedTranslate).update(store));
    t.ownMs.push(full.ms - translateMs);
    if (full.value.problems.length > 0) throw new Error(`pipeline problems: ${JSON.stringify(full.value.problems.slice(0, 3))}`);
    routes = tr.value.ir.gateways.reduce((n, gw) => n + gw.routeConfigs.reduce((m, rc) => m + rc.virtualHosts.reduce((k, vh) => k + vh.routes.length, 0), 0), 0);
    void encoded;
    t.translate.push(tr.ms);
    t.render.push(rendered.ms);
    t.encode.push(encoded.ms);
    t.pipeline.push(full.ms);
  }
  return { t, routes };
}

function incremental(store: Store, n: number, changes: number) {
  const serviceCount = Math.max(1, Math.floor(n / 2));
  const pipeline = new Pipeline(config, timedTranslate);
  pipeline.update(store);
  const samples: number[] = [];
  const own: number[] = [];
  let current = store;
  let last;
  for (let i = 0; i < changes; i++) {
    const r = (i * 7919) % n;
    current = current.with("HTTPRoute", route(r, serviceCount, i + 1) as KubeObject);
    const next = current;
    translateMs = 0;
    const step = time(() => pipeline.update(next));
    samples.push(step.ms);
    own.push(step.ms - translateMs);
    last = step.value;
  }
  const fresh = new Pipeline(config, translate).update(current);
  const mismatch = sameSnapshots(last!.snapshots, fresh.snapshots);
  return { median: median(samples), max: Math.max(...samples), renderEncodeMs: median(own), mismatch };
}

function runOne(n: number): void {
  const objects = generateWorld(n);
  const { store } = storeFromObjects(objects);
  const runs = n >= 10_000 ? 3 : 7;
  const cold = time(() => new Pipeline(config, translate).update(store));
  const coldRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  void cold;
  stages(store, 1); // warm-up: JIT and proto type caches
  const { t, routes } = stages(store, runs);
  const result: Record<string, unknown> = {
    n,
    envoyRoutes: routes,
    translateMs: median(t.translate),
    renderMs: median(t.render),
    encodeMs: median(t.encode),
    pipelineMs: median(t.pipeline),
    pipelineOwnMs: median(t.ownMs),
    coldRssMiB,
  };
  if (n >= 10_000) result.incremental = incremental(store, n, 15);
  result.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === "--one") return runOne(Number(args[1]));
  const sizes = args.length > 0 ? args.map(Number) : [1000, 10_000];
  console.log(`bench:translate on ${require("node:os").cpus().length} CPUs, medians`);
  for (const n of sizes) {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, "--one", String(n)], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (child.status !== 0) {
      console.error(child.stderr);
      process.exitCode = 1;
      continue;
    }
    const r = JSON.parse(child.stdout.trim().split("\n").pop()!);
    const target = TARGETS_MS[n];
    console.log(
      `N=${n} (${r.envoyRoutes} Envoy routes): translate ${r.translateMs.toFixed(1)} ms, render ${r.renderMs.toFixed(1)} ms, ` +
        `encode+snapshot ${r.encodeMs.toFixed(1)} ms; pipeline ${r.pipelineMs.toFixed(1)} ms ` +
        `(of which render+encode with reuse ${r.pipelineOwnMs.toFixed(1)} ms)` +
        (target ? ` (target ${target} ms: ${r.pipelineMs <= target ? "ok" : "MISSED"})` : "") +
        `; peak RSS after one full pipeline ${r.coldRssMiB} MiB (target ${RSS_TARGET_MIB}: ${r.coldRssMiB <= RSS_TARGET_MIB ? "ok" : "MISSED"}), ` +
        `after the whole bench ${r.peakRssMiB} MiB`,
    );
    if (r.incremental) {
      const inc = r.incremental;
      console.log(
        `  incremental (one HTTPRoute changed): median ${inc.median.toFixed(1)} ms, max ${inc.max.toFixed(1)} ms, ` +
          `of which render+encode with reuse ${inc.renderEncodeMs.toFixed(1)} ms ` +
          `(target ${INCREMENTAL_TARGET_MS} ms: ${inc.median <= INCREMENTAL_TARGET_MS ? "ok" : "MISSED"}); ` +
          `equals a full rebuild: ${inc.mismatch ? `NO (${inc.mismatch})` : "yes"}`,
      );
      if (inc.mismatch) process.exitCode = 1;
    }
  }
}

main();
