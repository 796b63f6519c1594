/**
 * Reuse between pipeline runs: rendered and encoded pieces are kept by the content of the IR they
 * came from, so a rebuild renders and encodes only what changed.
 *
 * - IR pieces (routes, clusters) get a content id: equal JSON, equal id, computed once per object
 *   (an IR object the translator hands back unchanged costs a WeakMap lookup).
 * - Virtual hosts are keyed by name, domains and the ids of their routes; clusters and their
 *   load assignments by the cluster's id. Equal keys give the very same message object.
 * - Encodings hang off message objects (WeakMap), so a reused message is never encoded twice.
 *   A RouteConfiguration is assembled from its virtual hosts' encodings: protobuf encodes a
 *   repeated message field as the concatenation of its elements, so the bytes equal a full encode
 *   (the tests compare both).
 * - Entries are shared across Gateways (the same Service behind routes of several Gateways is
 *   one cluster message). When the cache holds more than twice what the live Gateways use,
 *   `compact` keeps only those.
 */
import * as protobuf from "protobufjs";
import type { ClusterIR, GatewayIR, RouteIR, VirtualHostIR } from "../ir/types";
import type { RenderMemo } from "../xds/render";
import { contentHash, encodeMessage, encodeResource, messageType, strictProblems } from "../xds/encode";
import { type EncodedResource, type EnvoyMessage, TypeUrl } from "../xds/types";

const ROUTE_CONFIGURATION = "envoy.config.route.v3.RouteConfiguration";
const VIRTUAL_HOST = "envoy.config.route.v3.VirtualHost";

interface ClusterEntry {
  cluster?: EnvoyMessage;
  endpoints?: { message: EnvoyMessage | undefined };
}

export class RenderCache implements RenderMemo {
  private readonly ids = new WeakMap<object, number>();
  private contentIds = new Map<string, number>();
  private nextId = 1;
  private vhosts = new Map<string, EnvoyMessage>();
  private clusters = new Map<number, ClusterEntry>();
  private readonly encoded = new WeakMap<EnvoyMessage, EncodedResource>();
  private readonly vhostBytes = new WeakMap<EnvoyMessage, Uint8Array>();

  /** Drops every entry the given (live) Gateways do not use, when there are many such entries. */
  compact(live: readonly GatewayIR[]): void {
    let used = 0;
    for (const gw of live) {
      used += gw.clusters.length;
      for (const rc of gw.routeConfigs) used += rc.virtualHosts.length;
    }
    if (this.vhosts.size + this.clusters.size <= 2 * used + 1024) return;
    const vhosts = new Map<string, EnvoyMessage>();
    const clusters = new Map<number, ClusterEntry>();
    for (const gw of live) {
      for (const rc of gw.routeConfigs) {
        for (const vh of rc.virtualHosts) {
          const key = this.vhostKey(vh);
          const message = this.vhosts.get(key);
          if (message) vhosts.set(key, message);
        }
      }
      for (const c of gw.clusters) {
        const key = this.idOf(c);
        const entry = this.clusters.get(key);
        if (entry) clusters.set(key, entry);
      }
    }
    this.vhosts = vhosts;
    this.clusters = clusters;
    // Objects keep their ids; new objects with old content get new ids (a re-render, no harm).
    this.contentIds = new Map();
  }

  private vhostKey(vh: VirtualHostIR): string {
    let key = `${vh.name}\u0000${vh.domains.join(",")}\u0000`;
    for (const route of vh.routes) key += `${this.idOf(route)},`;
    return key;
  }

  private idOf(piece: RouteIR | ClusterIR): number {
    let id = this.ids.get(piece);
    if (id === undefined) {
      const content = JSON.stringify(piece);
      id = this.contentIds.get(content);
      if (id === undefined) this.contentIds.set(content, (id = this.nextId++));
      this.ids.set(piece, id);
    }
    return id;
  }

