/**
 * xDS server benchmark: 100 concurrent delta ADS streams on one Gateway's snapshot of 10k
 * HTTPRoutes (bench/generate.ts, every route attached to one Gateway, through the real pipeline).
 *
 * The server runs in this process; the 100 clients run in a child process, each on its own
 * connection, and behave like Envoy: wildcard CDS and LDS, then EDS for every cluster and RDS for
 * the listener's route table, ACKing every response. Measured (medians over several runs):
 *   - initial sync: from the first request until all 100 streams hold CDS, EDS, LDS and RDS;
 *   - a one-HTTPRoute change and a one-EndpointSlice change: from the snapshot being set until all
 *     100 streams received it, with the bytes the server sent (per stream, against the snapshot);
 *   - the server process's peak RSS.
 *
 *   npm run bench:xds [-- <routes> <streams> <runs>]
 */
import { fork } from "node:child_process";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as grpc from "@grpc/grpc-js";
import type { KubeObject } from "../src/apis";
import { loadConfig } from "../src/config";
import { Pipeline } from "../src/pipeline";
import { storeFromObjects } from "../src/store/objects";
import { translate } from "../src/translate";
import { SnapshotCache } from "../src/xds/cache";
import { XdsServer } from "../src/xds/server";
import { adsServiceDefinition } from "../src/xds/server/service";
import { type Snapshot, TypeUrl } from "../src/xds/types";
import { generateWorld, route } from "./generate";

setFlagsFromString("--expose_gc");
/** A full garbage collection (the bench separates the pipeline's garbage from the server's memory). */
const gc = runInNewContext("gc") as () => void;
const now = (): number => performance.timeOrigin + performance.now();
const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const GATEWAY = "bench/gw-0";
const TYPES = [TypeUrl.Cluster, TypeUrl.Endpoint, TypeUrl.Listener, TypeUrl.Route];

// ---------------------------------------------------------------- clients (child process)

type ToClient = { op: "sync"; port: number; streams: number; routeConfigs: string[] } | { op: "expect"; type: string } | { op: "close" };
type ToServer = { op: "synced"; start: number; end: number } | { op: "armed" } | { op: "received"; last: number } | { op: "closed" };

/**
 * Each client on its own connection, with Envoy's default HTTP/2 flow-control windows (256 MiB
 * per stream and connection; gRPC's own default of 64 KiB would make the bench measure window
 * updates, not the server).
 */
const CLIENT_OPTIONS: grpc.ChannelOptions = {
  "grpc.use_local_subchannel_pool": 1,
  "grpc.max_receive_message_length": -1,
  "grpc-node.flow_control_window": 256 * 1024 * 1024,
};

function varint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 1;
  for (;;) {
    const b = buf[at++];
    value += (b & 0x7f) * shift;
    if (b < 0x80) return [value, at];
    shift *= 128;
  }
}

/**
 * Reads a DeltaDiscoveryResponse's type_url (4), nonce (5) and, when asked, its resource names
 * (2 → Resource.name 3) without decoding the resources: the clients must not be the bottleneck.
 */
function scan(buf: Buffer, names: boolean): { typeUrl: string; nonce: string; names: string[] } {
  const out = { typeUrl: "", nonce: "", names: [] as string[] };
  let at = 0;
  while (at < buf.length) {
    let tag: number;
    [tag, at] = varint(buf, at);
    const wire = tag & 7;
    if (wire === 0) [, at] = varint(buf, at);
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else {
      let len: number;
      [len, at] = varint(buf, at);
      const field = Math.floor(tag / 8);
      if (field === 4) out.typeUrl = buf.toString("utf8", at, at + len);
      else if (field === 5) out.nonce = buf.toString("utf8", at, at + len);
      else if (field === 2 && names) out.names.push(resourceName(buf.subarray(at, at + len)));
      at += len;
    }
  }
  return out;
}

/** Resource.name (field 3) of an encoded discovery Resource. */
function resourceName(buf: Buffer): string {
  let at = 0;
  while (at < buf.length) {
    let tag: number;
    [tag, at] = varint(buf, at);
    let len: number;
    [len, at] = varint(buf, at);
    if (tag === ((3 << 3) | 2)) return buf.toString("utf8", at, at + len);
    at += len;
  }
  return "";
}

