/**
 * Test helpers for the xDS server: snapshots from hand-written Envoy messages, a server on an
 * ephemeral loopback port, and raw ADS clients (SotW and delta) over real gRPC that queue what
 * the server sends and let a test wait for it.
 */
import { createHash } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { SnapshotCache } from "../../../src/xds/cache";
import { decodeMessage, encodeResource, messageType } from "../../../src/xds/encode";
import { XdsServer, type XdsServerOptions } from "../../../src/xds/server";
import { adsServiceDefinition } from "../../../src/xds/server/service";
import { type EncodedResource, type EnvoyMessage, type Snapshot, TypeUrl } from "../../../src/xds/types";

export { TypeUrl };

export type Resources = Partial<Record<TypeUrl, EnvoyMessage[]>>;

/** A snapshot of hand-written messages, versioned by content. */
export function snapshotOf(gateway: string, resources: Resources): Snapshot {
  const byType = new Map<TypeUrl, Map<string, EncodedResource>>();
  const hash = createHash("sha256");
  for (const type of Object.values(TypeUrl)) {
    const map = new Map<string, EncodedResource>();
    for (const msg of resources[type] ?? []) {
      const res = encodeResource(type, msg);
      map.set(res.name, res);
      hash.update(`${type} ${res.name} ${res.version}\n`);
    }
    byType.set(type, map);
  }
  return { gateway, version: hash.digest("hex").slice(0, 12), resources: byType };
}

const ADS = { ads: {}, resourceApiVersion: "V3" };

export function edsCluster(name: string): EnvoyMessage {
  return { name, type: "EDS", edsClusterConfig: { edsConfig: ADS }, connectTimeout: { seconds: 5 }, lbPolicy: "ROUND_ROBIN" };
}

/** A ClusterLoadAssignment as render makes it: one group, no locality, no locality weight. */
export function assignment(clusterName: string, endpoints: Array<[string, number]>): EnvoyMessage {
  return {
    clusterName,
    endpoints: [
      {
        lbEndpoints: endpoints.map(([address, portValue]) => ({ endpoint: { address: { socketAddress: { address, portValue } } } })),
      },
    ],
  };
}

export function httpListener(name: string, port: number, routeConfigName: string): EnvoyMessage {
  return {
    name,
    address: { socketAddress: { address: "0.0.0.0", portValue: port } },
    filterChains: [
      {
        filters: [
          {
            name: "envoy.filters.network.http_connection_manager",
            typedConfig: {
              "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
              statPrefix: "http",
              rds: { routeConfigName, configSource: ADS },
              httpFilters: [{ name: "envoy.filters.http.router", typedConfig: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } }],
            },
          },
        ],
      },
    ],
  };
}

export interface RouteSpec {
  prefix?: string;
  headers?: Array<{ name: string; exact: string }>;
  cluster?: string;
  weighted?: Array<[string, number]>;
}

export function routeConfig(name: string, vhosts: Array<{ name: string; domains: string[]; routes: RouteSpec[] }>): EnvoyMessage {
  return {
    name,
    virtualHosts: vhosts.map(vh => ({
      name: vh.name,
      domains: vh.domains,
      routes: vh.routes.map(r => ({
        match: {
          prefix: r.prefix ?? "/",
          ...(r.headers ? { headers: r.headers.map(h => ({ name: h.name, stringMatch: { exact: h.exact } })) } : {}),
        },
        route: r.weighted
          ? { weightedClusters: { clusters: r.weighted.map(([n, w]) => ({ name: n, weight: { value: w } })) } }
          : { cluster: r.cluster },
      })),
    })),
  };
}

export function secret(name: string): EnvoyMessage {
  return { name, tlsCertificate: { certificateChain: { inlineString: "-----CERT-----" }, privateKey: { inlineString: "-----KEY-----" } } };
}

