import { describe, expect, it } from "vitest";
import { baseName, dataPlaneNames, selectorLabels } from "../../../src/controller/dataplane/names";
import { DEFAULT_DATAPLANE_OPTIONS, ENVOY_IMAGE, buildDataPlane, type GatewayInfo } from "../../../src/controller/dataplane/resources";
import { reportWithDataPlane, serviceAddresses, serviceState, deploymentState, withDataPlane } from "../../../src/controller/dataplane/status";
import { DeploymentTracker } from "../../../src/controller/dataplane/deployments";
import { owningGateway, staleGateways } from "../../../src/controller/dataplane/provision";
import type { StatusData, StatusEntry } from "../../../src/ir/status";

const gw: GatewayInfo = {
  namespace: "apps",
  name: "eg",
  uid: "uid-eg",
  ports: [
    { port: 80, protocol: "HTTP" },
    { port: 443, protocol: "HTTPS" },
  ],
  infrastructure: { labels: { team: "web" }, annotations: { "example.com/lb": "internal" } },
};
const tls = { caCert: "CA", cert: "CERT", key: "KEY" };

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("names", () => {
  it("uses envoy-<gateway>, and a hashed prefix when too long for a Service", () => {
    expect(baseName("apps", "eg")).toBe("envoy-eg");
    const long = "x".repeat(80);
    const name = baseName("apps", long);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^envoy-x+-[0-9a-f]{8}$/);
    expect(baseName("other", long)).not.toBe(name);
    expect(dataPlaneNames("apps", "eg")).toMatchObject({ configMap: "envoy-eg-bootstrap", secret: "envoy-eg-xds-tls" });
  });
});