function clientMain(): void {
  const definition = { ...adsServiceDefinition() };
  definition.DeltaAggregatedResources = { ...definition.DeltaAggregatedResources, responseDeserialize: (b: Buffer) => b };
  const Client = grpc.makeGenericClientConstructor(definition, "ADS");
  let clients: grpc.Client[] = [];
  let calls: grpc.ClientDuplexStream<unknown, Buffer>[] = [];
  let waiting: { type: string; pending: number } | undefined;
  const send = (m: ToServer): void => void process.send?.(m);

  const sync = (port: number, streams: number, routeConfigs: string[]): void => {
    let done = 0;
    const start = now();
    for (let i = 0; i < streams; i++) {
      const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), CLIENT_OPTIONS) as grpc.Client & Record<string, () => grpc.ClientDuplexStream<unknown, Buffer>>;
      const call = client.DeltaAggregatedResources();
      clients.push(client);
      calls.push(call);
      const seen = new Set<string>();
      call.on("data", (raw: unknown) => {
        const res = scan(raw as Buffer, !seen.has(TypeUrl.Cluster));
        call.write({ typeUrl: res.typeUrl, responseNonce: res.nonce });
        if (res.typeUrl === TypeUrl.Cluster && !seen.has(res.typeUrl)) call.write({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: res.names });
        if (res.typeUrl === TypeUrl.Listener && !seen.has(res.typeUrl)) call.write({ typeUrl: TypeUrl.Route, resourceNamesSubscribe: routeConfigs });
        if (!seen.has(res.typeUrl)) {
          seen.add(res.typeUrl);
          if (TYPES.every(t => seen.has(t)) && ++done === streams) send({ op: "synced", start, end: now() });
          return;
        }
        if (waiting && res.typeUrl === waiting.type && --waiting.pending === 0) send({ op: "received", last: now() });
      });
      call.on("error", () => undefined);
      call.write({ node: { id: `${GATEWAY}/envoy-${i}`, cluster: GATEWAY }, typeUrl: TypeUrl.Cluster });
      call.write({ typeUrl: TypeUrl.Listener });
    }
  };

  process.on("message", (m: ToClient) => {
    if (m.op === "sync") sync(m.port, m.streams, m.routeConfigs);
    else if (m.op === "expect") {
      waiting = { type: m.type, pending: calls.length };
      send({ op: "armed" });
    }
    else {
      for (const c of calls) c.cancel();
      for (const c of clients) c.close();
      calls = [];
      clients = [];
      send({ op: "closed" });
    }
  });
}

// ---------------------------------------------------------------- server (this process)

/** bench/generate.ts's world with every HTTPRoute attached to the first Gateway. */
function world(routes: number): KubeObject[] {
  return generateWorld(routes).map(o => (o.kind === "HTTPRoute" ? ({ ...o, spec: { ...(o as KubeObject & { spec: object }).spec, parentRefs: [{ name: "gw-0" }] } } as KubeObject) : o));
}

function snapshotBytes(s: Snapshot): number {
  let n = 0;
  for (const m of s.resources.values()) for (const r of m.values()) n += r.bytes.length;
  return n;
}

function nextMessage<T extends ToServer["op"]>(child: ReturnType<typeof fork>, op: T): Promise<Extract<ToServer, { op: T }>> {
  return new Promise(resolve => {
    const on = (m: ToServer): void => {
      if (m.op !== op) return;
      child.off("message", on);
      resolve(m as Extract<ToServer, { op: T }>);
    };
    child.on("message", on);
  });
}

interface Bench {
  streams: number;
  runs: number;
  objects: KubeObject[];
  pipeline: Pipeline;
  snapshot: Snapshot;
  cache: SnapshotCache;
  server: XdsServer;
  port: number;
  child: ReturnType<typeof fork>;
  /** Peak RSS while serving (the pipeline's garbage collected before each push). */
  peak: number;
}

function sampleRss(b: Bench): () => void {
  const timer = setInterval(() => (b.peak = Math.max(b.peak, process.memoryUsage().rss)), 10);
  return () => clearInterval(timer);
}

