/** The snapshot cache: node rule, set/get/delete, watchers, consistency, stats. */
import { describe, expect, it } from "vitest";
import { SnapshotCache, gatewayKeyOfNode, rdsNames, sdsNames, snapshotProblems } from "../../../src/xds/cache";
import type { EncodedResource } from "../../../src/xds/types";
import { TypeUrl, basicResources, edsCluster, httpListener, snapshotOf } from "../../integration/xds/helpers";

describe("gatewayKeyOfNode", () => {
  it.each([
    [{ cluster: "default/eg", id: "x" }, "default/eg"],
    [{ cluster: " default/eg ", id: "x" }, "default/eg"],
    [{ cluster: "", id: "default/eg" }, "default/eg"],
    [{ cluster: "envoy", id: "team-a/gw/envoy-7d9c-xyz" }, "team-a/gw"],
    [{ cluster: "a/b/c", id: "ns/gw" }, "ns/gw"],
    [{ cluster: "envoy", id: "envoy-1" }, undefined],
    [{ id: "/gw" }, undefined],
    [{}, undefined],
    [null, undefined],
  ])("%j → %s", (node, key) => {
    expect(gatewayKeyOfNode(node)).toBe(key);
  });
});

describe("SnapshotCache", () => {
  it("sets, gets, deletes and notifies watchers only on change", () => {
    const cache = new SnapshotCache({ now: () => 42 });
    const seen: Array<string | undefined> = [];
    const stop = cache.watch("default/eg", s => seen.push(s?.version));
    const s1 = snapshotOf("default/eg", basicResources());
    expect(cache.set(s1)).toEqual({ changed: true, problems: [] });
    expect(cache.set(snapshotOf("default/eg", basicResources()))).toEqual({ changed: false, problems: [] });
    expect(cache.get("default/eg")).toBe(s1);
    const s2 = snapshotOf("default/eg", basicResources({ clusters: ["a"] }));
    cache.set(s2);
    cache.set(snapshotOf("other/gw", basicResources()));
    expect(cache.keys()).toEqual(["default/eg", "other/gw"]);
    expect(cache.delete("default/eg")).toBe(true);
    expect(cache.delete("default/eg")).toBe(false);
    expect(seen).toEqual([s1.version, s2.version, undefined]);
    stop();
    cache.set(s1);
    expect(seen.length).toBe(3);
    const stats = cache.stats();
    expect(stats).toMatchObject({ sets: 4, unchangedSets: 1, refusedSets: 0, deletes: 1, notifications: 3 });
    expect(stats.gateways.map(g => [g.gateway, g.setAt, g.resources[TypeUrl.Cluster]])).toEqual([
      ["default/eg", 42, 2],
      ["other/gw", 42, 2],
    ]);
  });

  it("refuses a snapshot with dangling references and keeps the previous one", () => {
    const logs: string[] = [];
    const cache = new SnapshotCache({ log: l => logs.push(l) });
    const good = snapshotOf("default/eg", basicResources());
    cache.set(good);
    const bad = snapshotOf("default/eg", {
      [TypeUrl.Cluster]: [edsCluster("a")],
      [TypeUrl.Listener]: [httpListener("l", 80, "missing-routes")],
    });
    const result = cache.set(bad);
    expect(result.changed).toBe(false);
    expect(result.problems).toEqual(["cluster a: no ClusterLoadAssignment a", "listener l: no RouteConfiguration missing-routes"]);
    expect(cache.get("default/eg")).toBe(good);
    expect(cache.stats().refusedSets).toBe(1);
    expect(logs[0]).toContain("refused snapshot");
  });

  it("checks a resource carried over from the previous snapshot against the new one", () => {
    const cache = new SnapshotCache();
    const good = snapshotOf("default/eg", basicResources({ clusters: ["a", "b"] }));
    expect(cache.set(good).problems).toEqual([]);
    const clusters = good.resources.get(TypeUrl.Cluster) as ReadonlyMap<string, EncodedResource>;
    const endpoints = new Map(good.resources.get(TypeUrl.Endpoint));
    endpoints.delete("b");
    const resources = new Map(good.resources);
    resources.set(TypeUrl.Endpoint, endpoints);
    // The same Cluster objects as before; only what they refer to is gone.
    const next = { gateway: good.gateway, version: "next", resources };
    expect(resources.get(TypeUrl.Cluster)).toBe(clusters);
    expect(cache.set(next).problems).toEqual(["cluster b: no ClusterLoadAssignment b"]);
    endpoints.set("b", good.resources.get(TypeUrl.Endpoint)?.get("b") as EncodedResource);
    expect(cache.set({ ...next, version: "again" })).toEqual({ changed: true, problems: [] });
  });

  it("keeps notifying other watchers when one throws", () => {
    const logs: string[] = [];
    const cache = new SnapshotCache({ log: l => logs.push(l) });
    let called = 0;
    cache.watch("default/eg", () => {
      throw new Error("boom");
    });
    cache.watch("default/eg", () => called++);
    cache.set(snapshotOf("default/eg", basicResources()));
    expect(called).toBe(1);
    expect(logs[0]).toContain("boom");
  });

  it("finds RDS and SDS references anywhere in a message", () => {
    const listener = httpListener("l", 443, "rc");
    (listener.filterChains as Array<Record<string, unknown>>)[0].transportSocket = {
      name: "tls",
      typedConfig: { commonTlsContext: { tlsCertificateSdsSecretConfigs: [{ name: "cert-1", sdsConfig: { ads: {} } }] } },
    };
    expect(rdsNames(listener)).toEqual(["rc"]);
    expect(sdsNames(listener)).toEqual(["cert-1"]);
    expect(snapshotProblems(snapshotOf("x/y", { [TypeUrl.Listener]: [httpListener("l", 80, "rc")] }))).toEqual(["listener l: no RouteConfiguration rc"]);
  });
});
