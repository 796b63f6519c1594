/**
 * Provisioning: after each rebuild, make every Gateway of our class have its data plane, and no
 * other Gateway have one. Objects are server-side applied (our field manager, forced); an object
 * whose desired content has not changed since it was last applied is not sent again. Data planes
 * of Gateways no longer ours are deleted (a deleted Gateway's are also garbage-collected through
 * their owner references). Runs one at a time; a failure is retried with backoff.
 */
import type { Gateway, KubeObject } from "../../apis";
import type { GatewayIR, IR } from "../../ir/types";
import type { Store } from "../../store";
import { DEPLOYMENT, INPUT_KIND_INFO, SERVICE_ACCOUNT, type KindInfo } from "../kinds";
import type { KubeClient } from "../k8s";
import { errorMessage, type Logger } from "../log";
import { backoffDelay, type Timers } from "../timers";
import { LABEL_MANAGED_BY, MANAGED_BY, dataPlaneNames, shortHash } from "./names";
import { buildDataPlane, type DataPlaneOptions, type GatewayInfo, type XdsClientTLS } from "./resources";

const KIND_INFO: Record<string, KindInfo> = {
  ServiceAccount: SERVICE_ACCOUNT,
  Secret: INPUT_KIND_INFO.Secret,
  ConfigMap: INPUT_KIND_INFO.ConfigMap,
  Deployment: DEPLOYMENT,
  Service: INPUT_KIND_INFO.Service,
};

/** What provisioning needs of a Gateway, from its IR and the Gateway object. */
export function gatewayInfo(gw: GatewayIR, store: Store): GatewayInfo | undefined {
  const obj = store.get<Gateway>("Gateway", gw.namespace, gw.name);
  const uid = obj?.metadata?.uid;
  if (!uid) return undefined;
  const ports = new Map<number, string>();
  for (const l of gw.listeners) if (!ports.has(l.port)) ports.set(l.port, l.protocol);
  return {
    namespace: gw.namespace,
    name: gw.name,
    uid,
    ports: [...ports].sort((a, b) => a[0] - b[0]).map(([port, protocol]) => ({ port, protocol })),
    infrastructure: gw.infrastructure,
  };
}

/** The Gateway (`namespace/name`) a managed object belongs to, from its owner reference. */
export function owningGateway(obj: KubeObject): string | undefined {
  if (obj.metadata?.labels?.[LABEL_MANAGED_BY] !== MANAGED_BY) return undefined;
  const owner = obj.metadata.ownerReferences?.find(o => o.kind === "Gateway" && o.apiVersion.startsWith("gateway.networking.k8s.io/"));
  return owner && obj.metadata.namespace ? `${obj.metadata.namespace}/${owner.name}` : undefined;
}

/** Gateways that have data-plane objects but are not in the IR (any more). */
export function staleGateways(ir: IR, managed: Iterable<KubeObject>): string[] {
  const wanted = new Set(ir.gateways.map(g => g.key));
  const stale = new Set<string>();
  for (const obj of managed) {
    const gw = owningGateway(obj);
    if (gw && !wanted.has(gw)) stale.add(gw);
  }
  return [...stale].sort();
}

export interface ProvisionerDeps {
  client: Pick<KubeClient, "apply" | "delete">;
  /** The Envoy bootstrap (YAML) for a Gateway; depends on nothing else, so it is asked once per Gateway. */
  bootstrap(gateway: { namespace: string; name: string }): string;
  /** The xDS client certificate of a Gateway: the one in `existing` (its Secret) when still good. */
  clientTLS(gateway: { namespace: string; name: string }, existing: KubeObject | undefined): XdsClientTLS;
  options: DataPlaneOptions;
  timers: Timers;
  log: Logger;
  /** False while what provisioning needs (the xDS certificates) is not there yet: runs wait, quietly. */
  ready?: () => boolean;
}

export interface ProvisionInput {
  ir: IR;
  store: Store;
  /** Data-plane objects the watcher knows of that are not in the Store (Deployments). */
  extraManaged: KubeObject[];
}

