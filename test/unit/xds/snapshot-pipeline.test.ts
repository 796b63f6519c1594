/**
 * The pipeline: per-Gateway isolation of failures, reuse of unchanged Gateways, and incremental
 * results equal to a fresh pipeline's after a change.
 */
import { describe, expect, it } from "vitest";
import { generateWorld, route } from "../../../bench/generate";
import type { KubeObject } from "../../../src/apis";
import { loadConfig } from "../../../src/config";
import type { GatewayIR, IR } from "../../../src/ir/types";
import { Pipeline, type TranslateFn } from "../../../src/pipeline";
import { Store } from "../../../src/store";
import { storeFromObjects } from "../../../src/store/objects";
import { translate } from "../../../src/translate";
import type { Snapshot } from "../../../src/xds/types";
import { gateway } from "./render-fixtures";

const config = loadConfig({});
const fixed = (ir: IR): TranslateFn => () => ({ ir, status: [] });

function bytesOf(s: Snapshot): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [type, map] of s.resources) for (const [name, r] of map) out[`${type} ${name}`] = Buffer.from(r.bytes).toString("base64");
  return out;
}

describe("Pipeline", () => {
  it("a Gateway that cannot be rendered is a problem; the others still get snapshots", () => {
    const broken: GatewayIR = { ...gateway, key: "default/broken", name: "broken", routeConfigs: [] };
    const result = new Pipeline(config, fixed({ gateways: [broken, gateway] })).update(Store.empty());
    expect([...result.snapshots.keys()]).toEqual(["default/eg"]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0].gateway).toBe("default/broken");
    expect(result.problems[0].message).toBe("Listener default/eg/443: names route configuration default/eg/443 over RDS, which is not in the snapshot");
  });

  it("a translator that throws is a problem for '*', and the previous result stands", () => {
    let fail = false;
    const pipeline = new Pipeline(config, () => {
      if (fail) throw new Error("boom");
      return { ir: { gateways: [gateway] }, status: [] };
    });
    const first = pipeline.update(Store.empty());
    fail = true;
    const second = pipeline.update(Store.empty());
    expect(second.problems).toEqual([{ gateway: "*", message: "translation failed: boom" }]);
    expect(second.snapshots.get("default/eg")).toBe(first.snapshots.get("default/eg"));
  });

  it("an unchanged GatewayIR keeps its snapshot object; equal content gets equal versions", () => {
    const ir = { gateways: [gateway] };
    const pipeline = new Pipeline(config, fixed(ir));
    const a = pipeline.update(Store.empty()).snapshots.get("default/eg");
    expect(pipeline.update(Store.empty()).snapshots.get("default/eg")).toBe(a);
    const fresh = new Pipeline(config, fixed({ gateways: [structuredClone(gateway)] })).update(Store.empty()).snapshots.get("default/eg")!;
    expect(fresh.version).toBe(a!.version);
  });

  it("a new GatewayIR object with the same content keeps the snapshot object; a changed one does not", () => {
    let ir: IR = { gateways: [gateway] };
    const pipeline = new Pipeline(config, () => ({ ir, status: [] }));
    const a = pipeline.update(Store.empty()).snapshots.get("default/eg");
    ir = { gateways: [structuredClone(gateway)] };
    expect(pipeline.update(Store.empty()).snapshots.get("default/eg")).toBe(a);
    const changed = structuredClone(gateway);
    changed.clusters[0].connectTimeoutMs = 2000;
    ir = { gateways: [changed] };
    const c = pipeline.update(Store.empty()).snapshots.get("default/eg")!;
    expect(c).not.toBe(a);
    expect(c.version).not.toBe(a!.version);
  });

  it("after one HTTPRoute changes, the incremental result equals a fresh pipeline's, byte for byte", () => {
    const n = 60;
    const { store } = storeFromObjects(generateWorld(n));
    const pipeline = new Pipeline(config, translate);
    const before = pipeline.update(store);
    expect(before.problems).toEqual([]);
    expect(before.snapshots.size).toBe(10);
    const changed = store.with("HTTPRoute", route(13, n / 2, 5) as KubeObject);
    const incremental = pipeline.update(changed);
    const fresh = new Pipeline(config, translate).update(changed);
    expect([...incremental.snapshots.keys()]).toEqual([...fresh.snapshots.keys()]);
    let differing = 0;
    for (const [key, snap] of fresh.snapshots) {
      expect(bytesOf(incremental.snapshots.get(key)!)).toEqual(bytesOf(snap));
      expect(incremental.snapshots.get(key)!.version).toBe(snap.version);
      if (before.snapshots.get(key)!.version !== snap.version) differing++;
    }
    // Route 13 attaches to gw-3 only: exactly one Gateway's configuration changed.
    expect(differing).toBe(1);
  });
});