async function setup(routes: number, streams: number, runs: number): Promise<Bench> {
  const objects = world(routes);
  const pipeline = new Pipeline(loadConfig({}), translate);
  const t = now();
  const first = pipeline.update(storeFromObjects(objects).store);
  const snapshot = first.snapshots.get(GATEWAY);
  if (!snapshot) throw new Error(`no snapshot for ${GATEWAY}: ${JSON.stringify(first.problems.slice(0, 3))}`);
  const counts = [...snapshot.resources].map(([k, m]) => `${m.size} ${k.slice(k.lastIndexOf(".") + 1)}`).join(", ");
  console.log(`  pipeline (full build): ${(now() - t).toFixed(0)} ms; snapshot: ${counts}; ${(snapshotBytes(snapshot) / 1048576).toFixed(2)} MiB encoded`);
  gc();
  console.log(`  server process RSS before serving (pipeline state included): ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
  const cache = new SnapshotCache();
  cache.set(snapshot);
  const server = new XdsServer({ cache });
  const port = await server.listen("127.0.0.1:0");
  const child = fork(__filename, ["--client"], { stdio: "inherit" });
  return { streams, runs, objects, pipeline, snapshot, cache, server, port, child, peak: 0 };
}

async function measureSync(b: Bench): Promise<void> {
  const routeConfigs = [...(b.snapshot.resources.get(TypeUrl.Route)?.keys() ?? [])];
  const times: number[] = [];
  const cpus: number[] = [];
  const stop = sampleRss(b);
  for (let i = 0; i < b.runs; i++) {
    const cpu = process.cpuUsage();
    b.child.send({ op: "sync", port: b.port, streams: b.streams, routeConfigs } satisfies ToClient);
    const m = await nextMessage(b.child, "synced");
    times.push(m.end - m.start);
    cpus.push(cpuMs(process.cpuUsage(cpu)));
    if (i < b.runs - 1) {
      b.child.send({ op: "close" } satisfies ToClient);
      await nextMessage(b.child, "closed");
    }
  }
  stop();
  console.log(`  initial sync of ${b.streams} streams: median ${median(times).toFixed(0)} ms (runs: ${times.map(x => x.toFixed(0)).join(", ")}; target <= 1000 ms); server CPU ${median(cpus).toFixed(0)} ms`);
}

async function measureChange(b: Bench, what: string, type: TypeUrl, edit: (variant: number) => void): Promise<void> {
  const times: number[] = [];
  const bytes: number[] = [];
  const pipelineMs: number[] = [];
  const cpus: number[] = [];
  for (let v = 1; v <= b.runs; v++) {
    edit(v);
    const t = now();
    const next = b.pipeline.update(storeFromObjects(b.objects).store).snapshots.get(GATEWAY) as Snapshot;
    pipelineMs.push(now() - t);
    gc(); // the pipeline's garbage is not the server's
    b.child.send({ op: "expect", type } satisfies ToClient);
    await nextMessage(b.child, "armed");
    const sent = b.server.metrics.bytes.get(`delta|${type}`) ?? 0;
    const cpu = process.cpuUsage();
    const stop = sampleRss(b);
    const setAt = now();
    b.cache.set(next);
    const m = await nextMessage(b.child, "received");
    stop();
    times.push(m.last - setAt);
    cpus.push(cpuMs(process.cpuUsage(cpu)));
    bytes.push(((b.server.metrics.bytes.get(`delta|${type}`) ?? 0) - sent) / b.streams);
  }
  console.log(`  ${what}: delivered to all ${b.streams} streams in median ${median(times).toFixed(1)} ms (runs: ${times.map(x => x.toFixed(1)).join(", ")}; target <= 100 ms); server CPU ${median(cpus).toFixed(1)} ms`);
  console.log(`    bytes sent per stream: median ${median(bytes).toFixed(0)} (whole snapshot: ${snapshotBytes(b.snapshot)}); pipeline update: median ${median(pipelineMs).toFixed(1)} ms`);
}

async function main(): Promise<void> {
  const [routes = 10_000, streams = 100, runs = 5] = process.argv.slice(2).filter(a => /^\d+$/.test(a)).map(Number);
  console.log(`xDS bench: ${routes} HTTPRoutes on one Gateway, ${streams} delta ADS streams, ${runs} runs`);
  const b = await setup(routes, streams, runs);
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
  console.log(`  server process peak RSS while serving: ${(b.peak / 1048576).toFixed(0)} MiB (target <= 400 MiB)`);
  b.child.send({ op: "close" } satisfies ToClient);
  await nextMessage(b.child, "closed");
  b.child.disconnect();
  await b.server.stop(500);
}

if (process.argv.includes("--client")) clientMain();
else
  main().catch(err => {
    console.error(err);
    process.exit(1);
  });
