/**
 * What an incremental update keeps: after one change, everything the change does not touch is the
 * very object of the previous result (Gateway IR, virtual hosts, route IR, status entries,
 * snapshots), so that render and encode reuse their work by reference.
 */
import { describe, expect, it } from "vitest";
import { generateWorld, route } from "../../../bench/generate";
import type { KubeObject } from "../../../src/apis";
import type { StatusEntry } from "../../../src/ir/status";
import type { GatewayIR, VirtualHostIR } from "../../../src/ir/types";
import { loadConfig } from "../../../src/config";
import { Pipeline } from "../../../src/pipeline";
import { storeFromObjects } from "../../../src/store/objects";
import { translate } from "../../../src/translate";

const config = loadConfig({});
const N = 60;

const vhosts = (gw: GatewayIR): VirtualHostIR[] => gw.routeConfigs.flatMap(rc => rc.virtualHosts);
const byRef = (status: StatusEntry[]) => new Map(status.map(e => [`${e.ref.kind}/${e.ref.namespace}/${e.ref.name}`, e]));

function setup() {
  const { store } = storeFromObjects(generateWorld(N));
  const pipeline = new Pipeline(config, translate);
  return { store, pipeline, before: pipeline.update(store) };
}

describe("incremental updates keep what they do not change", () => {
  it("one HTTPRoute: only its Gateway gets new IR, only its virtual host is new, other routes keep their status entries", () => {
    const { store, pipeline, before } = setup();
    const after = pipeline.update(store.with("HTTPRoute", route(13, N / 2, 5) as KubeObject));
    const changed = after.ir.gateways.filter((gw, i) => gw !== before.ir.gateways[i]).map(gw => gw.key);
    expect(changed).toEqual(["bench/gw-3"]);
    for (const [key, snap] of after.snapshots) if (key !== "bench/gw-3") expect(snap).toBe(before.snapshots.get(key));
    const gw3 = (r: typeof before) => r.ir.gateways.find(g => g.key === "bench/gw-3")!;
    const newHosts = vhosts(gw3(after)).filter(vh => !vhosts(gw3(before)).includes(vh));
    expect(newHosts.map(vh => vh.name)).toEqual(["r13.example.com"]);
    expect(gw3(after).clusters).toBe(gw3(before).clusters);
    const old = byRef(before.status);
    const changedStatus = after.status.filter(e => old.get(`${e.ref.kind}/${e.ref.namespace}/${e.ref.name}`) !== e).map(e => `${e.ref.kind} ${e.ref.name}`);
    expect(changedStatus.sort()).toEqual(["Gateway gw-0", "Gateway gw-1", "Gateway gw-2", "Gateway gw-3", "Gateway gw-4", "Gateway gw-5", "Gateway gw-6", "Gateway gw-7", "Gateway gw-8", "Gateway gw-9", "GatewayClass peg", "HTTPRoute route-13"]);
  });

  it("one EndpointSlice: only the clusters of that Service change; routes, virtual hosts and route configurations stay", () => {
    const { store, pipeline, before } = setup();
    const slice = store.get<KubeObject & { endpoints: unknown[] }>("EndpointSlice", "bench", "svc-7-abcde")!;
    const after = pipeline.update(store.with("EndpointSlice", { ...slice, endpoints: [{ addresses: ["10.9.9.9"] }] } as KubeObject));
    const changed = after.ir.gateways.filter((gw, i) => gw !== before.ir.gateways[i]);
    expect(changed.length).toBeGreaterThan(0);
    for (const gw of changed) {
      const prev = before.ir.gateways.find(g => g.key === gw.key)!;
      expect(gw.routeConfigs).toBe(prev.routeConfigs);
      const newClusters = gw.clusters.filter(c => !prev.clusters.includes(c)).map(c => c.name);
      expect(newClusters).toEqual(["service/bench/svc-7/8080"]);
      const snap = after.snapshots.get(gw.key)!;
      const prevSnap = before.snapshots.get(gw.key)!;
      for (const type of ["Route", "Listener"]) {
        const url = [...snap.resources.keys()].find(t => t.endsWith(`.${type}Configuration`) || t.endsWith(`.${type}`))!;
        expect(snap.resources.get(url)).toBe(prevSnap.resources.get(url));
      }
    }
    expect(after.status).toEqual(before.status);
  });

  it("a status-only write of a route (a new object, the same spec) changes nothing in the IR", () => {
    const { store, pipeline, before } = setup();
    const r = store.get<KubeObject>("HTTPRoute", "bench", "route-21")!;
    const after = pipeline.update(store.with("HTTPRoute", { ...r, status: { parents: [] } } as KubeObject));
    after.ir.gateways.forEach((gw, i) => expect(gw).toBe(before.ir.gateways[i]));
    for (const [key, snap] of after.snapshots) expect(snap).toBe(before.snapshots.get(key));
  });
});
