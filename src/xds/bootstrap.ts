/**
 * The Envoy bootstrap for one Gateway's proxies (pure): delta ADS (DELTA_GRPC) to the xDS server,
 * node.cluster = `namespace/name` of the Gateway (the node rule of the snapshot cache), a node id,
 * the admin interface on loopback (its /ready answers readiness probes), a runtime layer (RE2
 * program size limits), and optional mTLS to the xDS server with certificate files. `peg bootstrap` prints it; the controller puts it in each
 * Gateway's data-plane ConfigMap.
 *
 * `bootstrapMessage` is protobufjs-shaped (camelCase) so it can be checked strictly against
 * envoy.config.bootstrap.v3.Bootstrap; `toProtoJson` turns it into the proto3 JSON Envoy reads
 * (snake_case field names, durations as "5s").
 */
import * as protobuf from "protobufjs";
import { messageType, strictProblems } from "./encode";
import type { EnvoyMessage } from "./types";

export const XDS_CLUSTER = "xds_cluster";
export const DEFAULT_XDS_ADDRESS = "127.0.0.1:18000";
export const DEFAULT_ADMIN_ADDRESS = "127.0.0.1:19000";
const BOOTSTRAP = "envoy.config.bootstrap.v3.Bootstrap";

export interface BootstrapOptions {
  /** `namespace/name` of the Gateway. */
  gateway: string;
  /** host:port of the xDS server. */
  xdsAddress?: string;
  /** Node id (default `namespace/name/envoy`). */
  nodeId?: string;
  /** host:port of Envoy's admin interface (default 127.0.0.1:19000). */
  adminAddress?: string;
  /** mTLS to the xDS server: client certificate, key and the CA that signed the server's certificate. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

function hostPort(address: string, what: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:\s]+):(\d+)$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new Error(`invalid ${what} ${JSON.stringify(address)}: expected host:port`);
  return { host: m[1], port };
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

function socketAddress(host: string, port: number): EnvoyMessage {
  return { socketAddress: { address: host, portValue: port } };
}

function xdsCluster(xds: { host: string; port: number }, tls: BootstrapOptions["tls"]): EnvoyMessage {
  const cluster: EnvoyMessage = {
    name: XDS_CLUSTER,
    type: isIp(xds.host) ? "STATIC" : "STRICT_DNS",
    connectTimeout: { seconds: 5 },
    loadAssignment: { clusterName: XDS_CLUSTER, endpoints: [{ lbEndpoints: [{ endpoint: { address: socketAddress(xds.host, xds.port) } }] }] },
    typedExtensionProtocolOptions: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        explicitHttpConfig: { http2ProtocolOptions: { connectionKeepalive: { interval: { seconds: 30 }, timeout: { seconds: 5 } } } },
      },
    },
  };
  if (tls) {
    cluster.transportSocket = {
      name: "envoy.transport_sockets.tls",
      typedConfig: {
        "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
        ...(isIp(xds.host) ? {} : { sni: xds.host }),
        commonTlsContext: {
          tlsCertificates: [{ certificateChain: { filename: tls.certFile }, privateKey: { filename: tls.keyFile } }],
          validationContext: { trustedCa: { filename: tls.caFile } },
        },
      },
    };
  }
  return cluster;
}

/** The bootstrap as a protobufjs-shaped Bootstrap message. */
export function bootstrapMessage(options: BootstrapOptions): EnvoyMessage {
  if (!/^[^/\s]+\/[^/\s]+$/.test(options.gateway)) throw new Error(`invalid Gateway ${JSON.stringify(options.gateway)}: expected namespace/name`);
  const xds = hostPort(options.xdsAddress ?? DEFAULT_XDS_ADDRESS, "xDS address");
  const admin = hostPort(options.adminAddress ?? DEFAULT_ADMIN_ADDRESS, "admin address");
  const ads = { ads: {}, resourceApiVersion: "V3" };
  return {
    node: { id: options.nodeId ?? `${options.gateway}/envoy`, cluster: options.gateway },
    admin: { address: socketAddress(admin.host, admin.port) },
    dynamicResources: {
      adsConfig: {
        apiType: "DELTA_GRPC",
        transportApiVersion: "V3",
        setNodeOnFirstMessageOnly: true,
        grpcServices: [{ envoyGrpc: { clusterName: XDS_CLUSTER } }],
      },
      ldsConfig: ads,
      cdsConfig: ads,
    },
    staticResources: { clusters: [xdsCluster(xds, options.tls)] },
    layeredRuntime: { layers: [{ name: "global_config", staticLayer: RUNTIME }] },
  };
}

/**
 * Runtime settings. Envoy refuses a whole route table when one RE2 program is over
 * re2.max_program_size.error_level (100 by default, which ordinary header patterns pass); the
 * admission policy already refuses patterns RE2 rejects and caps their length, so the bound is
 * lifted to RE2's own limits and a large program only logs a warning.
 */
const RUNTIME = {
  "re2.max_program_size.error_level": 4294967295,
  "re2.max_program_size.warn_level": 1000,
};

/** Problems of a bootstrap message against envoy.config.bootstrap.v3.Bootstrap (empty = exact). */
export function bootstrapProblems(message: EnvoyMessage): string[] {
  return strictProblems(BOOTSTRAP, message);
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`);
}

function durationText(value: { seconds?: number; nanos?: number }): string {
  const s = (value.seconds ?? 0) + (value.nanos ?? 0) / 1e9;
  return `${s}s`;
}

function convert(type: protobuf.Type, value: Record<string, unknown>): Record<string, unknown> {
  const name = type.fullName.replace(/^\./, "");
  if (name === "google.protobuf.Duration") return durationText(value) as never;
  if (name === "google.protobuf.Struct") return value; // already JSON, keys as written
  if (name === "google.protobuf.Any") {
    const url = String(value["@type"]);
    const inner = messageType(url.slice(url.lastIndexOf("/") + 1));
    const rest = { ...value };
    delete rest["@type"];
    return { "@type": url, ...convert(inner, rest) };
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const field = type.fields[key];
    field.resolve();
    const rt = field.resolvedType;
    const one = (x: unknown): unknown => (rt instanceof protobuf.Type ? convert(rt, x as Record<string, unknown>) : x);
    if (field.map) out[snake(key)] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, one(x)]));
    else if (Array.isArray(v)) out[snake(key)] = v.map(one);
    else out[snake(key)] = one(v);
  }
  return out;
}

/** The proto3 JSON form Envoy reads from a bootstrap file (YAML is a superset). */
export function toProtoJson(message: EnvoyMessage): Record<string, unknown> {
  return convert(messageType(BOOTSTRAP), message);
}

/** The checked bootstrap in Envoy's file form; throws if it is not an exact Bootstrap. */
export function buildBootstrap(options: BootstrapOptions): Record<string, unknown> {
  const message = bootstrapMessage(options);
  const problems = bootstrapProblems(message);
  if (problems.length > 0) throw new Error(`invalid bootstrap: ${problems.join("; ")}`);
  return toProtoJson(message);
}
