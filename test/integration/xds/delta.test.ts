/**
 * Delta ADS over real gRPC with a raw client: initial sync with per-resource versions, updates
 * carrying only what changed, removals, unsubscribe and re-subscribe, NACK without resend,
 * reconnect with initial_resource_versions, names that do not exist, and the in-flight
 * subscription race. "Nothing was sent" is checked by ordering, as in the SotW tests.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NODE, TestClient, type TestStream, TypeUrl, assignment, basicResources, edsCluster, snapshotOf, startServer, until } from "./helpers";
import type { SnapshotCache } from "../../../src/xds/cache";
import type { XdsServer } from "../../../src/xds/server";

let server: XdsServer;
let cache: SnapshotCache;
let client: TestClient;

beforeEach(async () => {
  let port: number;
  ({ server, cache, port } = await startServer());
  client = new TestClient(port);
});

afterEach(async () => {
  client.close();
  await server.stop(500);
});

const names = (r: { resources: Array<{ name: string }> }): string[] => r.resources.map(x => x.name).sort();

function world(clusters: string[], endpoints: Record<string, Array<[string, number]>> = {}) {
  return snapshotOf("default/eg", basicResources({ clusters, endpoints }));
}

let barriers = 0;

/**
 * Waits until the server has processed everything sent before: a subscription to a Secret that
 * does not exist is answered with its name in removed_resources, after every earlier request.
 */
async function barrier(s: TestStream): Promise<void> {
  const name = `barrier-${++barriers}`;
  s.send({ typeUrl: TypeUrl.Secret, resourceNamesSubscribe: [name] });
  const r = await s.next();
  expect([r.typeUrl, r.removedResources]).toEqual([TypeUrl.Secret, [name]]);
}

async function syncAll(s: TestStream): Promise<void> {
  s.send({ node: NODE, typeUrl: TypeUrl.Cluster });
  const cds = await s.next();
  s.send({ typeUrl: TypeUrl.Cluster, responseNonce: cds.nonce });
  s.send({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: names(cds) });
  const eds = await s.next();
  s.send({ typeUrl: TypeUrl.Endpoint, responseNonce: eds.nonce });
  await barrier(s);
}