export class Provisioner {
  private readonly applied = new Map<string, string>();
  /** Bootstrap per Gateway key (building one checks it against the proto: milliseconds each run). */
  private readonly bootstraps = new Map<string, string>();
  private running?: Promise<void>;
  private next?: ProvisionInput;
  private failures = 0;
  private retryTimer: unknown;
  readonly stats = { applies: 0, deletes: 0, failures: 0 };

  constructor(private readonly deps: ProvisionerDeps) {}

  /** Brings the data planes in line with this input (queued behind a run in progress). */
  submit(input: ProvisionInput): void {
    this.next = input;
    if (!this.running) this.running = this.drain();
  }

  /** Resolves when no run is in progress or queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.next) {
      const input = this.next;
      this.next = undefined;
      const ok = await this.run(input);
      if (ok) this.failures = 0;
      else this.scheduleRetry(input);
    }
    this.running = undefined;
  }

  private scheduleRetry(input: ProvisionInput): void {
    const delay = backoffDelay(this.failures++, 1_000, 60_000);
    if (this.retryTimer !== undefined) this.deps.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.deps.timers.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.next) this.submit(input);
    }, delay);
  }

  private async run({ ir, store, extraManaged }: ProvisionInput): Promise<boolean> {
    if (this.deps.ready && !this.deps.ready()) return false;
    let ok = true;
    for (const gw of ir.gateways) {
      const info = gatewayInfo(gw, store);
      if (!info) continue;
      const names = dataPlaneNames(gw.namespace, gw.name);
      try {
        const tls = this.deps.clientTLS(gw, store.get("Secret", gw.namespace, names.secret));
        const objects = buildDataPlane(info, this.bootstrap(gw), tls, this.deps.options);
        for (const obj of objects) ok = (await this.apply(obj)) && ok;
      } catch (err) {
        ok = false;
        this.deps.log.error("building the data plane failed", { gateway: gw.key, error: errorMessage(err) });
      }
    }
    const managed = [...store.list("Service"), ...store.list("ConfigMap"), ...store.list("Secret"), ...extraManaged];
    for (const key of staleGateways(ir, managed)) ok = (await this.remove(key)) && ok;
    return ok;
  }

  private bootstrap(gw: GatewayIR): string {
    let bootstrap = this.bootstraps.get(gw.key);
    if (bootstrap === undefined) this.bootstraps.set(gw.key, (bootstrap = this.deps.bootstrap(gw)));
    return bootstrap;
  }

  private async apply(obj: KubeObject): Promise<boolean> {
    const id = `${obj.kind}/${obj.metadata?.namespace}/${obj.metadata?.name}`;
    const hash = shortHash(JSON.stringify(obj), 32);
    if (this.applied.get(id) === hash) return true;
    try {
      await this.deps.client.apply(KIND_INFO[obj.kind!], obj, { force: true });
      this.applied.set(id, hash);
      this.stats.applies++;
      return true;
    } catch (err) {
      this.stats.failures++;
      this.deps.log.warn("applying a data-plane object failed", { object: id, error: errorMessage(err) });
      return false;
    }
  }

  private async remove(gatewayKey: string): Promise<boolean> {
    const [namespace, name] = gatewayKey.split("/");
    const names = dataPlaneNames(namespace, name);
    this.bootstraps.delete(gatewayKey);
    const targets: Array<[string, string]> = [
      ["Service", names.service],
      ["Deployment", names.deployment],
      ["ConfigMap", names.configMap],
      ["Secret", names.secret],
      ["ServiceAccount", names.serviceAccount],
    ];
    let ok = true;
    for (const [kind, objName] of targets) {
      try {
        await this.deps.client.delete(KIND_INFO[kind], namespace, objName);
        this.applied.delete(`${kind}/${namespace}/${objName}`);
        this.stats.deletes++;
      } catch (err) {
        ok = false;
        this.stats.failures++;
        this.deps.log.warn("deleting a data-plane object failed", { object: `${kind}/${namespace}/${objName}`, error: errorMessage(err) });
      }
    }
    if (ok) this.deps.log.info("removed the data plane of a Gateway that is no longer ours", { gateway: gatewayKey });
    return ok;
  }
}
