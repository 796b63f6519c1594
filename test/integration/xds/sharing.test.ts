/**
 * What many streams of one Gateway share: responses framed once and written to every stream
 * without a copy, identical large requests decoded once, one set of subscribed names for streams
 * that subscribe alike, and the right answers when one of those streams then goes its own way.
 */
import type * as grpc from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NODE, TestClient, type TestStream, TypeUrl, basicResources, snapshotOf, startServer } from "./helpers";
import type { SnapshotCache } from "../../../src/xds/cache";
import type { XdsServer } from "../../../src/xds/server";
import { PREFIX_BYTES, allocMessage, framedBytes, framingInterceptor, framingStats } from "../../../src/xds/server/framing";
import { adsServiceDefinition } from "../../../src/xds/server/service";

const CLUSTERS = Array.from({ length: 120 }, (_, i) => `cluster-${String(i).padStart(3, "0")}`);
const world = (endpoints: Record<string, Array<[string, number]>> = {}) => snapshotOf("default/eg", basicResources({ clusters: CLUSTERS, endpoints }));
const names = (r: { resources: Array<{ name: string }> }): string[] => r.resources.map(x => x.name).sort();

describe("framing", () => {
  type FakeCall = { serializeMessage?: (value: unknown) => Buffer };
  const method = (path: string) => ({ path }) as grpc.ServerMethodDefinition<unknown, unknown>;
  const intercept = (path: string, call: FakeCall) => framingInterceptor("/pkg.Ads/")(method(path), call as never) as unknown as FakeCall;

  it("hands over a framed body as it is, with the gRPC prefix in front", () => {
    const body = allocMessage(3);
    body.set([7, 8, 9]);
    const call = intercept("/pkg.Ads/Stream", { serializeMessage: () => Buffer.from("copied") });
    const out = call.serializeMessage?.(body) as Buffer;
    expect(out).toBe(framedBytes(body));
    expect([...out]).toEqual([0, 0, 0, 0, 3, 7, 8, 9]);
    expect(out.length).toBe(body.length + PREFIX_BYTES);
    expect(call.serializeMessage?.(Buffer.from([1]))?.toString()).toBe("copied");
    expect(call.serializeMessage?.({ plain: true })?.toString()).toBe("copied");
  });

  it("leaves other services alone and counts calls it cannot help", () => {
    const original = (): Buffer => Buffer.from("x");
    const other = intercept("/other.Service/Call", { serializeMessage: original });
    expect(other.serializeMessage).toBe(original);
    const before = framingStats.copying;
    const bare = {};
    expect(intercept("/pkg.Ads/Stream", bare)).toBe(bare);
    expect(framingStats.copying).toBe(before + 1);
  });

  it("decodes identical large requests once, into a frozen object; small ones every time", () => {
    const { requestSerialize, requestDeserialize } = adsServiceDefinition().DeltaAggregatedResources;
    const big = { typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: CLUSTERS };
    const first = requestDeserialize(Buffer.from(requestSerialize(big))) as { resourceNamesSubscribe: string[] };
    const again = requestDeserialize(Buffer.from(requestSerialize(big)));
    expect(again).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.resourceNamesSubscribe)).toBe(true);
    expect(first.resourceNamesSubscribe).toEqual(CLUSTERS);
    const other = requestDeserialize(Buffer.from(requestSerialize({ ...big, resourceNamesSubscribe: [...CLUSTERS].reverse() })));
    expect(other).not.toBe(first);
    const small = { typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: ["a"] };
    expect(requestDeserialize(Buffer.from(requestSerialize(small)))).not.toBe(requestDeserialize(Buffer.from(requestSerialize(small))));
  });
});

describe("streams that subscribe alike", () => {
  let server: XdsServer;
  let cache: SnapshotCache;
  let clients: TestClient[];

  beforeEach(async () => {
    let port: number;
    ({ server, cache, port } = await startServer());
    clients = Array.from({ length: 4 }, () => new TestClient(port));
  });

  afterEach(async () => {
    for (const c of clients) c.close();
    await server.stop(500);
  });

  async function sync(s: TestStream, i: number): Promise<void> {
    s.send({ node: { ...NODE, id: `${NODE.id}-${i}` }, typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    expect(names(cds)).toEqual(CLUSTERS);
    s.send({ typeUrl: TypeUrl.Cluster, responseNonce: cds.nonce });
    s.send({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: CLUSTERS });
    const eds = await s.next();
    expect(names(eds)).toEqual(CLUSTERS);
    s.send({ typeUrl: TypeUrl.Endpoint, responseNonce: eds.nonce });
  }

  it("get the same responses without a copy per stream, and each its own changes afterwards", async () => {
    const zeroCopy = framingStats.zeroCopy;
    cache.set(world());
    const streams = clients.map(c => c.delta());
    await Promise.all(streams.map((s, i) => sync(s, i)));
    expect(framingStats.zeroCopy).toBe(zeroCopy + streams.length);
    // One stream leaves an endpoint set; a change then touches it and another one.
    streams[0].send({ typeUrl: TypeUrl.Endpoint, resourceNamesUnsubscribe: [CLUSTERS[1]] });
    streams[0].send({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: ["not-there"] });
    const absent = await streams[0].next();
    expect([absent.resources, absent.removedResources]).toEqual([[], ["not-there"]]);
    streams[0].send({ typeUrl: TypeUrl.Endpoint, responseNonce: absent.nonce });
    cache.set(world({ [CLUSTERS[1]]: [["10.9.9.1", 80]], [CLUSTERS[2]]: [["10.9.9.2", 80]] }));
    const updates = await Promise.all(streams.map(s => s.next()));
    expect(names(updates[0])).toEqual([CLUSTERS[2]]);
    for (const u of updates.slice(1)) expect(names(u)).toEqual([CLUSTERS[1], CLUSTERS[2]]);
    expect(updates[1].resources[0].message).toMatchObject({ clusterName: CLUSTERS[1] });
    // A stream that arrives now gets the current endpoints, not those of the first snapshot.
    const late = clients[0].delta();
    late.send({ node: NODE, typeUrl: TypeUrl.Cluster });
    await late.next();
    late.send({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: CLUSTERS }); // the same bytes as the others sent
    const eds = await late.next();
    expect(names(eds)).toEqual(CLUSTERS);
    const one = eds.resources.find(r => r.name === CLUSTERS[1])?.message as { endpoints: unknown[] };
    expect(JSON.stringify(one.endpoints)).toContain("10.9.9.1");
    for (const s of [...streams, late]) s.close();
  });
});
