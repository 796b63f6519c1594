/**
 * A Gateway's Programmed condition and status.addresses as the data plane makes them true. Pure.
 * Translation says whether the configuration is valid (Programmed=True: accepted, at least one
 * listener programmed); the Gateway is programmed only when, in addition, its Envoy Deployment
 * has an available replica and its Service has an address. Translation's own Programmed=False
 * (invalid configuration) stands as it is.
 */
import type { ComputedCondition, StatusData, StatusEntry } from "../../ir/status";

export interface DeploymentState {
  replicas: number;
  availableReplicas: number;
}

export interface ServiceState {
  type: string;
  clusterIPs: string[];
  ingress: Array<{ ip?: string; hostname?: string }>;
}

export interface DataPlaneObservation {
  deployment?: DeploymentState;
  service?: ServiceState;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function isIP(value: string): boolean {
  return IPV4.test(value) || value.includes(":");
}

/** The Gateway addresses a Service provides: load-balancer ingress, else its cluster IPs. */
export function serviceAddresses(service: ServiceState | undefined): Array<{ type: string; value: string }> {
  if (!service) return [];
  const out: Array<{ type: string; value: string }> = [];
  if (service.type === "LoadBalancer") {
    for (const ing of service.ingress) {
      if (ing.ip) out.push({ type: "IPAddress", value: ing.ip });
      else if (ing.hostname) out.push({ type: "Hostname", value: ing.hostname });
    }
    return out;
  }
  for (const ip of service.clusterIPs) if (ip && ip !== "None" && isIP(ip)) out.push({ type: "IPAddress", value: ip });
  return out;
}

/** Reads what the status needs from a watched Deployment. */
export function deploymentState(obj: unknown): DeploymentState | undefined {
  if (!obj || typeof obj !== "object") return undefined;
  const d = obj as { spec?: { replicas?: unknown }; status?: { availableReplicas?: unknown; replicas?: unknown } };
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  return { replicas: d.spec?.replicas === undefined ? 1 : num(d.spec.replicas), availableReplicas: num(d.status?.availableReplicas) };
}

/** Reads what the status needs from a watched Service. */
export function serviceState(obj: unknown): ServiceState | undefined {
  if (!obj || typeof obj !== "object") return undefined;
  const s = obj as {
    spec?: { type?: unknown; clusterIP?: unknown; clusterIPs?: unknown };
    status?: { loadBalancer?: { ingress?: unknown } };
  };
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const clusterIPs = strings(s.spec?.clusterIPs);
  if (clusterIPs.length === 0 && typeof s.spec?.clusterIP === "string") clusterIPs.push(s.spec.clusterIP);
  const ingress = Array.isArray(s.status?.loadBalancer?.ingress)
    ? (s.status.loadBalancer.ingress as unknown[])
        .filter((i): i is Record<string, unknown> => !!i && typeof i === "object")
        .map(i => ({ ip: typeof i.ip === "string" ? i.ip : undefined, hostname: typeof i.hostname === "string" ? i.hostname : undefined }))
    : [];
  return { type: typeof s.spec?.type === "string" ? s.spec.type : "ClusterIP", clusterIPs, ingress };
}

function programmed(observation: DataPlaneObservation, addresses: unknown[], generation: number): ComputedCondition {
  const base = { type: "Programmed", observedGeneration: generation };
  const d = observation.deployment;
  if (!d) return { ...base, status: "False", reason: "Pending", message: "The Envoy Deployment has not been created yet" };
  if (d.availableReplicas < 1) {
    return { ...base, status: "False", reason: "NoResources", message: "The Envoy Deployment has no available replica" };
  }
  if (addresses.length === 0) {
    return { ...base, status: "False", reason: "AddressNotAssigned", message: "The Envoy Service has no address yet" };
  }
  return { ...base, status: "True", reason: "Programmed", message: "Envoy is running and its Service has an address" };
}

/** The Gateway's status data with the data plane's Programmed condition and addresses. */
export function withDataPlane(data: StatusData, observation: DataPlaneObservation, generation: number): StatusData {
  if (data.kind !== "gateway") return data;
  const fromService = serviceAddresses(observation.service);
  const addresses = fromService.length > 0 ? fromService : data.addresses;
  const translated = data.conditions.find(c => c.type === "Programmed");
  if (translated && translated.status !== "True") return { ...data, addresses };
  const cond = programmed(observation, fromService, generation);
  const conditions = translated ? data.conditions.map(c => (c === translated ? cond : c)) : [...data.conditions, cond];
  return { ...data, conditions, addresses };
}

/** Applies withDataPlane to every Gateway entry of a report. */
export function reportWithDataPlane(
  report: readonly StatusEntry[],
  observe: (namespace: string, name: string) => DataPlaneObservation,
): StatusEntry[] {
  return report.map(e =>
    e.ref.kind === "Gateway" && e.status.kind === "gateway" && e.ref.namespace
      ? { ...e, status: withDataPlane(e.status, observe(e.ref.namespace, e.ref.name), e.generation) }
      : e,
  );
}