describe("buildDataPlane", () => {
  const objs = buildDataPlane(gw, '{"node":{}}\n', tls) as Obj[];
  const byKind = (k: string) => objs.find(o => o.kind === k)!;

  it("builds ServiceAccount, Secret, ConfigMap, Deployment and Service, owned by the Gateway", () => {
    expect(objs.map(o => o.kind)).toEqual(["ServiceAccount", "Secret", "ConfigMap", "Deployment", "Service"]);
    for (const o of objs) {
      expect(o.metadata.namespace).toBe("apps");
      expect(o.metadata.ownerReferences).toEqual([{ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", name: "eg", uid: "uid-eg", controller: true }]);
      expect(o.metadata.labels).toMatchObject({ team: "web", "app.kubernetes.io/managed-by": "pepr-envoy-gateway" });
      expect(o.metadata.annotations).toEqual({ "example.com/lb": "internal" });
    }
  });

  it("Service: LoadBalancer by default, one port per listener port, selecting the Envoy pods", () => {
    const svc = byKind("Service");
    expect(svc.spec.type).toBe("LoadBalancer");
    expect(svc.spec.ports).toEqual([
      { name: "http-80", port: 80, targetPort: 80, protocol: "TCP" },
      { name: "https-443", port: 443, targetPort: 443, protocol: "TCP" },
    ]);
    expect(svc.spec.selector).toEqual(selectorLabels("apps", "eg"));
    expect(byKind("Deployment").spec.template.metadata.labels).toMatchObject(svc.spec.selector);
  });

  it("Deployment: pinned image, non-root, low ports by sysctl, readiness probe, mounts bootstrap and certificates", () => {
    const dep = byKind("Deployment");
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe(ENVOY_IMAGE);
    expect(ENVOY_IMAGE).toMatch(/^docker\.io\/envoyproxy\/envoy:distroless-v1\.36\.\d+$/);
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.securityContext.sysctls).toEqual([{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: "/ready", port: DEFAULT_DATAPLANE_OPTIONS.readinessPort });
    expect(c.ports.map((p: Obj) => p.containerPort)).toEqual([80, 443]);
    expect(c.args).toContain("--config-path");
    expect(pod.volumes.map((v: Obj) => v.configMap?.name ?? v.secret?.secretName)).toEqual(["envoy-eg-bootstrap", "envoy-eg-xds-tls"]);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it("is deterministic, and a bootstrap change rolls the pods (template annotation)", () => {
    expect(buildDataPlane(gw, '{"node":{}}\n', tls)).toEqual(objs);
    const other = buildDataPlane(gw, '{"node":{"id":"x"}}\n', tls) as Obj[];
    const hash = (list: Obj[]) => list.find(o => o.kind === "Deployment")!.spec.template.metadata.annotations["gateway.pepr.dev/bootstrap-hash"];
    expect(hash(other)).not.toBe(hash(objs));
  });

  it("Secret holds the client certificate base64-encoded; no Service without listener ports", () => {
    expect(byKind("Secret").data).toEqual({ "ca.crt": "Q0E=", "tls.crt": "Q0VSVA==", "tls.key": "S0VZ" });
    expect(buildDataPlane({ ...gw, ports: [] }, "{}", tls).map(o => o.kind)).not.toContain("Service");
    const cip = buildDataPlane(gw, "{}", tls, { ...DEFAULT_DATAPLANE_OPTIONS, serviceType: "ClusterIP" }) as Obj[];
    expect(cip.find(o => o.kind === "Service")!.spec.externalTrafficPolicy).toBeUndefined();
  });
});

const gwData = (programmed: "True" | "False"): StatusData => ({
  kind: "gateway",
  conditions: [
    { type: "Accepted", status: "True", reason: "Accepted", message: "", observedGeneration: 3 },
    { type: "Programmed", status: programmed, reason: programmed === "True" ? "Programmed" : "Invalid", message: "", observedGeneration: 3 },
  ],
  listeners: [],
  addresses: [],
});

describe("data-plane status", () => {
  const lb = serviceState({ spec: { type: "LoadBalancer", clusterIP: "10.0.0.9" }, status: { loadBalancer: { ingress: [{ ip: "203.0.113.7" }, { hostname: "lb.example.com" }] } } });

  it("reads Service addresses: load-balancer ingress, else cluster IPs", () => {
    expect(serviceAddresses(lb)).toEqual([
      { type: "IPAddress", value: "203.0.113.7" },
      { type: "Hostname", value: "lb.example.com" },
    ]);
    expect(serviceAddresses(serviceState({ spec: { type: "ClusterIP", clusterIPs: ["10.0.0.1", "fd00::1"] } }))).toHaveLength(2);
    expect(serviceAddresses(serviceState({ spec: { type: "LoadBalancer", clusterIP: "10.0.0.1" } }))).toEqual([]);
    expect(serviceAddresses(serviceState({ spec: { clusterIP: "None" } }))).toEqual([]);
    expect(serviceState(null)).toBeUndefined();
  });

  it("Programmed follows the Deployment and the Service address", () => {
    const reason = (obs: Parameters<typeof withDataPlane>[1]) => {
      const out = withDataPlane(gwData("True"), obs, 3);
      return out.kind === "gateway" ? out.conditions.find(c => c.type === "Programmed")!.reason : "";
    };
    expect(reason({})).toBe("Pending");
    expect(reason({ deployment: { replicas: 1, availableReplicas: 0 }, service: lb })).toBe("NoResources");
    expect(reason({ deployment: { replicas: 1, availableReplicas: 1 } })).toBe("AddressNotAssigned");
    expect(reason({ deployment: { replicas: 1, availableReplicas: 1 }, service: lb })).toBe("Programmed");
    const ok = withDataPlane(gwData("True"), { deployment: { replicas: 1, availableReplicas: 1 }, service: lb }, 3);
    expect(ok.kind === "gateway" && ok.addresses).toHaveLength(2);
  });

  it("translation's Programmed=False stands; other entries pass through", () => {
    const out = withDataPlane(gwData("False"), { deployment: { replicas: 1, availableReplicas: 1 }, service: lb }, 3);
    expect(out.kind === "gateway" && out.conditions[1].reason).toBe("Invalid");
    const route: StatusEntry = { ref: { group: "g", kind: "HTTPRoute", namespace: "a", name: "r" }, generation: 1, status: { kind: "parents", parents: [] } };
    const gwEntry: StatusEntry = { ref: { group: "g", kind: "Gateway", namespace: "a", name: "eg" }, generation: 3, status: gwData("True") };
    const seen: string[] = [];
    const out2 = reportWithDataPlane([route, gwEntry], (ns, name) => (seen.push(`${ns}/${name}`), {}));
    expect(out2[0]).toBe(route);
    expect(seen).toEqual(["a/eg"]);
  });

  it("reads Deployment availability defensively", () => {
    expect(deploymentState({ spec: {}, status: { availableReplicas: 2 } })).toEqual({ replicas: 1, availableReplicas: 2 });
    expect(deploymentState({ spec: { replicas: "x" }, status: "nope" })).toEqual({ replicas: 0, availableReplicas: 0 });
  });
});

const managed = (kind: string, ns: string, name: string, gateway: string, extra: Obj = {}) => ({
  apiVersion: kind === "Deployment" ? "apps/v1" : "v1",
  kind,
  metadata: {
    namespace: ns,
    name,
    uid: `${kind}-${name}`,
    resourceVersion: "1",
    labels: { "app.kubernetes.io/managed-by": "pepr-envoy-gateway" },
    ownerReferences: [{ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", name: gateway, uid: "u" }],
  },
  ...extra,
});

describe("stale data planes", () => {
  it("finds Gateways with managed objects that are not in the IR", () => {
    const objs = [managed("Service", "a", "envoy-x", "x"), managed("ConfigMap", "a", "envoy-y-bootstrap", "y"), { metadata: { namespace: "a", name: "plain" } }];
    expect(owningGateway(objs[0])).toBe("a/x");
    expect(owningGateway(objs[2])).toBeUndefined();
    const ir = { gateways: [{ key: "a/x" }] } as unknown as Parameters<typeof staleGateways>[0];
    expect(staleGateways(ir, objs)).toEqual(["a/y"]);
  });
});

describe("DeploymentTracker", () => {
  it("reports availability changes only, ignores stale versions and unmanaged Deployments", () => {
    const t = new DeploymentTracker();
    const dep = (rv: string, available: number) => managed("Deployment", "a", "envoy-x", "x", { metadata: { ...managed("Deployment", "a", "envoy-x", "x").metadata, resourceVersion: rv }, spec: { replicas: 1 }, status: { availableReplicas: available } });
    expect(t.event("ADDED", dep("1", 0))).toBe(true);
    expect(t.event("MODIFIED", dep("2", 0))).toBe(false);
    expect(t.event("MODIFIED", dep("3", 1))).toBe(true);
    expect(t.event("MODIFIED", dep("2", 0))).toBe(false);
    expect(t.state("a", "envoy-x")).toEqual({ replicas: 1, availableReplicas: 1 });
    expect(t.event("ADDED", { metadata: { namespace: "a", name: "other" } })).toBe(false);
    expect(t.event("ADDED", null)).toBe(false);
    expect(t.objects()).toHaveLength(1);
    expect(t.event("DELETED", dep("4", 1))).toBe(true);
    expect(t.state("a", "envoy-x")).toBeUndefined();
  });

  it("relist replaces everything and says whether availability changed", () => {
    const t = new DeploymentTracker();
    const d = (name: string, available: number) => ({ ...managed("Deployment", "a", name, name), status: { availableReplicas: available } });
    expect(t.relist([d("x", 1)])).toBe(true);
    expect(t.relist([d("x", 1)])).toBe(false);
    expect(t.relist([])).toBe(true);
  });
});
