/**
 * Runs one conformance case: builds the objects, and for each step applies its changes, runs the
 * real pipeline (translate → render → encode) on a Store of those objects, checks the status
 * assertions against the StatusReport and replays the requests through the simulator against the
 * Gateways' snapshots.
 */
import { loadConfig } from "../../../src/config";
import { Pipeline, type PipelineResult } from "../../../src/pipeline";
import { storeFromObjects } from "../../../src/store/objects";
import { translate } from "../../../src/translate";
import type { KubeObject } from "../../../src/apis";
import type { ConformanceCase } from "../cases/types";
import { checkStatus } from "./status";
import { configFromSnapshot } from "../simulator/xds";
import { rejections } from "../simulator/validate";
import { replay } from "./http";
import { type World, buildWorld, mutate, storeObjects } from "./world";

export function runPipeline(objects: readonly KubeObject[]): PipelineResult {
  const { store } = storeFromObjects(objects);
  return new Pipeline(loadConfig({}), translate).update(store);
}

export interface StepReport {
  title: string;
  failures: string[];
}

export function runCase(c: ConformanceCase): StepReport[] {
  let world: World = buildWorld(c.manifests);
  const reports: StepReport[] = [];
  c.steps.forEach((step, i) => {
    const title = step.title ?? `step ${i + 1}`;
    const failures: string[] = [];
    try {
      if (step.mutate) world = mutate(world, step.mutate);
      const result = runPipeline(storeObjects(world));
      failures.push(...result.problems.map(p => `pipeline problem for ${p.gateway}: ${p.message}`));
      for (const [gateway, snapshot] of result.snapshots) failures.push(...rejections(configFromSnapshot(snapshot)).map(r => `Envoy would reject the snapshot of ${gateway}: ${r}`));
      const statusCtx = { report: result.status, objects: world.objects };
      for (const assertion of step.status ?? []) failures.push(...checkStatus(statusCtx, assertion).map(f => `[${assertion.type}] ${f}`));
      const httpCtx = { objects: world.objects, report: result.status, snapshots: result.snapshots, backends: world.backends };
      for (const rc of step.requests ?? []) {
        const label = `${rc.method ?? "GET"} ${rc.scheme ?? "http"}://${rc.host ?? "<gateway>"}${rc.port ? `:${rc.port}` : ""}${rc.path}${rc.headers ? ` ${JSON.stringify(rc.headers)}` : ""}${rc.sni ? ` (SNI ${rc.sni})` : ""} → ${rc.gateway}`;
        failures.push(...replay(httpCtx, rc).map(f => `${rc.name ? `${rc.name}: ` : ""}${label}: ${f}`));
      }
    } catch (e) {
      failures.push(`error: ${(e as Error).stack ?? String(e)}`);
    }
    reports.push({ title, failures });
  });
  return reports;
}
