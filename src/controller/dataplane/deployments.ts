/**
 * The Envoy Deployments this controller manages, as the watch reports them: enough to say whether
 * a Gateway's data plane has an available replica (its Programmed condition) and which Gateways
 * have a data plane (to remove the ones no longer ours). Deployments are not translation input,
 * so they are kept here rather than in the Store.
 */
import type { KubeObject } from "../../apis";
import { compareResourceVersions } from "../equal";
import type { WatchPhase } from "../ingest";
import { owningGateway } from "./provision";
import { deploymentState, type DeploymentState } from "./status";

interface Tracked {
  obj: KubeObject;
  state: DeploymentState;
}

function trimmed(obj: KubeObject): KubeObject {
  const m = obj.metadata ?? {};
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, labels: m.labels, ownerReferences: m.ownerReferences },
  };
}

export class DeploymentTracker {
  private readonly byKey = new Map<string, Tracked>();

  /** Applies a watch event; true when a Gateway's availability may have changed. */
  event(phase: WatchPhase, raw: unknown): boolean {
    if (!raw || typeof raw !== "object") return false;
    const obj = raw as KubeObject;
    const { namespace, name } = obj.metadata ?? {};
    if (typeof namespace !== "string" || typeof name !== "string") return false;
    const key = `${namespace}/${name}`;
    const held = this.byKey.get(key);
    if (phase === "DELETED") {
      if (!held || (obj.metadata?.uid && held.obj.metadata?.uid !== obj.metadata.uid)) return false;
      this.byKey.delete(key);
      return true;
    }
    if (!owningGateway(obj)) return false;
    if (held && held.obj.metadata?.uid === obj.metadata?.uid) {
      const order = compareResourceVersions(obj.metadata?.resourceVersion, held.obj.metadata?.resourceVersion);
      if (order !== undefined && order <= 0) return false;
    }
    const state = deploymentState(obj)!;
    this.byKey.set(key, { obj: trimmed(obj), state });
    return !held || held.state.availableReplicas !== state.availableReplicas || held.state.replicas !== state.replicas;
  }

  /** Replaces everything with a full list (start-up and periodic relist); true when anything changed. */
  relist(items: unknown[]): boolean {
    const before = new Map(this.byKey);
    this.byKey.clear();
    let changed = false;
    for (const item of items) this.event("ADDED", item);
    for (const [key, t] of this.byKey) {
      const old = before.get(key);
      if (!old || old.state.availableReplicas !== t.state.availableReplicas) changed = true;
    }
    for (const key of before.keys()) if (!this.byKey.has(key)) changed = true;
    return changed;
  }

  state(namespace: string, name: string): DeploymentState | undefined {
    return this.byKey.get(`${namespace}/${name}`)?.state;
  }

  /** Trimmed Deployment objects (metadata only), for finding stale data planes. */
  objects(): KubeObject[] {
    return [...this.byKey.values()].map(t => t.obj);
  }
}
