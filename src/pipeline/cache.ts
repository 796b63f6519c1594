/**
 * Reuse between pipeline runs: rendered and encoded pieces are kept for the IR they came from, so
 * a rebuild renders and encodes only what changed.
 *
 * - By identity: an IR object (route configuration, virtual host, cluster) seen before gets the very message rendered
 *   for it (a WeakMap lookup). The incremental translator hands back unchanged IR as the same
 *   objects, so this is the common case, and it costs nothing to set up on a full build.
 * - By content: a new IR object whose name was rendered before is compared with that earlier IR
 *   (unchanged parts of it are shared, so the comparison is short); equal content gets the earlier
 *   message. This covers translators that rebuild equal IR.
 * - Encodings hang off message objects (WeakMap), so a reused message is never encoded twice.
 *   A RouteConfiguration is assembled from its virtual hosts' encodings: protobuf encodes a
 *   repeated message field as the concatenation of its elements, so the bytes equal a full encode
 *   (the tests compare both).
 * - Entries are shared across Gateways (the same Service behind routes of several Gateways is
 *   one cluster message). The by-name tables keep the latest piece of each name; when they hold
 *   more than twice what the live Gateways use, `compact` keeps only those.
 */
import * as protobuf from "protobufjs";
import type { ClusterIR, GatewayIR, RouteConfigIR, VirtualHostIR } from "../ir/types";
import { sameData } from "../translate/equal";
import type { RenderMemo } from "../xds/render";
import { contentHash, encodeChecked, encodeResource, messageType } from "../xds/encode";
import { type EncodedResource, type EnvoyMessage, TypeUrl } from "../xds/types";

const ROUTE_CONFIGURATION = "envoy.config.route.v3.RouteConfiguration";
const VIRTUAL_HOST = "envoy.config.route.v3.VirtualHost";

interface ClusterEntry {
  cluster?: EnvoyMessage;
  endpoints?: { message: EnvoyMessage | undefined };
}

export class RenderCache implements RenderMemo {
  private readonly routeConfigOf = new WeakMap<RouteConfigIR, EnvoyMessage>();
  private readonly vhostOf = new WeakMap<VirtualHostIR, EnvoyMessage>();
  private readonly clusterOf = new WeakMap<ClusterIR, ClusterEntry>();
  private vhostsByName = new Map<string, { ir: VirtualHostIR; message: EnvoyMessage }>();
  private clustersByName = new Map<string, { ir: ClusterIR; entry: ClusterEntry }>();
  private readonly encoded = new WeakMap<EnvoyMessage, EncodedResource>();
  private readonly vhostBytes = new WeakMap<EnvoyMessage, Uint8Array>();

  /** Drops by-name entries the given (live) Gateways do not use, when there are many such entries. */
  compact(live: readonly GatewayIR[]): void {
    let used = 0;
    for (const gw of live) {
      used += gw.clusters.length;
      for (const rc of gw.routeConfigs) used += rc.virtualHosts.length;
    }
    if (this.vhostsByName.size + this.clustersByName.size <= 2 * used + 1024) return;
    const vhosts = new Map<string, { ir: VirtualHostIR; message: EnvoyMessage }>();
    const clusters = new Map<string, { ir: ClusterIR; entry: ClusterEntry }>();
    for (const gw of live) {
      for (const rc of gw.routeConfigs) {
        for (const vh of rc.virtualHosts) {
          const message = this.vhostOf.get(vh);
          if (message) vhosts.set(vh.name, { ir: vh, message });
        }
      }
      for (const c of gw.clusters) {
        const entry = this.clusterOf.get(c);
        if (entry) clusters.set(c.name, { ir: c, entry });
      }
    }
    this.vhostsByName = vhosts;
    this.clustersByName = clusters;
  }

  routeConfig(rc: RouteConfigIR, render: (rc: RouteConfigIR) => EnvoyMessage): EnvoyMessage {
    let message = this.routeConfigOf.get(rc);
    if (!message) this.routeConfigOf.set(rc, (message = render(rc)));
    return message;
  }

  virtualHost(vh: VirtualHostIR, render: (vh: VirtualHostIR) => EnvoyMessage): EnvoyMessage {
    let message = this.vhostOf.get(vh);
    if (message) return message;
    const named = this.vhostsByName.get(vh.name);
    message = named && sameData(named.ir, vh) ? named.message : render(vh);
    this.vhostOf.set(vh, message);
    this.vhostsByName.set(vh.name, { ir: vh, message });
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

  private clusterEntry(cluster: ClusterIR): ClusterEntry {
    let entry = this.clusterOf.get(cluster);
    if (entry) return entry;
    const named = this.clustersByName.get(cluster.name);
    entry = named && sameData(named.ir, cluster) ? named.entry : {};
    this.clusterOf.set(cluster, entry);
    this.clustersByName.set(cluster.name, { ir: cluster, entry });
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
    const bytes = assembleRouteConfiguration(rest, vhosts.map(vh => this.virtualHostBytes(vh)));
    if (typeof message.name !== "string" || message.name === "") throw new Error("resource without a name");
    return { name: message.name, typeUrl: TypeUrl.Route, version: contentHash(bytes), bytes, message };
  }

  private virtualHostBytes(vh: EnvoyMessage): Uint8Array {
    let bytes = this.vhostBytes.get(vh);
    if (!bytes) this.vhostBytes.set(vh, (bytes = encodeChecked(VIRTUAL_HOST, vh)));
    return bytes;
  }

  /** Pieces kept by name (for tests and the bench). */
  stats(): { virtualHosts: number; clusters: number } {
    return { virtualHosts: this.vhostsByName.size, clusters: this.clustersByName.size };
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
    ((type.fields[key]?.id ?? 0) < vhField ? head : tail)[key] = value; // an unknown field goes first, to be refused there
  }
  const writer = protobuf.Writer.create();
  for (const bytes of vhostBytes) writer.uint32((vhField << 3) | 2).bytes(bytes);
  return Buffer.concat([encodeChecked(ROUTE_CONFIGURATION, head), writer.finish(), encodeChecked(ROUTE_CONFIGURATION, tail)]);
}
