/**
 * Helpers for the watcher's end-to-end tests and the controller benchmark: start the module as
 * Pepr's watcher Deployment runs it, find its xDS port, connect a raw ADS client with the
 * Gateway's client certificate (mTLS), and wait for conditions.
 */
import * as grpc from "@grpc/grpc-js";
import { TestClient } from "../integration/xds/helpers";
import type { TestApiServer } from "../apiserver/server";
import { startPepr, type PeprProcess } from "./helpers-pepr";

export const XDS_HOST = "pepr-envoy-gateway-xds.pepr-system.svc";

export interface WatcherProcess {
  proc: PeprProcess;
  xdsPort: number;
}

interface LogLine extends Record<string, unknown> {
  msg?: string;
  port?: number;
}

function logLines(output: string): LogLine[] {
  return output
    .split("\n")
    .filter(l => l.startsWith("{"))
    .map(l => {
      try {
        return JSON.parse(l) as LogLine;
      } catch {
        return {};
      }
    });
}

/** Waits until `check` returns a value other than undefined/false (polling; generous timeout). */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

/** Starts the watcher (PEPR_WATCH_MODE=true) and waits for its xDS server. */
export async function startWatcher(server: TestApiServer, outDir: string, env: Record<string, string> = {}): Promise<WatcherProcess> {
  const proc = await startPepr(server, outDir, "watcher", { PEG_XDS_PORT: "0", ...env });
  const xdsPort = await waitFor(() => logLines(proc.output()).find(l => l.msg === "xDS server listening")?.port, "the xDS server to listen", 120_000);
  return { proc, xdsPort };
}

/** Lines the watcher logged with this message. */
export function logged(proc: PeprProcess, msg: string): Array<LogLine & Record<string, unknown>> {
  return logLines(proc.output()).filter(l => l.msg === msg);
}

/** An ADS client presenting a Gateway's client certificate (from its data-plane Secret). */
export function mtlsClient(server: TestApiServer, xdsPort: number, namespace: string, secretName: string): TestClient {
  const secret = server.object("v1", "Secret", secretName, namespace);
  if (!secret) throw new Error(`no Secret ${namespace}/${secretName}`);
  const data = (k: string) => Buffer.from(secret.data[k], "base64");
  const creds = grpc.credentials.createSsl(data("ca.crt"), data("tls.key"), data("tls.crt"));
  return new TestClient(xdsPort, creds, { "grpc.ssl_target_name_override": XDS_HOST, "grpc.default_authority": XDS_HOST });
}

/** `type` condition of an object's status.conditions, or of its status.parents[0] when it has parents. */
export function conditionOf(obj: { status?: { conditions?: unknown[]; parents?: Array<{ conditions?: unknown[] }> } } | undefined, type: string): { status: string; reason: string; message: string; lastTransitionTime?: string } | undefined {
  const list = (obj?.status?.parents?.[0]?.conditions ?? obj?.status?.conditions ?? []) as Array<{ type: string; status: string; reason: string; message: string; lastTransitionTime?: string }>;
  return list.find(c => c.type === type);
}