/** A small consistent gateway: one listener → one route config → clusters with endpoints. */
export function basicResources(opts: { clusters?: string[]; endpoints?: Record<string, Array<[string, number]>>; domains?: string[] } = {}): Resources {
  const clusters = opts.clusters ?? ["a", "b"];
  return {
    [TypeUrl.Cluster]: clusters.map(edsCluster),
    [TypeUrl.Endpoint]: clusters.map(c => assignment(c, opts.endpoints?.[c] ?? [["10.0.0.1", 8080]])),
    [TypeUrl.Listener]: [httpListener("default/eg/80", 80, "default/eg/80")],
    [TypeUrl.Route]: [
      routeConfig("default/eg/80", [{ name: "www", domains: opts.domains ?? ["www.example.com"], routes: [{ prefix: "/", cluster: clusters[0] }] }]),
    ],
  };
}

export async function startServer(options: Partial<XdsServerOptions> = {}): Promise<{ server: XdsServer; cache: SnapshotCache; port: number; logs: string[] }> {
  const logs: string[] = [];
  const cache = options.cache ?? new SnapshotCache();
  const server = new XdsServer({ cache, log: line => logs.push(line), ...options });
  const port = await server.listen("127.0.0.1:0");
  return { server, cache, port, logs };
}

const AdsClient = grpc.makeGenericClientConstructor(adsServiceDefinition(), "AggregatedDiscoveryService");

/** A decoded response with resources turned into plain messages. */
export interface Response {
  versionInfo?: string;
  systemVersionInfo?: string;
  typeUrl: string;
  nonce: string;
  resources: Array<{ name: string; version?: string; message: EnvoyMessage }>;
  removedResources?: string[];
}

function decodeResponse(raw: unknown, delta: boolean): Response {
  const type = messageType(delta ? "envoy.service.discovery.v3.DeltaDiscoveryResponse" : "envoy.service.discovery.v3.DiscoveryResponse");
  const obj = type.toObject(raw as never, { longs: Number, enums: String, defaults: true }) as Record<string, unknown>;
  const resources = (obj.resources as Array<Record<string, unknown>>).map(r => {
    // The bundled google.protobuf.Any keeps its proto field name, type_url.
    const any = (delta ? r.resource : r) as { type_url: string; value: Uint8Array };
    const message = decodeMessage(any.type_url, any.value);
    const name = (delta ? (r.name as string) : undefined) ?? ((message.name ?? message.clusterName) as string);
    return { name, version: delta ? (r.version as string) : undefined, message };
  });
  return { ...(obj as unknown as Response), resources };
}

/** A raw ADS stream that queues responses. */
export class TestStream {
  private readonly queue: Response[] = [];
  private waiters: Array<(r: Response) => void> = [];
  readonly received: Response[] = [];
  ended = false;
  error: Error | undefined;
  constructor(
    private readonly call: grpc.ClientDuplexStream<unknown, unknown>,
    readonly delta: boolean,
  ) {
    call.on("data", raw => {
      const res = decodeResponse(raw, delta);
      this.received.push(res);
      const waiter = this.waiters.shift();
      if (waiter) waiter(res);
      else this.queue.push(res);
    });
    call.on("error", err => (this.error = err));
    call.on("end", () => (this.ended = true));
  }

  send(request: Record<string, unknown>): void {
    this.call.write(request);
  }

  /** The next response (fails after a generous timeout). */
  next(timeoutMs = 15_000): Promise<Response> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter(w => w !== done);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (r: Response): void => {
        clearTimeout(timer);
        resolve(r);
      };
      this.waiters.push(done);
    });
  }

  close(): void {
    this.call.cancel();
  }
}

export class TestClient {
  private readonly client: grpc.Client & Record<string, (...args: unknown[]) => grpc.ClientDuplexStream<unknown, unknown>>;
  constructor(port: number, credentials = grpc.credentials.createInsecure(), options: grpc.ChannelOptions = {}) {
    this.client = new AdsClient(`127.0.0.1:${port}`, credentials, { "grpc.use_local_subchannel_pool": 1, ...options }) as never;
  }
  sotw(): TestStream {
    return new TestStream(this.client.StreamAggregatedResources(), false);
  }
  delta(): TestStream {
    return new TestStream(this.client.DeltaAggregatedResources(), true);
  }
  close(): void {
    this.client.close();
  }
}

export const NODE = { id: "default/eg/test-proxy", cluster: "default/eg" };

/** Waits until `predicate` holds, polling (fails after a generous timeout). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}
