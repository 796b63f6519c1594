/** The observability endpoints as a function of the cache and the metrics. */
import { describe, expect, it } from "vitest";
import { SnapshotCache } from "../../../src/xds/cache";
import { handle } from "../../../src/xds/http";
import { XdsMetrics } from "../../../src/xds/server/metrics";
import { TypeUrl, basicResources, snapshotOf } from "./helpers";

function setup() {
  const cache = new SnapshotCache();
  const metrics = new XdsMetrics();
  cache.set(snapshotOf("default/eg", basicResources()));
  cache.set(snapshotOf("team/gw", basicResources({ clusters: ["x"] })));
  return { cache, metrics };
}

describe("HTTP endpoints", () => {
  it("answers healthz by readiness", () => {
    const { cache, metrics } = setup();
    let ready = false;
    expect(handle({ cache, metrics, ready: () => ready }, "GET", "/healthz").status).toBe(503);
    ready = true;
    expect(handle({ cache, metrics, ready: () => ready }, "GET", "/healthz")).toMatchObject({ status: 200, body: "ok\n" });
  });

  it("exposes snapshot versions, streams, pushes, ACKs and NACKs with the last error", () => {
    const { cache, metrics } = setup();
    metrics.streamOpened("delta");
    metrics.pushed("delta", TypeUrl.Cluster, 1234, 2);
    metrics.acked("delta", TypeUrl.Cluster);
    metrics.nacked("default/eg", TypeUrl.Route, "node-1", 'bad "route"\nline');
    metrics.nacked("default/eg", TypeUrl.Route, "node-1", "still bad");
    metrics.translateDuration.observe(12);
    const body = handle({ cache, metrics }, "GET", "/metrics").body;
    expect(body).toContain(`peg_xds_snapshot_info{gateway="default/eg",version="${cache.get("default/eg")?.version}"} 1`);
    expect(body).toContain('peg_xds_snapshot_resources{gateway="team/gw",type="Cluster"} 1');
    expect(body).toContain('peg_xds_connected_streams{variant="delta"} 1');
    expect(body).toContain('peg_xds_push_bytes_total{variant="delta",type="Cluster"} 1234');
    expect(body).toContain('peg_xds_acks_total{variant="delta",type="Cluster"} 1');
    expect(body).toContain('peg_xds_nacks_total{gateway="default/eg",type="RouteConfiguration",node="node-1",last_error="still bad"} 2');
    expect(body).toContain('peg_translate_duration_seconds_bucket{le="0.025"} 1');
    expect(body).toContain("peg_translate_duration_seconds_count 1");
  });

  it("dumps what is served, by Gateway and type", () => {
    const { cache, metrics } = setup();
    const all = JSON.parse(handle({ cache, metrics, resources: () => [{ kind: "Gateway" }] }, "GET", "/config_dump").body);
    expect(Object.keys(all.xds)).toEqual(["default/eg", "team/gw"]);
    expect(all.resources).toEqual([{ kind: "Gateway" }]);
    expect(all.xds["default/eg"].configs).toHaveLength(5);
    const one = JSON.parse(handle({ cache, metrics }, "GET", "/config_dump?gateway=team/gw&type=cluster").body);
    expect(Object.keys(one.xds)).toEqual(["team/gw"]);
    expect(one.xds["team/gw"].dynamicActiveClusters.map((c: { cluster: { name: string } }) => c.cluster.name)).toEqual(["x"]);
    expect(handle({ cache, metrics }, "GET", "/config_dump?type=bogus").status).toBe(400);
    expect(handle({ cache, metrics }, "GET", "/config_dump?gateway=no/such").status).toBe(404);
    expect(handle({ cache, metrics }, "POST", "/metrics").status).toBe(405);
    expect(handle({ cache, metrics }, "GET", "/nope").status).toBe(404);
  });
});