  virtualHost(vh: VirtualHostIR, render: (vh: VirtualHostIR) => EnvoyMessage): EnvoyMessage {
    const key = this.vhostKey(vh);
    let message = this.vhosts.get(key);
    if (!message) this.vhosts.set(key, (message = render(vh)));
    return message;
  }

  cluster(cluster: ClusterIR, render: (cluster: ClusterIR) => EnvoyMessage): EnvoyMessage {
    const entry = this.clusterEntry(cluster);
    return (entry.cluster ??= render(cluster));
  }

  endpoints(cluster: ClusterIR, render: (cluster: ClusterIR) => EnvoyMessage | undefined): EnvoyMessage | undefined {
    const entry = this.clusterEntry(cluster);
    return (entry.endpoints ??= { message: render(cluster) }).message;
  }

  private clusterEntry(cluster: ClusterIR) {
    const key = this.idOf(cluster);
    let entry = this.clusters.get(key);
    if (!entry) this.clusters.set(key, (entry = {}));
    return entry;
  }

  /** The snapshot Encoder: strict, reusing the encoding of any message seen before. */
  readonly encode = (typeUrl: TypeUrl, message: EnvoyMessage): EncodedResource => {
    const known = this.encoded.get(message);
    if (known && known.typeUrl === typeUrl) return known;
    const encoded = typeUrl === TypeUrl.Route ? this.encodeRouteConfiguration(message) : encodeResource(typeUrl, message);
    this.encoded.set(message, encoded);
    return encoded;
  };

  private encodeRouteConfiguration(message: EnvoyMessage): EncodedResource {
    const vhosts = Array.isArray(message.virtualHosts) ? (message.virtualHosts as EnvoyMessage[]) : [];
    const rest: EnvoyMessage = { ...message, virtualHosts: undefined };
    const problems = strictProblems(ROUTE_CONFIGURATION, rest);
    if (problems.length > 0) throw new Error(`invalid ${ROUTE_CONFIGURATION}: ${problems.slice(0, 5).join("; ")}`);
    const bytes = assembleRouteConfiguration(rest, vhosts.map(vh => this.virtualHostBytes(vh)));
    if (typeof message.name !== "string" || message.name === "") throw new Error("resource without a name");
    return { name: message.name, typeUrl: TypeUrl.Route, version: contentHash(bytes), bytes, message };
  }

  private virtualHostBytes(vh: EnvoyMessage): Uint8Array {
    let bytes = this.vhostBytes.get(vh);
    if (!bytes) {
      const problems = strictProblems(VIRTUAL_HOST, vh);
      if (problems.length > 0) throw new Error(`invalid ${VIRTUAL_HOST}: ${problems.slice(0, 5).join("; ")}`);
      bytes = encodeMessage(VIRTUAL_HOST, vh);
      this.vhostBytes.set(vh, bytes);
    }
    return bytes;
  }

  /** Cached pieces (for tests and the bench). */
  stats(): { virtualHosts: number; clusters: number } {
    return { virtualHosts: this.vhosts.size, clusters: this.clusters.size };
  }
}

/**
 * The bytes of a RouteConfiguration from the rest of its fields and its virtual hosts' bytes, in
 * field-number order as a full encode writes them: fields numbered below virtual_hosts, then
 * each virtual host as a length-delimited field, then the fields numbered above.
 */
export function assembleRouteConfiguration(rest: EnvoyMessage, vhostBytes: Uint8Array[]): Uint8Array {
  const type = messageType(ROUTE_CONFIGURATION);
  const vhField = type.fields.virtualHosts.id;
  const head: EnvoyMessage = {};
  const tail: EnvoyMessage = {};
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined || key === "virtualHosts") continue;
    (type.fields[key].id < vhField ? head : tail)[key] = value;
  }
  const writer = protobuf.Writer.create();
  for (const bytes of vhostBytes) writer.uint32((vhField << 3) | 2).bytes(bytes);
  return Buffer.concat([encodeMessage(ROUTE_CONFIGURATION, head), writer.finish(), encodeMessage(ROUTE_CONFIGURATION, tail)]);
}