describe("Delta ADS", () => {
  it("syncs wildcard and named subscriptions with per-resource versions", async () => {
    const snap = world(["a", "b"]);
    cache.set(snap);
    const s = client.delta();
    s.send({ node: NODE, typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    expect(cds.typeUrl).toBe(TypeUrl.Cluster);
    expect(cds.systemVersionInfo).toBe(snap.version);
    expect(cds.resources.map(r => [r.name, r.version])).toEqual(
      [...(snap.resources.get(TypeUrl.Cluster)?.values() ?? [])].map(r => [r.name, r.version]),
    );
    s.send({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: ["b"] });
    const eds = await s.next();
    expect(names(eds)).toEqual(["b"]);
    expect(eds.resources[0].message).toMatchObject({ clusterName: "b" });
    s.close();
  });

  it("sends only what changed, then removals after the upserts", async () => {
    cache.set(world(["a", "b"]));
    const s = client.delta();
    await syncAll(s);
    cache.set(world(["a", "b"], { b: [["10.1.1.1", 9000]] }));
    const update = await s.next();
    expect([update.typeUrl, names(update), update.removedResources]).toEqual([TypeUrl.Endpoint, ["b"], []]);
    cache.set(world(["a", "c"], { c: [["10.2.2.2", 9000]] }));
    const upsertCds = await s.next();
    expect([upsertCds.typeUrl, names(upsertCds), upsertCds.removedResources]).toEqual([TypeUrl.Cluster, ["c"], []]);
    // EDS: "c" is not subscribed by name (EDS is not wildcard), so only the removal of "b" follows.
    const removeCds = await s.next();
    expect([removeCds.typeUrl, names(removeCds), removeCds.removedResources]).toEqual([TypeUrl.Cluster, [], ["b"]]);
    const removeEds = await s.next();
    expect([removeEds.typeUrl, removeEds.removedResources]).toEqual([TypeUrl.Endpoint, ["b"]]);
    s.close();
  });

  it("stops sending an unsubscribed resource and sends it again on re-subscription", async () => {
    cache.set(world(["a", "b"]));
    const s = client.delta();
    await syncAll(s);
    s.send({ typeUrl: TypeUrl.Endpoint, resourceNamesUnsubscribe: ["b"] });
    await barrier(s);
    cache.set(world(["a", "b"], { a: [["10.0.0.2", 1]], b: [["10.0.0.3", 1]] }));
    const update = await s.next();
    expect([update.typeUrl, names(update)]).toEqual([TypeUrl.Endpoint, ["a"]]);
    s.send({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: ["b"], responseNonce: update.nonce });
    const again = await s.next();
    expect([names(again), again.resources[0].message]).toMatchObject([["b"], { endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: "10.0.0.3" } } } }] }] }]);
    s.close();
  });

  it("does not resend a NACKed version; a new version is sent", async () => {
    cache.set(world(["a", "b"]));
    const s = client.delta();
    await syncAll(s);
    cache.set(world(["a", "b"], { a: [["10.9.9.9", 1]] }));
    const update = await s.next();
    s.send({ typeUrl: TypeUrl.Endpoint, responseNonce: update.nonce, errorDetail: { code: 3, message: "bad endpoint" } });
    await barrier(s);
    // A change of clusters only: the next response is CDS, not the NACKed assignment again.
    const clusters = [edsCluster("a"), { ...edsCluster("b"), connectTimeout: { seconds: 9 } }];
    cache.set(snapshotOf("default/eg", { ...basicResources({ clusters: ["a", "b"], endpoints: { a: [["10.9.9.9", 1]] } }), [TypeUrl.Cluster]: clusters }));
    const next = await s.next();
    expect([next.typeUrl, names(next)]).toEqual([TypeUrl.Cluster, ["b"]]);
    await until(() => server.metrics.nackCount() === 1, "the NACK to be counted");
    expect([...server.metrics.nacks.values()][0]).toMatchObject({ typeUrl: TypeUrl.Endpoint, message: "bad endpoint" });
    cache.set(snapshotOf("default/eg", { ...basicResources({ clusters: ["a", "b"], endpoints: { a: [["10.8.8.8", 1]] } }), [TypeUrl.Cluster]: clusters }));
    const fixed = await s.next();
    expect([fixed.typeUrl, names(fixed)]).toEqual([TypeUrl.Endpoint, ["a"]]);
    s.close();
  });

  it("loses no subscription made while a response is in flight", async () => {
    cache.set(world(["a", "b", "c"]));
    const s = client.delta();
    s.send({ node: NODE, typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: ["a"] });
    s.send({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: ["b"] });
    s.send({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: ["c"], responseNonce: "stale-or-unknown" });
    const got = new Set<string>();
    while (got.size < 3) for (const r of (await s.next()).resources) got.add(r.name);
    expect([...got].sort()).toEqual(["a", "b", "c"]);
    s.close();
  });

  it("resumes from initial_resource_versions and reports names that do not exist", async () => {
    const snap = world(["a", "b"]);
    cache.set(snap);
    const versions = Object.fromEntries([...(snap.resources.get(TypeUrl.Endpoint)?.values() ?? [])].map(r => [r.name, r.version]));
    cache.set(world(["a", "b"], { b: [["10.3.3.3", 1]] }));
    const s = client.delta();
    s.send({ node: NODE, typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: ["a", "b", "ghost"], initialResourceVersions: versions });
    const first = await s.next();
    expect([names(first), first.removedResources]).toEqual([["b"], ["ghost"]]);
    cache.set(snapshotOf("default/eg", { ...basicResources({ clusters: ["a", "b"], endpoints: { b: [["10.3.3.3", 1]] } }), [TypeUrl.Cluster]: ["a", "b", "ghost"].map(edsCluster), [TypeUrl.Endpoint]: ["a", "b", "ghost"].map(c => assignment(c, c === "b" ? [["10.3.3.3", 1]] : [["10.0.0.1", 8080]])) }));
    const born = await s.next();
    expect([born.typeUrl, names(born)]).toEqual([TypeUrl.Endpoint, ["ghost"]]);
    s.close();
  });

  it("shares one response among streams that get the same resources, never repeating a nonce on a stream", async () => {
    cache.set(world(["a", "b"]));
    const [s1, s2] = [client.delta(), client.delta()];
    for (const s of [s1, s2]) s.send({ node: NODE, typeUrl: TypeUrl.Cluster });
    const [r1, r2] = [await s1.next(), await s2.next()];
    expect(r1.nonce).toBe(r2.nonce);
    expect(names(r1)).toEqual(names(r2));
    cache.set(snapshotOf("default/eg", { ...basicResources({ clusters: ["a", "b"] }), [TypeUrl.Cluster]: [edsCluster("a"), { ...edsCluster("b"), connectTimeout: { seconds: 7 } }] }));
    const [u1, u2] = [await s1.next(), await s2.next()];
    expect([u1.nonce, names(u1)]).toEqual([u2.nonce, ["b"]]);
    expect(u1.nonce).not.toBe(r1.nonce);
    // Leaving and re-joining the wildcard gets the same clusters again, under a new nonce.
    s1.send({ typeUrl: TypeUrl.Cluster, resourceNamesUnsubscribe: ["*"] });
    s1.send({ typeUrl: TypeUrl.Cluster, resourceNamesSubscribe: ["*"] });
    const again = await s1.next();
    expect(names(again)).toEqual(["a", "b"]);
    expect([r1.nonce, u1.nonce]).not.toContain(again.nonce);
    s1.close();
    s2.close();
  });

  it("answers a first request even when nothing matches, and unsubscribes from the wildcard", async () => {
    cache.set(snapshotOf("default/eg", { ...basicResources(), [TypeUrl.Secret]: [] }));
    const s = client.delta();
    s.send({ node: NODE, typeUrl: TypeUrl.Secret, resourceNamesSubscribe: ["cert"] });
    const sds = await s.next();
    expect([sds.typeUrl, sds.resources.length, sds.removedResources]).toEqual([TypeUrl.Secret, 0, ["cert"]]);
    s.send({ typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    expect(names(cds)).toEqual(["a", "b"]);
    s.send({ typeUrl: TypeUrl.Cluster, resourceNamesUnsubscribe: ["*"], responseNonce: cds.nonce });
    await barrier(s);
    // No longer subscribed to clusters: a new cluster is not pushed, the next response is EDS.
    cache.set(world(["a", "b", "c"]));
    s.send({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: ["c"] });
    const eds = await s.next();
    expect([eds.typeUrl, names(eds)]).toEqual([TypeUrl.Endpoint, ["c"]]);
    s.close();
  });
});
