/**
 * The client side of bench/xds.ts: a process of delta ADS streams, each on its own connection,
 * that behave like Envoy: wildcard CDS and LDS, then EDS for every cluster the first CDS response
 * named and RDS for the listener's route table, ACKing every response. Responses are not decoded
 * (only their type, nonce and, once, the cluster names are read) and the EDS subscription is
 * encoded once per process: the clients stand in for Envoys on other machines, so the less CPU
 * they take from the server on a shared machine, the more the bench measures the server.
 *
 * Messages from the parent and replies to it are the `ToClient` and `ToServer` types; every reply
 * carries the CPU time this process spent since the command it answers.
 */
import * as grpc from "@grpc/grpc-js";
import { adsServiceDefinition } from "../src/xds/server/service";
import { TypeUrl } from "../src/xds/types";

export type ToClient =
  | { op: "sync"; port: number; gateway: string; first: number; streams: number; routeConfigs: string[] }
  | { op: "expect"; type: string }
  | { op: "close" };

export interface ClientCpu {
  /** CPU time of this client process (user + system), ms. */
  cpuMs: number;
}

export type ToServer =
  | ({ op: "synced"; start: number; end: number } & ClientCpu)
  | { op: "armed" }
  | ({ op: "received"; last: number } & ClientCpu)
  | { op: "closed"; maxRssBytes: number };

export const now = (): number => performance.timeOrigin + performance.now();
export const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const TYPES = [TypeUrl.Cluster, TypeUrl.Endpoint, TypeUrl.Listener, TypeUrl.Route];

/**
 * Each client on its own connection, with Envoy's default HTTP/2 flow-control windows (256 MiB
 * per stream and connection; gRPC's own default of 64 KiB would make the bench measure window
 * updates, not the server).
 */
const CLIENT_OPTIONS: grpc.ChannelOptions = {
  "grpc.use_local_subchannel_pool": 1,
  "grpc.max_receive_message_length": -1,
  "grpc-node.flow_control_window": 256 * 1024 * 1024,
};

function varint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 1;
  for (;;) {
    const b = buf[at++];
    value += (b & 0x7f) * shift;
    if (b < 0x80) return [value, at];
    shift *= 128;
  }
}

/**
 * Reads a DeltaDiscoveryResponse's type_url (4), nonce (5) and, when asked, its resource names
 * (2 → Resource.name 3) without decoding the resources.
 */
function scan(buf: Buffer, names: boolean): { typeUrl: string; nonce: string; names: string[] } {
  const out = { typeUrl: "", nonce: "", names: [] as string[] };
  let at = 0;
  while (at < buf.length) {
    let tag: number;
    [tag, at] = varint(buf, at);
    const wire = tag & 7;
    if (wire === 0) [, at] = varint(buf, at);
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else {
      let len: number;
      [len, at] = varint(buf, at);
      const field = Math.floor(tag / 8);
      if (field === 4) out.typeUrl = buf.toString("utf8", at, at + len);
      else if (field === 5) out.nonce = buf.toString("utf8", at, at + len);
      else if (field === 2 && names) out.names.push(resourceName(buf.subarray(at, at + len)));
      at += len;
    }
  }
  return out;
}

/** Resource.name (field 3) of an encoded discovery Resource. */
function resourceName(buf: Buffer): string {
  let at = 0;
  while (at < buf.length) {
    let tag: number;
    [tag, at] = varint(buf, at);
    let len: number;
    [len, at] = varint(buf, at);
    if (tag === ((3 << 3) | 2)) return buf.toString("utf8", at, at + len);
    at += len;
  }
  return "";
}

type Stream = grpc.ClientDuplexStream<unknown, Buffer>;

export function clientMain(): void {
  const definition = { ...adsServiceDefinition() };
  const delta = definition.DeltaAggregatedResources;
  definition.DeltaAggregatedResources = { ...delta, responseDeserialize: (b: Buffer) => b };
  const Client = grpc.makeGenericClientConstructor(definition, "ADS");
  let clients: grpc.Client[] = [];
  let calls: Stream[] = [];
  let waiting: { type: string; pending: number; cpu: NodeJS.CpuUsage } | undefined;
  /** The EDS subscription, encoded once from the first CDS response. */
  let edsRequest: Buffer | undefined;
  const send = (m: ToServer): void => void process.send?.(m);

  const open = (m: Extract<ToClient, { op: "sync" }>, i: number, onSynced: () => void): void => {
    const client = new Client(`127.0.0.1:${m.port}`, grpc.credentials.createInsecure(), CLIENT_OPTIONS) as grpc.Client & Record<string, () => Stream>;
    const call = client.DeltaAggregatedResources();
    clients.push(client);
    calls.push(call);
    const seen = new Set<string>();
    call.on("data", (raw: Buffer) => {
      const first = !seen.has(TypeUrl.Cluster);
      const res = scan(raw, first && !edsRequest);
      call.write({ typeUrl: res.typeUrl, responseNonce: res.nonce });
      if (res.typeUrl === TypeUrl.Cluster && first) {
        edsRequest ??= delta.requestSerialize({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: res.names });
        call.write(edsRequest);
      }
      if (res.typeUrl === TypeUrl.Listener && !seen.has(res.typeUrl)) call.write({ typeUrl: TypeUrl.Route, resourceNamesSubscribe: m.routeConfigs });
      if (!seen.has(res.typeUrl)) {
        seen.add(res.typeUrl);
        if (TYPES.every(t => seen.has(t))) onSynced();
        return;
      }
      if (waiting && res.typeUrl === waiting.type && --waiting.pending === 0) send({ op: "received", last: now(), cpuMs: cpuMs(process.cpuUsage(waiting.cpu)) });
    });
    call.on("error", () => undefined);
    call.write({ node: { id: `${m.gateway}/envoy-${m.first + i}`, cluster: m.gateway }, typeUrl: TypeUrl.Cluster });
    call.write({ typeUrl: TypeUrl.Listener });
  };

  process.on("message", (m: ToClient) => {
    if (m.op === "sync") {
      const cpu = process.cpuUsage();
      const start = now();
      let done = 0;
      for (let i = 0; i < m.streams; i++) {
        open(m, i, () => {
          if (++done === m.streams) send({ op: "synced", start, end: now(), cpuMs: cpuMs(process.cpuUsage(cpu)) });
        });
      }
    } else if (m.op === "expect") {
      waiting = { type: m.type, pending: calls.length, cpu: process.cpuUsage() };
      send({ op: "armed" });
    } else {
      for (const c of calls) c.cancel();
      for (const c of clients) c.close();
      calls = [];
      clients = [];
      edsRequest = undefined;
      send({ op: "closed", maxRssBytes: process.resourceUsage().maxRSS * 1024 });
    }
  });
}
