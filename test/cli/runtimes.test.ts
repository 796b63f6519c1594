/**
 * `peg validate`, `peg translate` and `peg serve` under Bun (TypeScript run directly through
 * bin/peg.js) and Deno (the single-file bundle of bin/bundle.js). The serve smoke test: it
 * starts, answers /healthz and a delta ADS request over real gRPC, and exits 0 on SIGTERM.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient, TypeUrl, until } from "../integration/xds/helpers";

const ROOT = join(__dirname, "../..");
const BIN = join(ROOT, "node_modules/.bin");
let work: string;
let bundle: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "peg-runtimes-"));
  bundle = join(work, "peg.cjs");
  await run(process.execPath, [join(ROOT, "bin/bundle.js"), bundle]);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise(resolve => {
    execFile(cmd, args, { cwd: ROOT, maxBuffer: 32 * 1024 * 1024, timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const RUNTIMES: Array<[string, () => [string, string[]]]> = [
  ["bun", () => [join(BIN, "bun"), [join(ROOT, "bin/peg.js")]]],
  ["deno", () => [join(BIN, "deno"), ["run", "-A", bundle]]],
];

describe.each(RUNTIMES)("peg under %s", (_name, command) => {
  const peg = (...args: string[]) => {
    const [cmd, pre] = command();
    return run(cmd, [...pre, ...args]);
  };

  it("validates: examples pass, unsafe manifests are denied", async () => {
    const ok = await peg("validate", "-f", "manifests/examples");
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringContaining("0 denied")]);
    const bad = await peg("validate", "-f", "manifests/examples/unsafe/backend-loopback-ip.yaml");
    expect([bad.code, bad.stdout]).toEqual([1, expect.stringContaining("denied")]);
  }, 120_000);

  it("translates the examples to the same document as under Node", async () => {
    const out = await peg("translate", "-f", "manifests/examples", "-o", "json");
    expect(out.code).toBe(0);
    const doc = JSON.parse(out.stdout);
    expect(Object.keys(doc.xds)).toEqual(["default/eg"]);
    const node = await run(process.execPath, [join(ROOT, "bin/peg.js"), "translate", "-f", "manifests/examples", "-o", "json"]);
    expect(out.stdout).toBe(node.stdout);
  }, 120_000);

  it("serves: /healthz, a delta ADS request, exit 0 on SIGTERM", async () => {
    const [cmd, pre] = command();
    const proc: ChildProcess = spawn(cmd, [...pre, "serve", "-f", "manifests/examples", "--xds-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    const output: string[] = [];
    proc.stdout?.on("data", d => output.push(String(d)));
    proc.stderr?.on("data", d => output.push(String(d)));
    const exited = new Promise<number | null>(resolve => proc.on("exit", code => resolve(code)));
    try {
      await until(() => /watching/.test(output.join("")) || proc.exitCode !== null, "peg serve to start", 90_000);
      const m = /on 127\.0\.0\.1:(\d+) \(plaintext\); HTTP on 127\.0\.0\.1:(\d+)/.exec(output.join(""));
      expect(m, output.join("")).not.toBeNull();
      const [xdsPort, httpPort] = [Number(m?.[1]), Number(m?.[2])];
      const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
      expect([health.status, await health.text()]).toEqual([200, "ok\n"]);
      const client = new TestClient(xdsPort);
      const s = client.delta();
      s.send({ node: { id: "default/eg/envoy", cluster: "default/eg" }, typeUrl: TypeUrl.Cluster });
      const cds = await s.next(60_000);
      expect(cds.resources.map(r => r.name)).toEqual([expect.stringContaining("httpbin")]);
      s.close();
      client.close();
      proc.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
  }, 180_000);
});
