/**
 * The observability endpoints of the xDS server, on plain HTTP:
 *
 *   GET /healthz       200 "ok" (503 while the owner says it is not ready)
 *   GET /metrics       Prometheus text: snapshot version per Gateway, connected streams, pushes,
 *                      ACKs, NACKs with the last error detail, translate and push durations
 *   GET /config_dump   the document `peg translate -o json` prints: `resources` (input objects
 *                      with their status, when the owner provides them) and `xds` (per Gateway,
 *                      the config dump of the snapshot being served).
 *                      ?gateway=namespace/name limits `xds` to one Gateway; ?type=listener|route|
 *                      cluster|endpoint|secret to one resource type.
 */
import * as http from "node:http";
import type { SnapshotCache } from "./cache";
import { DUMP_TYPES, type DumpType, configDump } from "./configdump";
import { type XdsMetrics, prometheusText } from "./server/metrics";

export interface HttpServerOptions {
  cache: SnapshotCache;
  metrics: XdsMetrics;
  /** Input objects with their status, as `peg translate` prints them under `resources`. */
  resources?: () => unknown[];
  /** False while starting up (healthz answers 503). */
  ready?: () => boolean;
}

type Reply = { status: number; type: string; body: string };

function json(status: number, value: unknown): Reply {
  return { status, type: "application/json", body: `${JSON.stringify(value, null, 2)}\n` };
}

/** Answers one request (no sockets: testable as a function). */
export function handle(options: HttpServerOptions, method: string, rawUrl: string): Reply {
  const url = new URL(rawUrl, "http://localhost");
  if (method !== "GET" && method !== "HEAD") return { status: 405, type: "text/plain", body: "method not allowed\n" };
  switch (url.pathname) {
    case "/healthz":
    case "/readyz": {
      const ok = options.ready ? options.ready() : true;
      return { status: ok ? 200 : 503, type: "text/plain", body: ok ? "ok\n" : "starting\n" };
    }
    case "/metrics":
      return { status: 200, type: "text/plain; version=0.0.4", body: prometheusText(options.metrics, options.cache.stats()) };
    case "/config_dump":
      return configDumpReply(options, url.searchParams);
    default:
      return { status: 404, type: "text/plain", body: "not found: try /healthz, /metrics or /config_dump\n" };
  }
}

function configDumpReply(options: HttpServerOptions, params: URLSearchParams): Reply {
  const type = (params.get("type") ?? "all") as DumpType | "all";
  if (type !== "all" && !DUMP_TYPES.includes(type)) return json(400, { error: `type must be one of all, ${DUMP_TYPES.join(", ")}` });
  const only = params.get("gateway");
  const xds: Record<string, unknown> = {};
  for (const key of options.cache.keys()) {
    if (only && key !== only) continue;
    const snapshot = options.cache.get(key);
    if (snapshot) xds[key] = configDump(snapshot, type);
  }
  if (only && !(only in xds)) return json(404, { error: `no configuration for Gateway ${only}` });
  return json(200, { resources: options.resources ? options.resources() : [], xds });
}

export class HttpServer {
  private readonly server: http.Server;

  constructor(options: HttpServerOptions) {
    this.server = http.createServer((req, res) => {
      let reply: Reply;
      try {
        reply = handle(options, req.method ?? "GET", req.url ?? "/");
      } catch (err) {
        reply = { status: 500, type: "text/plain", body: `${err instanceof Error ? err.message : String(err)}\n` };
      }
      res.writeHead(reply.status, { "content-type": reply.type, "content-length": Buffer.byteLength(reply.body) });
      res.end(req.method === "HEAD" ? undefined : reply.body);
    });
  }

  /** Listens on `host:port` (port 0 picks one) and resolves to the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`HTTP server cannot listen on ${host}:${port}: ${err.message}`));
      this.server.once("error", onError);
      this.server.listen(port, host, () => {
        this.server.off("error", onError);
        const addr = this.server.address();
        resolve(typeof addr === "object" && addr ? addr.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise(resolve => {
      this.server.close(() => resolve());
      (this.server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
  }
}
