/**
 * Counters of the xDS server and the rebuild loop, rendered as Prometheus text by `prometheusText`.
 * Plain data and a clock-free API: callers pass durations they measured.
 */
import type { CacheStats } from "../cache";

export type Variant = "sotw" | "delta";

const BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

export class Histogram {
  readonly counts = BUCKETS_MS.map(() => 0);
  count = 0;
  sum = 0;

  observe(ms: number): void {
    this.count++;
    this.sum += ms;
    BUCKETS_MS.forEach((le, i) => {
      if (ms <= le) this.counts[i]++;
    });
  }
}

export interface NackRecord {
  gateway: string;
  typeUrl: string;
  node: string;
  message: string;
  count: number;
}

export class XdsMetrics {
  readonly streams: Record<Variant, number> = { sotw: 0, delta: 0 };
  readonly streamsTotal: Record<Variant, number> = { sotw: 0, delta: 0 };
  readonly pushes = new Map<string, number>(); // variant|typeUrl
  readonly bytes = new Map<string, number>();
  readonly resourcesSent = new Map<string, number>();
  readonly acks = new Map<string, number>();
  readonly nacks = new Map<string, NackRecord>(); // gateway|typeUrl
  /** Streams refused under mTLS, by the Gateway of the client certificate ("" when it names none). */
  readonly deniedStreams = new Map<string, number>();
  readonly pushDuration = new Histogram();
  readonly translateDuration = new Histogram();
  unknownNodes = 0;
  badRequests = 0;
  translations = 0;
  translationFailures = 0;

  streamOpened(variant: Variant): void {
    this.streams[variant]++;
    this.streamsTotal[variant]++;
  }

  streamClosed(variant: Variant): void {
    this.streams[variant]--;
  }

  pushed(variant: Variant, typeUrl: string, bytes: number, resources: number): void {
    const key = `${variant}|${typeUrl}`;
    this.pushes.set(key, (this.pushes.get(key) ?? 0) + 1);
    this.bytes.set(key, (this.bytes.get(key) ?? 0) + bytes);
    this.resourcesSent.set(key, (this.resourcesSent.get(key) ?? 0) + resources);
  }

  acked(variant: Variant, typeUrl: string): void {
    const key = `${variant}|${typeUrl}`;
    this.acks.set(key, (this.acks.get(key) ?? 0) + 1);
  }

  nacked(gateway: string, typeUrl: string, node: string, message: string): void {
    const key = `${gateway}|${typeUrl}`;
    const prev = this.nacks.get(key);
    this.nacks.set(key, { gateway, typeUrl, node, message, count: (prev?.count ?? 0) + 1 });
  }

  denied(certificateGateway: string): void {
    this.deniedStreams.set(certificateGateway, (this.deniedStreams.get(certificateGateway) ?? 0) + 1);
  }

  /** Total NACKs received (all Gateways and types). */
  nackCount(): number {
    let n = 0;
    for (const r of this.nacks.values()) n += r.count;
    return n;
  }

  /** Total pushes of a variant (all types). */
  pushCount(variant?: Variant): number {
    let n = 0;
    for (const [k, v] of this.pushes) if (!variant || k.startsWith(`${variant}|`)) n += v;
    return n;
  }
}

function esc(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labels(pairs: Record<string, string>): string {
  const parts = Object.entries(pairs).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function family(out: string[], name: string, type: string, help: string, rows: Array<[Record<string, string>, number]>): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [l, v] of rows) out.push(`${name}${labels(l)} ${v}`);
}

function split(key: string): Record<string, string> {
  const [variant, type] = key.split("|");
  return { variant, type: type.slice(type.lastIndexOf(".") + 1) };
}

function histogram(out: string[], name: string, help: string, h: Histogram): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  BUCKETS_MS.forEach((le, i) => out.push(`${name}_bucket{le="${le / 1000}"} ${h.counts[i]}`));
  out.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum / 1000}`, `${name}_count ${h.count}`);
}

/** Prometheus text exposition of the metrics and the cache. */
export function prometheusText(m: XdsMetrics, cache: CacheStats): string {
  const out: string[] = [];
  family(out, "peg_xds_snapshot_info", "gauge", "Current snapshot version per Gateway (value 1).", cache.gateways.map(g => [{ gateway: g.gateway, version: g.version }, 1]));
  family(out, "peg_xds_snapshot_resources", "gauge", "Resources in the current snapshot per Gateway and type.",
    cache.gateways.flatMap(g => Object.entries(g.resources).map(([t, n]) => [{ gateway: g.gateway, type: t.slice(t.lastIndexOf(".") + 1) }, n] as [Record<string, string>, number])));
  family(out, "peg_xds_connected_streams", "gauge", "Open ADS streams.", (["sotw", "delta"] as Variant[]).map(v => [{ variant: v }, m.streams[v]]));
  family(out, "peg_xds_streams_total", "counter", "ADS streams opened.", (["sotw", "delta"] as Variant[]).map(v => [{ variant: v }, m.streamsTotal[v]]));
  family(out, "peg_xds_pushes_total", "counter", "Discovery responses sent.", [...m.pushes].map(([k, v]) => [split(k), v]));
  family(out, "peg_xds_push_bytes_total", "counter", "Bytes of discovery responses sent.", [...m.bytes].map(([k, v]) => [split(k), v]));
  family(out, "peg_xds_push_resources_total", "counter", "Resources carried by discovery responses.", [...m.resourcesSent].map(([k, v]) => [split(k), v]));
  family(out, "peg_xds_acks_total", "counter", "Responses acknowledged by clients.", [...m.acks].map(([k, v]) => [split(k), v]));
  family(out, "peg_xds_nacks_total", "counter", "Responses rejected by clients, with the last error detail.",
    [...m.nacks.values()].map(r => [{ gateway: r.gateway, type: r.typeUrl.slice(r.typeUrl.lastIndexOf(".") + 1), node: r.node, last_error: r.message.slice(0, 400) }, r.count]));
  family(out, "peg_xds_unknown_nodes_total", "counter", "Streams whose node names no Gateway with a snapshot.", [[{}, m.unknownNodes]]);
  family(out, "peg_xds_denied_streams_total", "counter", "Streams refused with PERMISSION_DENIED under mTLS: the node asks for a Gateway other than its client certificate's, or the certificate names none (empty label).",
    [...m.deniedStreams].map(([g, v]) => [{ certificate_gateway: g }, v]));
  family(out, "peg_xds_bad_requests_total", "counter", "Requests ignored as malformed.", [[{}, m.badRequests]]);
  family(out, "peg_translations_total", "counter", "Rebuilds of the Envoy configuration.", [[{}, m.translations]]);
  family(out, "peg_translation_failures_total", "counter", "Rebuilds that failed (the last good configuration is kept).", [[{}, m.translationFailures]]);
  histogram(out, "peg_translate_duration_seconds", "Time to load, translate and render the inputs.", m.translateDuration);
  histogram(out, "peg_xds_push_duration_seconds", "Time from a snapshot change to its responses being written, per stream.", m.pushDuration);
  return out.join("\n") + "\n";
}
