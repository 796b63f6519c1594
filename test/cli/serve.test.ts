/**
 * `peg serve` in-process: status table, admission denials, the HTTP endpoints, ADS over real
 * gRPC, rebuilds on file changes (debounced), a broken file keeping its last good content, a
 * removed Gateway, clean stop; and the debouncer with injected timers.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Debouncer, type ServeIO, StandaloneServer, type Timers, runServe } from "../../src/cli/serve";
import { TestClient, TypeUrl, until } from "../integration/xds/helpers";

const EXAMPLE = readFileSync(join(__dirname, "../../manifests/examples/external-https.yaml"), "utf8");
const UNSAFE = readFileSync(join(__dirname, "../../manifests/examples/unsafe/backend-loopback-ip.yaml"), "utf8");

function capture(): ServeIO & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: l => outLines.push(l), err: l => errLines.push(l), env: {} };
}

let dir: string;
let server: StandaloneServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function world(): string {
  dir = mkdtempSync(join(tmpdir(), "peg-serve-"));
  writeFileSync(join(dir, "example.yaml"), EXAMPLE);
  writeFileSync(join(dir, "unsafe.yaml"), UNSAFE);
  return dir;
}

describe("peg serve", () => {
  it("serves, prints status and denials, answers HTTP and ADS, follows file changes", async () => {
    const io = capture();
    server = new StandaloneServer({ files: [world()], xdsAddress: "127.0.0.1:0", httpAddress: "127.0.0.1:0", debounceMs: 50, maxDelayMs: 200 }, io);
    const { xdsPort, httpPort } = await server.start();
    const out = io.outLines.join("\n");
    expect(out).toMatch(/Gateway default\/eg\s+Programmed\s+True/);
    expect(out).toMatch(/HTTPRoute default\/httpbin\s+parent eg\s+Accepted\s+True/);
    expect(out).toContain("serving default/eg version");
    expect(io.errLines.some(l => l.includes("denied Backend") && l.includes("unsafe.yaml"))).toBe(true);
    expect(out).not.toMatch(/Backend default\/loopback/);

    const version = server.cache.get("default/eg")?.version as string;
    const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, "ok\n"]);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toContain(`peg_xds_snapshot_info{gateway="default/eg",version="${version}"} 1`);
    expect(metrics).toMatch(/peg_translate_duration_seconds_count 1/);
    const dump = (await (await fetch(`http://127.0.0.1:${httpPort}/config_dump?type=cluster`)).json()) as Record<string, any>;
    expect(dump.xds["default/eg"]["@type"]).toBe("type.googleapis.com/envoy.admin.v3.ClustersConfigDump");
    expect(dump.resources.find((r: any) => r.kind === "Gateway").status.conditions.map((c: any) => c.type)).toContain("Programmed");

    const client = new TestClient(xdsPort);
    const s = client.delta();
    s.send({ node: { id: "default/eg/envoy", cluster: "default/eg" }, typeUrl: TypeUrl.Listener });
    const lds = await s.next();
    expect(lds.resources.map(r => r.name)).toEqual([...(server.cache.get("default/eg")?.resources.get(TypeUrl.Listener)?.keys() ?? [])]);
    s.send({ typeUrl: TypeUrl.Listener, responseNonce: lds.nonce });

    // A changed manifest is picked up and pushed.
    writeFileSync(join(dir, "example.yaml"), EXAMPLE.replace(/port: 80\n/, "port: 8080\n"));
    const update = await s.next();
    expect(update.resources.length + (update.removedResources?.length ?? 0)).toBeGreaterThan(0);
    expect(server.cache.get("default/eg")?.version).not.toBe(version);
    const changed = server.cache.get("default/eg")?.version;

    // A file that does not parse is reported; its last good content stays.
    writeFileSync(join(dir, "example.yaml"), "kind: [unclosed\n");
    await until(() => io.errLines.some(l => l.includes("example.yaml") && l.includes("last good content")), "the parse error report");
    expect(server.cache.get("default/eg")?.version).toBe(changed);

    // Removing the file removes the Gateway: proxies get empty listeners.
    unlinkSync(join(dir, "example.yaml"));
    await until(() => server?.cache.get("default/eg") === undefined, "the Gateway to be dropped");
    const removal = await s.next();
    expect(removal.removedResources?.length).toBeGreaterThan(0);
    client.close();
  });

  it("exits 2 for a missing path or a busy port, and 0 when stopped", async () => {
    const io = capture();
    expect(await runServe({ files: ["/nonexistent/peg"], xdsAddress: "127.0.0.1:0", httpAddress: "127.0.0.1:0" }, io)).toBe(2);
    expect(io.errLines[0]).toContain("/nonexistent/peg");

    const first = capture();
    server = new StandaloneServer({ files: [world()], xdsAddress: "127.0.0.1:0", httpAddress: "127.0.0.1:0", watch: false }, first);
    const { httpPort } = await server.start();
    const busy = capture();
    expect(await runServe({ files: [dir], xdsAddress: "127.0.0.1:0", httpAddress: `127.0.0.1:${httpPort}`, watch: false }, busy)).toBe(2);
    expect(busy.errLines.join("\n")).toContain(`cannot listen on 127.0.0.1:${httpPort}`);

    const ok = capture();
    const abort = new AbortController();
    const running = runServe({ files: [dir], xdsAddress: "127.0.0.1:0", httpAddress: "127.0.0.1:0", watch: false }, ok, abort.signal);
    await until(() => ok.outLines.some(l => l.includes("serving default/eg")), "the server to start");
    abort.abort();
    expect(await running).toBe(0);
    expect(ok.outLines.at(-1)).toBe("peg serve: stopping");
  });
});

describe("Debouncer", () => {
  function fakeTimers(): Timers & { advance(ms: number): void } {
    let now = 0;
    let timers: Array<{ at: number; fn: () => void; id: number }> = [];
    let ids = 0;
    return {
      now: () => now,
      setTimeout: (fn, ms) => {
        const t = { at: now + ms, fn, id: ++ids };
        timers.push(t);
        return t.id;
      },
      clearTimeout: id => (timers = timers.filter(t => t.id !== id)),
      advance(ms) {
        const end = now + ms;
        for (;;) {
          const due = timers.filter(t => t.at <= end).sort((a, b) => a.at - b.at)[0];
          if (!due) break;
          timers = timers.filter(t => t !== due);
          now = due.at;
          due.fn();
        }
        now = end;
      },
    };
  }

  it("waits for quiet, but not longer than the cap after the first change", () => {
    const timers = fakeTimers();
    let runs = 0;
    const d = new Debouncer(() => runs++, 100, 500, timers);
    d.trigger();
    timers.advance(99);
    expect(runs).toBe(0);
    timers.advance(1);
    expect(runs).toBe(1);
    // A steady stream of changes every 50 ms still rebuilds by the 500 ms cap.
    for (let i = 0; i < 10; i++) {
      d.trigger();
      timers.advance(50);
    }
    expect(runs).toBe(2);
    d.trigger();
    d.cancel();
    timers.advance(1000);
    expect(runs).toBe(2);
  });
});
