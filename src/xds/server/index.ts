/**
 * The embedded xDS server: envoy.service.discovery.v3.AggregatedDiscoveryService on @grpc/grpc-js,
 * serving the snapshots of a SnapshotCache over StreamAggregatedResources (SotW, sotw.ts) and
 * DeltaAggregatedResources (delta, delta.ts). Plaintext unless TLS material is given (PEM, as
 * strings or files); with a client CA, clients must present a certificate it signed (mTLS) and
 * each stream is bound to the Gateway that certificate names (identity.ts). Keepalive pings
 * detect dead peers.
 */
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import type { SnapshotCache } from "../cache";
import { DeltaStream } from "./delta";
import { framingInterceptor } from "./framing";
import { type PeerIdentity, peerIdentity } from "./identity";
import { XdsMetrics } from "./metrics";
import { ADS_SERVICE, DELTA_METHOD, type DeltaDiscoveryRequest, type DiscoveryRequest, SOTW_METHOD, adsServiceDefinition } from "./service";
import { SotwStream } from "./sotw";
import { type AdsStream, ByteBudget, type StreamDeps } from "./stream";

export { XdsMetrics } from "./metrics";

/**
 * TLS material, each part as PEM text or as a file to read at start (one of the two; the text
 * wins when both are given).
 */
export interface XdsTlsOptions {
  /** PEM server certificate chain. */
  cert?: string;
  certFile?: string;
  /** PEM private key. */
  key?: string;
  keyFile?: string;
  /** PEM CA bundle: when set, clients must present a certificate signed by it (mTLS). */
  clientCa?: string;
  clientCaFile?: string;
}

export interface XdsServerOptions {
  cache: SnapshotCache;
  metrics?: XdsMetrics;
  log?: (line: string) => void;
  now?: () => number;
  tls?: XdsTlsOptions;
  /** Server keepalive: ping an idle connection every `timeMs`, drop it after `timeoutMs` without an answer. */
  keepalive?: { timeMs: number; timeoutMs: number };
  /** Bytes of responses written at once across all streams (default 16 MiB). */
  sendBudgetBytes?: number;
}

export const DEFAULT_KEEPALIVE = { timeMs: 30_000, timeoutMs: 10_000 };

/** Splits `host:port` or `[v6]:port`. */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]*):(\d+)$/.exec(address);
  if (!m) throw new Error(`invalid address ${JSON.stringify(address)}: expected host:port`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`invalid port in ${JSON.stringify(address)}`);
  return { host: m[1] || "0.0.0.0", port };
}

function pem(text: string | undefined, file: string | undefined): Buffer | null {
  if (text !== undefined) return Buffer.from(text, "utf8");
  return file !== undefined ? readFileSync(file) : null;
}

function requiredPem(text: string | undefined, file: string | undefined, what: string): Buffer {
  const found = pem(text, file);
  if (!found) throw new Error(`xDS TLS: the server ${what} is missing (PEM text or file)`);
  return found;
}

/** Whether clients must present a certificate (mTLS): then streams are bound to its Gateway. */
export function requiresClientCertificate(tls: XdsTlsOptions | undefined): boolean {
  return tls !== undefined && (tls.clientCa !== undefined || tls.clientCaFile !== undefined);
}

export function serverCredentials(tls: XdsTlsOptions | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const ca = pem(tls.clientCa, tls.clientCaFile);
  const keys = { cert_chain: requiredPem(tls.cert, tls.certFile, "certificate"), private_key: requiredPem(tls.key, tls.keyFile, "key") };
  return grpc.ServerCredentials.createSsl(ca, [keys], ca !== null);
}

export class XdsServer {
  readonly metrics: XdsMetrics;
  private readonly server: grpc.Server;
  private readonly streams = new Set<AdsStream<DiscoveryRequest> | AdsStream<DeltaDiscoveryRequest>>();
  private readonly deps: StreamDeps;
  private started = false;

  constructor(private readonly options: XdsServerOptions) {
    this.metrics = options.metrics ?? new XdsMetrics();
    this.deps = {
      cache: options.cache,
      metrics: this.metrics,
      budget: new ByteBudget(options.sendBudgetBytes ?? 16 * 1024 * 1024),
      log: options.log ?? (() => undefined),
      now: options.now ?? Date.now,
      deniedLogged: new Set(),
    };
    const keepalive = options.keepalive ?? DEFAULT_KEEPALIVE;
    this.server = new grpc.Server({
      "grpc.keepalive_time_ms": keepalive.timeMs,
      "grpc.keepalive_timeout_ms": keepalive.timeoutMs,
      interceptors: [framingInterceptor(`/${ADS_SERVICE}/`)],
    });
    const forget = (s: AdsStream<never>): void => void this.streams.delete(s as never);
    const bound = requiresClientCertificate(options.tls);
    const peer = (call: unknown): PeerIdentity | undefined => (bound ? peerIdentity(call) : undefined);
    this.server.addService(adsServiceDefinition(), {
      [SOTW_METHOD]: (call: grpc.ServerDuplexStream<DiscoveryRequest, Buffer>) => {
        this.streams.add(new SotwStream(call, this.deps, "sotw", forget as never, peer(call)));
      },
      [DELTA_METHOD]: (call: grpc.ServerDuplexStream<DeltaDiscoveryRequest, Buffer>) => {
        this.streams.add(new DeltaStream(call, this.deps, "delta", forget as never, peer(call)));
      },
    });
  }

  /** Binds `host:port` (port 0 picks a free one) and resolves to the bound port. */
  listen(address: string): Promise<number> {
    const { host, port } = parseAddress(address);
    const target = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    const creds = serverCredentials(this.options.tls);
    return new Promise((resolve, reject) => {
      this.server.bindAsync(target, creds, (err, bound) => {
        if (err) return reject(new Error(`xDS server cannot listen on ${address}: ${err.message}`));
        this.started = true;
        resolve(bound);
      });
    });
  }

  /** Open streams: total, and per Gateway. */
  openStreams(): { total: number; byGateway: Map<string, number> } {
    const byGateway = new Map<string, number>();
    for (const s of this.streams) if (s.gateway) byGateway.set(s.gateway, (byGateway.get(s.gateway) ?? 0) + 1);
    return { total: this.streams.size, byGateway };
  }

  /** Ends every stream and stops; connections still open after `graceMs` are closed. */
  stop(graceMs = 2_000): Promise<void> {
    for (const s of [...this.streams]) s.end();
    this.streams.clear();
    if (!this.started) return Promise.resolve();
    this.started = false;
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref?.();
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
