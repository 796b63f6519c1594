/**
 * Controller benchmark: the module's watcher, run as Pepr runs it, against the test API server.
 * A world of 10 Gateways and 500 Services (with EndpointSlices) is applied first; then 1,000
 * HTTPRoutes are created in one burst with `kubectl create`. Reported per run, and as medians:
 *
 *   status    time from the start of the burst until every route's status has been written
 *             (the time `kubectl create` itself took is reported too: the controller works during it)
 *   xds       time until every Gateway's published RouteConfiguration has all its routes (read
 *             over ADS with the Gateway's client certificate)
 *   writes    status PATCHes to HTTPRoutes (goal: one per route) and in total
 *   rss       the watcher's peak resident memory (VmHWM; goal: at most 150 MiB)
 *
 *   npm run bench:controller [-- runs]
 */
import { readFileSync } from "node:fs";
import YAML from "yaml";
import type { KubeObject } from "../src/apis";
import { generateWorld, GATEWAY_COUNT } from "./generate";
import { TypeUrl, type TestStream } from "../test/integration/xds/helpers";
import { buildModule, kubectlOk, startCluster, type TestApiServer } from "../test/e2e/helpers";
import { logged, mtlsClient, startWatcher, waitFor } from "../test/e2e/watcher-helpers";

const ROUTES = 1000;
const RUNS = Number(process.argv[2] ?? 1);

interface Result {
  /** How long `kubectl create` of the 1,000 routes took (the burst itself). */
  createMs: number;
  statusMs: number;
  xdsMs: number;
  routeWrites: number;
  allWrites: number;
  rssMiB: number;
}

function strip(obj: KubeObject): KubeObject {
  const meta = { ...obj.metadata };
  delete meta.generation;
  delete meta.creationTimestamp;
  return { ...obj, metadata: meta };
}

function toYaml(objs: KubeObject[]): string {
  return objs.map(o => YAML.stringify(strip(o))).join("---\n");
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function currentRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Counts routes whose status was written (a successful status PATCH), scanning new requests only. */
function statusCounter(server: TestApiServer, from: number): () => number {
  const done = new Set<string>();
  let next = from;
  return () => {
    for (; next < server.requests.length; next++) {
      const r = server.requests[next];
      if (r.code === undefined) break; // not answered yet: look again next time
      const m = /\/httproutes\/([^/]+)\/status$/.exec(r.path);
      if (m && r.method === "PATCH" && r.code === 200) done.add(m[1]);
    }
    return done.size;
  };
}

/** Follows one Gateway's RouteConfiguration over SotW ADS; `hosts()` is its latest virtual host count. */
function follow(stream: TestStream, gateway: string): { hosts: () => number } {
  let hosts = 0;
  const names = [`${gateway}/80`];
  stream.send({ node: { id: `${gateway}/bench`, cluster: gateway }, typeUrl: TypeUrl.Route, resourceNames: names });
  void (async () => {
    while (!stream.ended && !stream.error) {
      const res = await stream.next(600_000).catch(() => undefined);
      if (!res) return;
      stream.send({ typeUrl: TypeUrl.Route, resourceNames: names, versionInfo: res.versionInfo, responseNonce: res.nonce });
      hosts = res.resources.reduce((n, r) => n + ((r.message.virtualHosts as unknown[] | undefined)?.length ?? 0), 0);
    }
  })();
  return { hosts: () => hosts };
}

async function run(outDir: string): Promise<Result> {
  const server = await startCluster();
  const world = generateWorld(ROUTES);
  const routes = world.filter(o => o.kind === "HTTPRoute");
  const rest = world.filter(o => o.kind !== "HTTPRoute");
  const namespaces = ["pepr-system", "bench"].map(name => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } }));
  await kubectlOk(server, ["create", "-f", "-"], { input: toYaml(namespaces) });
  await kubectlOk(server, ["create", "-f", "-"], { input: toYaml(rest) });
  const watcher = await startWatcher(server, outDir);
  try {
    await waitFor(() => server.object("v1", "Secret", "envoy-gw-9-xds-tls", "bench"), "the data planes", 300_000);
    const streams: TestStream[] = [];
    const followers: Array<{ hosts: () => number }> = [];
    for (let g = 0; g < GATEWAY_COUNT; g++) {
      const client = mtlsClient(server, watcher.xdsPort, "bench", `envoy-gw-${g}-xds-tls`);
      const stream = client.sotw();
      streams.push(stream);
      followers.push(follow(stream, `bench/gw-${g}`));
    }
    const before = server.requests.length;
    const t0 = Date.now();
    const rssBefore = currentRssMiB(watcher.proc.child.pid!);
    await kubectlOk(server, ["create", "-f", "-"], { input: toYaml(routes) });
    const createdMs = Date.now() - t0;
    let xdsMs = 0;
    const xdsDone = waitFor(() => followers.every(f => f.hosts() >= ROUTES / GATEWAY_COUNT), "every route over xDS", 600_000).then(() => (xdsMs = Date.now() - t0));
    const routesWithStatus = statusCounter(server, before);
    await waitFor(() => routesWithStatus() === ROUTES, "status on every route", 600_000);
    const statusMs = Date.now() - t0;
    await xdsDone;
    // Let trailing writes land before counting.
    await new Promise(r => setTimeout(r, 2_000));
    const patches = server.requests.slice(before).filter(r => r.method === "PATCH" && r.path.endsWith("/status"));
    const result = {
      createMs: createdMs,
      statusMs,
      xdsMs,
      routeWrites: patches.filter(r => r.path.includes("/httproutes/")).length,
      allWrites: patches.length,
      rssMiB: peakRssMiB(watcher.proc.child.pid!),
    };
    for (const s of streams) s.close();
    const rebuilds = logged(watcher.proc, "rebuilt") as Array<{ ms?: number; rssMiB?: number; heapMiB?: number }>;
    if (process.env.BENCH_VERBOSE) {
      console.log(`  kubectl create took ${createdMs} ms; RSS before the burst ${rssBefore.toFixed(1)} MiB; ${rebuilds.length} rebuilds (ms/rss/heap): ${rebuilds.map(r => `${r.ms}/${r.rssMiB}/${r.heapMiB}`).join(" ")}`);
    }
    return result;
  } finally {
    await watcher.proc.stop();
    await server.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const outDir = await buildModule();
  const results: Result[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await run(outDir);
    results.push(r);
    console.log(
      `run ${i + 1}: kubectl create ${r.createMs} ms; status on all ${ROUTES} routes ${r.statusMs} ms (${r.statusMs - r.createMs} after the burst), ` +
        `xDS ${r.xdsMs} ms (${r.xdsMs - r.createMs} after), ` +
        `status writes ${r.routeWrites} to routes (${(r.routeWrites / ROUTES).toFixed(2)} per route), ${r.allWrites} in total, peak RSS ${r.rssMiB.toFixed(1)} MiB`,
    );
  }
  const pick = (k: keyof Result) => median(results.map(r => r[k]));
  console.log(
    `median of ${RUNS}: kubectl create ${pick("createMs")} ms, status ${pick("statusMs")} ms, xDS ${pick("xdsMs")} ms, route status writes ${pick("routeWrites")}, ` +
      `all status writes ${pick("allWrites")}, peak RSS ${pick("rssMiB").toFixed(1)} MiB (goal <= 150)`,
  );
}

main().then(
  () => process.exit(0),
  err => {
    console.error(err);
    process.exit(1);
  },
);
