/**
 * Small clients for tests: the real kubectl binary pointed at a TestApiServer, and raw HTTPS
 * requests and watch streams (for what kubectl does not expose).
 */
import { spawn } from "node:child_process";
import https from "node:https";
import type { TestApiServer } from "./server";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against the server; never throws on a non-zero exit. */
export function kubectl(server: TestApiServer, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", args, { env: { ...process.env, ...server.env() }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Like kubectl(), but fails with kubectl's output when it exits non-zero. */
export async function kubectlOk(server: TestApiServer, args: string[], opts: { input?: string } = {}): Promise<string> {
  const r = await kubectl(server, args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

function options(server: TestApiServer, method: string, path: string, headers: Record<string, string>): https.RequestOptions {
  const url = new URL(server.url);
  return { host: url.hostname, port: url.port, method, path, ca: server.caPem, headers: { Authorization: `Bearer ${server.token}`, ...headers } };
}

/** One HTTPS request; bodies that are not strings are sent as JSON. */
export function request(server: TestApiServer, method: string, path: string, body?: unknown, contentType = "application/json", headers: Record<string, string> = {}): Promise<HttpResult> {
  const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(options(server, method, path, { ...(data !== undefined ? { "Content-Type": contentType } : {}), ...headers }), (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
    });
    req.on("error", reject);
    req.end(data);
  });
}

export interface WatchStream {
  status: number;
  events: { type: string; object: any }[];
  /** Resolves once `n` events have arrived (or the stream ended). */
  next(n: number): Promise<{ type: string; object: any }[]>;
  /** Resolves when the server ends the stream; `aborted` tells whether it was cut. */
  ended: Promise<{ aborted: boolean }>;
  close(): void;
}

/** Opens a watch (path with ?watch=true...) and collects its newline-delimited events. */
export function watch(server: TestApiServer, path: string): Promise<WatchStream> {
  return new Promise((resolve, reject) => {
    const req = https.request(options(server, "GET", path, {}), (res) => {
      const events: WatchStream["events"] = [];
      const waiters: { n: number; resolve: () => void }[] = [];
      let buf = "";
      let finished = false;
      const wake = () => {
        for (const w of [...waiters]) if (finished || events.length >= w.n) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
      };
      res.on("data", (d) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          events.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
        wake();
      });
      const ended = new Promise<{ aborted: boolean }>((done) => {
        res.on("end", () => ((finished = true), wake(), done({ aborted: false })));
        res.on("aborted", () => ((finished = true), wake(), done({ aborted: true })));
        res.on("error", () => ((finished = true), wake(), done({ aborted: true })));
      });
      resolve({
        status: res.statusCode ?? 0,
        events,
        next: (n) => new Promise((r) => (waiters.push({ n, resolve: () => r(events.slice(0, Math.max(n, events.length))) }), wake())),
        ended,
        close: () => req.destroy(),
      });
    });
    req.on("error", (e) => reject(e));
    req.end();
  });
}
