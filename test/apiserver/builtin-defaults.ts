/**
 * What kube-apiserver fills in on built-in kinds when they are written, for the fields clients
 * commonly read back: Secret stringData folded into data; Service type, session affinity, IP
 * family, traffic policies, port protocol and targetPort, a cluster IP from 10.96.0.0/16 and node
 * ports for NodePort and LoadBalancer Services. (Deployment and Pod template defaults are not
 * filled in.)
 */
import type { KubeObject } from "./resources";

function secret(obj: KubeObject): void {
  if (!obj.stringData) return;
  obj.data = { ...(obj.data ?? {}) };
  for (const [k, v] of Object.entries<string>(obj.stringData)) obj.data[k] = Buffer.from(String(v)).toString("base64");
  delete obj.stringData;
}

/** Allocates cluster IPs and node ports that no other Service holds. */
export class ServiceAllocator {
  private nextIP = 10;
  private nextNodePort = 30000;
  constructor(private readonly inUse: () => KubeObject[]) {}

  clusterIP(): string {
    const taken = new Set(this.inUse().map((s) => s.spec?.clusterIP));
    let ip: string;
    do {
      const n = this.nextIP++;
      ip = `10.96.${Math.floor(n / 256) % 256}.${n % 256}`;
    } while (taken.has(ip) || ip.endsWith(".0") || ip.endsWith(".255"));
    return ip;
  }

  nodePort(): number {
    const taken = new Set(this.inUse().flatMap((s) => (s.spec?.ports ?? []).map((p: KubeObject) => p.nodePort)));
    while (taken.has(this.nextNodePort)) this.nextNodePort++;
    return this.nextNodePort++;
  }
}

function service(obj: KubeObject, old: KubeObject | undefined, alloc: ServiceAllocator): void {
  const spec = (obj.spec ??= {});
  spec.type ??= "ClusterIP";
  if (spec.type === "ExternalName") {
    // As kube drops type-dependent fields when a Service becomes ExternalName.
    for (const k of ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "externalTrafficPolicy"]) delete spec[k];
    for (const p of spec.ports ?? []) delete p.nodePort;
    return;
  }
  spec.sessionAffinity ??= "None";
  spec.internalTrafficPolicy ??= "Cluster";
  const external = spec.type === "NodePort" || spec.type === "LoadBalancer";
  if (external) spec.externalTrafficPolicy ??= "Cluster";
  if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.clusterIP !== "None") {
    spec.clusterIP = old?.spec?.clusterIP && old.spec.clusterIP !== "None" ? old.spec.clusterIP : spec.clusterIP || alloc.clusterIP();
    spec.clusterIPs = [spec.clusterIP];
  }
  spec.ipFamilies ??= ["IPv4"];
  spec.ipFamilyPolicy ??= "SingleStack";
  const oldPorts: KubeObject[] = old?.spec?.ports ?? [];
  for (const p of spec.ports ?? []) {
    p.protocol ??= "TCP";
    p.targetPort ??= p.port;
    if (external && p.nodePort === undefined) {
      const prev = oldPorts.find((q) => q.port === p.port && (q.protocol ?? "TCP") === p.protocol);
      p.nodePort = prev?.nodePort ?? alloc.nodePort();
    }
    if (!external) delete p.nodePort;
  }
}

/** Fills in the defaults of a built-in object being created (old undefined) or updated. */
export function builtinDefaults(resource: string, obj: KubeObject, old: KubeObject | undefined, alloc: ServiceAllocator): void {
  if (resource === "/secrets") secret(obj);
  if (resource === "/services") service(obj, old, alloc);
}
