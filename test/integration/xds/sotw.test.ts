/**
 * State-of-the-world ADS over real gRPC with a raw client: initial sync, ACK/NACK, no resend after
 * a NACK, stale nonces, the in-flight subscription race, push order, removals, unknown nodes,
 * malformed requests and proxyless API listeners. "Nothing was sent" is checked by ordering: the
 * server answers in order on a stream, so a response triggered later arrives after any resend.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import {
  NODE,
  TestClient,
  type TestStream,
  TypeUrl,
  basicResources,
  edsCluster,
  assignment,
  secret,
  snapshotOf,
  startServer,
  until,
} from "./helpers";
import type { SnapshotCache } from "../../../src/xds/cache";
import type { XdsServer } from "../../../src/xds/server";

let server: XdsServer;
let cache: SnapshotCache;
let port: number;
let logs: string[];
let client: TestClient;

beforeEach(async () => {
  ({ server, cache, port, logs } = await startServer());
  client = new TestClient(port);
});

afterEach(async () => {
  client.close();
  await server.stop(500);
});

const names = (r: { resources: Array<{ name: string }> }): string[] => r.resources.map(x => x.name);

async function subscribeAll(s: TestStream): Promise<Record<string, string>> {
  const nonces: Record<string, string> = {};
  s.send({ node: NODE, typeUrl: TypeUrl.Cluster });
  const cds = await s.next();
  nonces.cds = cds.nonce;
  s.send({ typeUrl: TypeUrl.Cluster, versionInfo: cds.versionInfo, responseNonce: cds.nonce });
  s.send({ typeUrl: TypeUrl.Endpoint, resourceNames: names(cds) });
  const eds = await s.next();
  s.send({ typeUrl: TypeUrl.Endpoint, resourceNames: names(cds), versionInfo: eds.versionInfo, responseNonce: eds.nonce });
  s.send({ typeUrl: TypeUrl.Listener });
  const lds = await s.next();
  s.send({ typeUrl: TypeUrl.Listener, versionInfo: lds.versionInfo, responseNonce: lds.nonce });
  s.send({ typeUrl: TypeUrl.Route, resourceNames: ["default/eg/80"] });
  const rds = await s.next();
  s.send({ typeUrl: TypeUrl.Route, resourceNames: ["default/eg/80"], versionInfo: rds.versionInfo, responseNonce: rds.nonce });
  return { cds: cds.nonce, eds: eds.nonce, lds: lds.nonce, rds: rds.nonce };
}

describe("SotW ADS", () => {
  it("serves the initial state: wildcard CDS/LDS, named EDS/RDS", async () => {
    cache.set(snapshotOf("default/eg", basicResources()));
    const s = client.sotw();
    s.send({ node: NODE, typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    expect(cds.typeUrl).toBe(TypeUrl.Cluster);
    expect(names(cds)).toEqual(["a", "b"]);
    expect(cds.versionInfo).toBe(cache.get("default/eg")?.version);
    s.send({ typeUrl: TypeUrl.Endpoint, resourceNames: ["b"] });
    const eds = await s.next();
    expect(names(eds)).toEqual(["b"]);
    expect(eds.nonce).not.toBe(cds.nonce);
    s.send({ typeUrl: TypeUrl.Route, resourceNames: ["default/eg/80", "missing"] });
    const rds = await s.next();
    expect(names(rds)).toEqual(["default/eg/80"]);
    s.close();
  });

  it("pushes a new snapshot in order CDS, EDS, LDS, RDS and nothing after ACKs", async () => {
    cache.set(snapshotOf("default/eg", basicResources()));
    const s = client.sotw();
    await subscribeAll(s);
    const before = server.metrics.pushCount();
    cache.set(snapshotOf("default/eg", basicResources({ clusters: ["a", "b"], endpoints: { a: [["10.0.0.9", 80]] }, domains: ["x.example.com"] })));
    const first = await s.next();
    const second = await s.next();
    expect([first.typeUrl, second.typeUrl]).toEqual([TypeUrl.Endpoint, TypeUrl.Route]);
    expect(server.metrics.pushCount()).toBe(before + 2);
    cache.set(snapshotOf("default/eg", { ...basicResources(), [TypeUrl.Cluster]: [edsCluster("a"), edsCluster("b"), edsCluster("c")], [TypeUrl.Endpoint]: ["a", "b", "c"].map(c => assignment(c, [["10.0.0.1", 8080]])) }));
    const order: string[] = [];
    for (let i = 0; i < 3; i++) order.push((await s.next()).typeUrl);
    expect(order).toEqual([TypeUrl.Cluster, TypeUrl.Endpoint, TypeUrl.Route]);
    s.close();
  });

  it("does not resend a NACKed response; a new snapshot or subscription does", async () => {
    cache.set(snapshotOf("default/eg", basicResources()));
    const s = client.sotw();
    s.send({ node: NODE, typeUrl: TypeUrl.Route, resourceNames: ["default/eg/80"] });
    const rds = await s.next();
    s.send({ typeUrl: TypeUrl.Route, resourceNames: ["default/eg/80"], responseNonce: rds.nonce, errorDetail: { code: 3, message: "route table rejected" } });
    // Only clusters change: the next response must be CDS, not the NACKed route table again.
    s.send({ typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    expect(cds.typeUrl).toBe(TypeUrl.Cluster);
    cache.set(snapshotOf("default/eg", { ...basicResources(), [TypeUrl.Cluster]: [edsCluster("a"), edsCluster("b"), edsCluster("z")], [TypeUrl.Endpoint]: ["a", "b", "z"].map(c => assignment(c, [["10.0.0.1", 8080]])) }));
    const next = await s.next();
    expect(next.typeUrl).toBe(TypeUrl.Cluster);
    expect(names(next)).toContain("z");
    await until(() => server.metrics.nackCount() === 1, "the NACK to be counted");
    const nack = [...server.metrics.nacks.values()][0];
    expect(nack).toMatchObject({ gateway: "default/eg", typeUrl: TypeUrl.Route, message: "route table rejected" });
    expect(logs.some(l => l.includes("rejected RouteConfiguration: route table rejected"))).toBe(true);
    // A new route table is sent again.
    cache.set(snapshotOf("default/eg", { ...basicResources({ domains: ["new.example.com"] }), [TypeUrl.Cluster]: [edsCluster("a"), edsCluster("b"), edsCluster("z")], [TypeUrl.Endpoint]: ["a", "b", "z"].map(c => assignment(c, [["10.0.0.1", 8080]])) }));
    const rds2 = await s.next();
    expect(rds2.typeUrl).toBe(TypeUrl.Route);
    expect(rds2.resources[0].message.virtualHosts).toMatchObject([{ domains: ["new.example.com"] }]);
    s.close();
  });

  it("ignores a stale nonce and answers the subscription change once the response is ACKed", async () => {
    cache.set(snapshotOf("default/eg", basicResources()));
    const s = client.sotw();
    s.send({ node: NODE, typeUrl: TypeUrl.Endpoint, resourceNames: ["a"] });
    // The client adds "b" before it has seen the response to its first request (stale nonce "").
    s.send({ typeUrl: TypeUrl.Endpoint, resourceNames: ["a", "b"] });
    const first = await s.next();
    expect(names(first)).toEqual(["a"]);
    // It ACKs with the names it now wants: the server sees they differ from what it sent.
    s.send({ typeUrl: TypeUrl.Endpoint, resourceNames: ["a", "b"], versionInfo: first.versionInfo, responseNonce: first.nonce });
    const second = await s.next();
    expect(names(second)).toEqual(["a", "b"]);
    // A request carrying an old nonce gets nothing; the next current one is answered.
    s.send({ typeUrl: TypeUrl.Endpoint, resourceNames: ["b"], responseNonce: first.nonce });
    s.send({ typeUrl: TypeUrl.Cluster, resourceNames: ["a"] });
    const cds = await s.next();
    expect(cds.typeUrl).toBe(TypeUrl.Cluster);
    s.close();
  });

  it("removes a Cluster after its dependents are updated (make before break)", async () => {
    cache.set(snapshotOf("default/eg", basicResources({ clusters: ["a", "b"] })));
    const s = client.sotw();
    await subscribeAll(s);
    cache.set(snapshotOf("default/eg", basicResources({ clusters: ["a"] })));
    const kept = await s.next();
    expect(kept.typeUrl).toBe(TypeUrl.Cluster);
    expect(names(kept).sort()).toEqual(["a", "b"]);
    const eds = await s.next();
    expect([eds.typeUrl, names(eds)]).toEqual([TypeUrl.Endpoint, ["a"]]);
    const final = await s.next();
    expect([final.typeUrl, names(final)]).toEqual([TypeUrl.Cluster, ["a"]]);
    s.close();
  });

  it("sends empty CDS and LDS when the Gateway's snapshot is deleted", async () => {
    cache.set(snapshotOf("default/eg", basicResources()));
    const s = client.sotw();
    await subscribeAll(s);
    cache.delete("default/eg");
    const cds = await s.next();
    const lds = await s.next();
    expect([cds.typeUrl, cds.resources.length, lds.typeUrl, lds.resources.length]).toEqual([TypeUrl.Cluster, 0, TypeUrl.Listener, 0]);
    s.close();
  });

  it("gives an unknown node nothing and one log line, and serves it once its Gateway appears", async () => {
    const s = client.sotw();
    s.send({ node: { id: "proxy-1", cluster: "other/gw" }, typeUrl: TypeUrl.Cluster });
    s.send({ typeUrl: TypeUrl.Listener });
    await until(() => logs.some(l => l.includes("other/gw") && l.includes("no configuration")), "the unknown-node log line");
    expect(logs.filter(l => l.includes("other/gw")).length).toBe(1);
    cache.set(snapshotOf("other/gw", basicResources()));
    const cds = await s.next();
    expect(cds.typeUrl).toBe(TypeUrl.Cluster);
    const lds = await s.next();
    expect(lds.typeUrl).toBe(TypeUrl.Listener);
    const anonymous = client.sotw();
    anonymous.send({ node: { id: "no-gateway-here" }, typeUrl: TypeUrl.Cluster });
    await until(() => logs.some(l => l.includes("names no Gateway")), "the no-Gateway log line");
    expect(server.metrics.unknownNodes).toBe(2);
    s.close();
    anonymous.close();
  });

  it("survives malformed requests and unknown types", async () => {
    cache.set(snapshotOf("default/eg", basicResources()));
    const bad = client.sotw();
    bad.send(Buffer.from([0xff, 0xff, 0xff, 0xff]) as never);
    await until(() => bad.error !== undefined || bad.ended, "the malformed stream to be closed");
    const s = client.sotw();
    s.send({ node: NODE, typeUrl: "type.googleapis.com/envoy.service.runtime.v3.Runtime" });
    s.send({ typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    expect(cds.typeUrl).toBe(TypeUrl.Cluster);
    expect(server.metrics.badRequests).toBe(1);
    s.close();
  });

  it("gives named-LDS (proxyless gRPC) clients API listeners, and wildcard clients never", async () => {
    cache.set(snapshotOf("default/eg", basicResources()));
    const grpcNode = client.sotw();
    grpcNode.send({ node: { id: "grpc-client", cluster: "default/eg" }, typeUrl: TypeUrl.Listener, resourceNames: ["www.example.com:80", "unknown.example.org"] });
    const lds = await grpcNode.next();
    expect(names(lds)).toEqual(["www.example.com:80"]);
    const hcm = (lds.resources[0].message.apiListener as { apiListener: Record<string, unknown> }).apiListener;
    expect(hcm["@type"]).toContain("HttpConnectionManager");
    expect(hcm.rds).toMatchObject({ routeConfigName: "default/eg/80", configSource: { ads: {} } });
    const envoy = client.sotw();
    envoy.send({ node: NODE, typeUrl: TypeUrl.Listener, resourceNames: ["*", "www.example.com"] });
    const envoyLds = await envoy.next();
    expect(names(envoyLds)).toEqual(["default/eg/80"]);
    grpcNode.close();
    envoy.close();
  });

  it("serves TLS material over SDS on the same stream, by name", async () => {
    cache.set(snapshotOf("default/eg", { ...basicResources(), [TypeUrl.Secret]: [secret("default/eg-cert"), secret("other")] }));
    const s = client.sotw();
    s.send({ node: NODE, typeUrl: TypeUrl.Cluster });
    await s.next();
    s.send({ typeUrl: TypeUrl.Secret, resourceNames: ["default/eg-cert"] });
    const sds = await s.next();
    expect([sds.typeUrl, names(sds)]).toEqual([TypeUrl.Secret, ["default/eg-cert"]]);
    expect(sds.resources[0].message).toMatchObject({ tlsCertificate: { certificateChain: { inlineString: "-----CERT-----" } } });
    s.close();
  });

  it("fills in the locality and its weight that gRPC needs, for proxyless streams only", async () => {
    const snap = snapshotOf("default/eg", basicResources());
    cache.set(snap);
    const grpcNode = client.sotw();
    grpcNode.send({ node: { id: "grpc-client", cluster: "default/eg" }, typeUrl: TypeUrl.Listener, resourceNames: ["www.example.com"] });
    await grpcNode.next();
    grpcNode.send({ typeUrl: TypeUrl.Endpoint, resourceNames: ["a"] });
    const grpcEds = await grpcNode.next();
    expect(grpcEds.resources[0].message.endpoints).toMatchObject([{ locality: {}, loadBalancingWeight: { value: 1 } }]);
    const envoy = client.sotw();
    envoy.send({ node: NODE, typeUrl: TypeUrl.Endpoint, resourceNames: ["a"] });
    const envoyEds = await envoy.next();
    expect((envoyEds.resources[0].message.endpoints as Array<Record<string, unknown>>)[0].locality).toBeUndefined();
    grpcNode.close();
    envoy.close();
  });

  it("reports connected streams and closes them on stop", async () => {
    cache.set(snapshotOf("default/eg", basicResources()));
    const s = client.sotw();
    s.send({ node: NODE, typeUrl: TypeUrl.Cluster });
    await s.next();
    expect(server.metrics.streams.sotw).toBe(1);
    expect(server.openStreams().byGateway.get("default/eg")).toBe(1);
    await server.stop(500);
    await until(() => s.ended || s.error !== undefined, "the stream to end");
    expect(server.metrics.streams.sotw).toBe(0);
    expect(grpc.status.OK).toBe(0);
  });
});
