import { describe, expect, it } from "vitest";
import type { Gateway, GatewayClass, HTTPRoute, InputKind, KubeObject, Service } from "../../../src/apis";
import { loadConfig } from "../../../src/config";
import { DEFAULT_DATAPLANE_OPTIONS } from "../../../src/controller/dataplane/resources";
import { DEPLOYMENT, INPUT_KIND_INFO } from "../../../src/controller/kinds";
import type { PipelineOutput } from "../../../src/controller/loop";
import { Watcher } from "../../../src/controller/watcher";
import type { GatewayIR } from "../../../src/ir/types";
import type { StatusEntry } from "../../../src/ir/status";
import type { Store } from "../../../src/store";
import type { Snapshot } from "../../../src/xds/types";
import { FakeKube } from "./fakekube";
import { FakeTimers, RecordingLogger, settle } from "./fakes";

const OURS = "pepr.dev/envoy-gateway";
const G = "gateway.networking.k8s.io";
const cond = (type: string, ok: boolean, reason: string) => ({ type, status: ok ? ("True" as const) : ("False" as const), reason, message: reason, observedGeneration: 1 });

/** A stand-in for the pipeline: one listener per Gateway of our class, routes Accepted, ExternalName refused. */
function fakePipeline(runs: Store[]) {
  return {
    update(store: Store): PipelineOutput {
      runs.push(store);
      const ours = new Set(store.list<GatewayClass>("GatewayClass").filter(c => c.spec?.controllerName === OURS).map(c => c.metadata!.name!));
      const gateways = store.list<Gateway>("Gateway").filter(g => ours.has(g.spec!.gatewayClassName));
      const ir: GatewayIR[] = gateways.map(g => ({
        key: `${g.metadata!.namespace}/${g.metadata!.name}`,
        namespace: g.metadata!.namespace!,
        name: g.metadata!.name!,
        listeners: [{ name: "l", port: 80, protocol: "HTTP", filterChains: [] }],
        routeConfigs: [],
        clusters: [],
        secrets: [],
        infrastructure: { labels: {}, annotations: {} },
        addresses: [],
      }));
      const status: StatusEntry[] = [...ours].map(name => ({ ref: { group: G, kind: "GatewayClass", name }, generation: 1, status: { kind: "conditions", conditions: [cond("Accepted", true, "Accepted")] } }));
      for (const g of gateways) {
        status.push({
          ref: { group: G, kind: "Gateway", namespace: g.metadata!.namespace, name: g.metadata!.name! },
          generation: 1,
          status: { kind: "gateway", conditions: [cond("Accepted", true, "Accepted"), cond("Programmed", true, "Programmed")], listeners: [], addresses: [] },
        });
      }
      for (const r of store.list<HTTPRoute>("HTTPRoute")) {
        const ns = r.metadata!.namespace!;
        const svcName = r.spec?.rules?.[0]?.backendRefs?.[0]?.name;
        const svc = svcName ? store.get<Service>("Service", ns, svcName) : undefined;
        const resolved = svc ? svc.spec?.type !== "ExternalName" : false;
        status.push({
          ref: { group: G, kind: "HTTPRoute", namespace: ns, name: r.metadata!.name! },
          generation: 1,
          status: {
            kind: "parents",
            parents: [{ parentRef: { group: G, kind: "Gateway", name: "eg" }, controllerName: OURS, conditions: [cond("Accepted", true, "Accepted"), cond("ResolvedRefs", resolved, resolved ? "ResolvedRefs" : svc ? "UnsupportedValue" : "BackendNotFound")] }],
          },
        });
      }
      const snapshots = new Map<string, Snapshot>(ir.map(g => [g.key, { gateway: g.key, version: String(store.size("HTTPRoute")), resources: new Map() }]));
      return { ir: { gateways: ir }, status, snapshots, problems: [] };
    },
  };
}

function harness(opts: { provision?: boolean } = {}) {
  const api = new FakeKube();
  const timers = new FakeTimers();
  const log = new RecordingLogger();
  const runs: Store[] = [];
  const published: Array<ReadonlyMap<string, Snapshot>> = [];
  const watcher = new Watcher({
    client: api,
    config: loadConfig({}),
    pipeline: fakePipeline(runs),
    publish: s => published.push(s),
    provisioning: opts.provision ? { options: DEFAULT_DATAPLANE_OPTIONS, bootstrap: () => "{}\n", clientTLS: () => ({ caCert: "CA", cert: "C", key: "K" }) } : undefined,
    timers,
    log,
    resyncMs: 60_000,
  });
  const info = (k: InputKind) => INPUT_KIND_INFO[k];
  /** Writes through the API and delivers the watch event, as a Pepr Watch binding would. */
  const apply = (kind: InputKind, obj: KubeObject) => watcher.event(kind, "MODIFIED", api.put(info(kind), obj));
  const seed = () => {
    api.put(info("GatewayClass"), { metadata: { name: "eg" }, spec: { controllerName: OURS } } as KubeObject);
    api.put(info("GatewayClass"), { metadata: { name: "other" }, spec: { controllerName: "example.com/other" } } as KubeObject);
    api.put(info("Gateway"), { metadata: { namespace: "apps", name: "eg" }, spec: { gatewayClassName: "eg", listeners: [] } } as KubeObject);
    api.put(info("Gateway"), { metadata: { namespace: "apps", name: "theirs" }, spec: { gatewayClassName: "other", listeners: [] } } as KubeObject);
    api.put(info("Service"), { metadata: { namespace: "apps", name: "web" }, spec: { type: "ClusterIP", ports: [{ port: 80 }] } } as KubeObject);
    for (let i = 0; i < 3; i++) {
      api.put(info("HTTPRoute"), { metadata: { namespace: "apps", name: `r${i}` }, spec: { parentRefs: [{ name: "eg" }], rules: [{ backendRefs: [{ name: "web", port: 80 }] }] } } as KubeObject);
    }
  };
  const settleAll = async () => {
    await timers.advance(600);
    await watcher.settled();
    await settle();
  };
  return { api, timers, log, runs, published, watcher, apply, seed, settleAll, info };
}

const parentsOf = (api: FakeKube, name: string) =>
  (api.read(INPUT_KIND_INFO.HTTPRoute, "apps", name)?.status?.parents ?? []) as Array<{ conditions: Array<{ type: string; status: string; reason: string }> }>;

describe("Watcher", () => {
  it("retries the initial list with backoff while the API is down, then rebuilds once from the full Store", async () => {
    const h = harness();
    h.seed();
    h.api.down = 15;
    const started = h.watcher.start();
    await h.timers.advance(60_000);
    await started;
    expect(h.log.lines.filter(l => l.msg.startsWith("initial list failed")).length).toBeGreaterThan(0);
    await h.settleAll();
    expect(h.runs).toHaveLength(1);
    expect(h.runs[0].size("HTTPRoute")).toBe(3);
    expect(parentsOf(h.api, "r0")[0].conditions.map(c => c.status)).toEqual(["True", "True"]);
    expect(h.watcher.stats()).toMatchObject({ synced: true, statusWrites: 5 });
  });

  it("writes each status once; its own status events trigger no rebuild; no writes when nothing changed", async () => {
    const h = harness();
    h.seed();
    await h.watcher.start();
    await h.settleAll();
    const writes = h.api.count("status");
    expect(writes).toBe(5); // 1 GatewayClass, 1 Gateway, 3 routes; nothing of the other class
    expect(h.api.read(INPUT_KIND_INFO.Gateway, "apps", "theirs")?.status).toBeUndefined();
    // The watch events of those writes come back.
    const kinds: Record<string, InputKind> = { httproutes: "HTTPRoute", gateways: "Gateway", gatewayclasses: "GatewayClass" };
    let echoed = 0;
    for (const [key, obj] of h.api.objects) {
      const kind = kinds[key.split("/")[0]];
      if (kind && obj.status) {
        h.watcher.event(kind, "MODIFIED", obj);
        echoed++;
      }
    }
    expect(echoed).toBe(5);
    await h.settleAll();
    expect(h.runs).toHaveLength(1);
    h.watcher.loop.trigger();
    await h.settleAll();
    expect(h.runs).toHaveLength(2);
    expect(h.api.count("status")).toBe(writes);
  });

  it("a Service turned ExternalName flows to the routes' ResolvedRefs", async () => {
    const h = harness();
    h.seed();
    await h.watcher.start();
    await h.settleAll();
    h.apply("Service", { metadata: { namespace: "apps", name: "web" }, spec: { type: "ExternalName", externalName: "example.com" } } as KubeObject);
    await h.settleAll();
    const resolved = parentsOf(h.api, "r1")[0].conditions.find(c => c.type === "ResolvedRefs")!;
    expect(resolved).toMatchObject({ status: "False", reason: "UnsupportedValue" });
  });

  it("a burst of events makes one rebuild", async () => {
    const h = harness();
    h.seed();
    await h.watcher.start();
    await h.settleAll();
    for (let i = 10; i < 60; i++) {
      h.apply("HTTPRoute", { metadata: { namespace: "apps", name: `r${i}` }, spec: { parentRefs: [{ name: "eg" }], rules: [] } } as KubeObject);
      await h.timers.advance(5);
    }
    await h.settleAll();
    expect(h.runs.length).toBeLessThanOrEqual(3);
    expect(h.published.at(-1)!.get("apps/eg")!.version).toBe("53");
  });

  it("the periodic relist removes objects whose delete events were missed", async () => {
    const h = harness();
    h.seed();
    await h.watcher.start();
    await h.settleAll();
    h.api.remove(INPUT_KIND_INFO.HTTPRoute, "apps", "r2"); // deleted while the watch was down
    await h.timers.advance(60_000);
    await h.settleAll();
    expect(h.watcher.ingest.store.get("HTTPRoute", "apps", "r2")).toBeUndefined();
    expect(h.published.at(-1)!.get("apps/eg")!.version).toBe("2");
    expect(h.watcher.stats().relists).toBe(2);
  });

  it("a kind whose CRD is missing counts as empty instead of blocking start-up", async () => {
    const h = harness();
    h.seed();
    h.api.notServed.add("backends");
    await h.watcher.start();
    expect(h.watcher.stats().synced).toBe(true);
    expect(h.log.lines.some(l => l.msg.includes("CRD installed") && l.fields?.kind === "Backend")).toBe(true);
  });

  it("provisions the data plane of Gateways of our class once, and removes it when the Gateway is no longer ours", async () => {
    const h = harness({ provision: true });
    h.seed();
    await h.watcher.start();
    await h.settleAll();
    const applied = h.api.calls.filter(c => c.startsWith("apply"));
    expect(applied.sort()).toEqual(["apply configmaps/envoy-eg-bootstrap", "apply deployments/envoy-eg", "apply secrets/envoy-eg-xds-tls", "apply serviceaccounts/envoy-eg", "apply services/envoy-eg"]);
    h.watcher.loop.trigger();
    await h.settleAll();
    expect(h.api.count("apply")).toBe(5);
    // Watch events for what was applied (Service, ConfigMap, Secret are input kinds).
    for (const [kind, name] of [["Service", "envoy-eg"], ["ConfigMap", "envoy-eg-bootstrap"], ["Secret", "envoy-eg-xds-tls"]] as const) {
      h.watcher.event(kind, "ADDED", h.api.read(INPUT_KIND_INFO[kind], "apps", name));
    }
    h.watcher.deploymentEvent("ADDED", h.api.read(DEPLOYMENT, "apps", "envoy-eg"));
    h.apply("Gateway", { metadata: { namespace: "apps", name: "eg" }, spec: { gatewayClassName: "other", listeners: [] } } as KubeObject);
    await h.settleAll();
    expect(h.api.read(DEPLOYMENT, "apps", "envoy-eg")).toBeUndefined();
    expect(h.api.read(INPUT_KIND_INFO.Service, "apps", "envoy-eg")).toBeUndefined();
  });

  it("Gateway Programmed and addresses follow the Envoy Deployment and Service", async () => {
    const h = harness({ provision: true });
    h.seed();
    await h.watcher.start();
    await h.settleAll();
    const programmed = () =>
      ((h.api.read(INPUT_KIND_INFO.Gateway, "apps", "eg")?.status?.conditions ?? []) as Array<{ type: string; reason: string }>).find(c => c.type === "Programmed")?.reason;
    expect(programmed()).toBe("Pending");
    const dep = h.api.read(DEPLOYMENT, "apps", "envoy-eg")!;
    h.watcher.deploymentEvent("MODIFIED", h.api.put(DEPLOYMENT, { ...dep, status: { availableReplicas: 1 } }));
    await h.settleAll();
    expect(programmed()).toBe("AddressNotAssigned");
    const svc = h.api.read(INPUT_KIND_INFO.Service, "apps", "envoy-eg")!;
    h.apply("Service", { ...svc, status: { loadBalancer: { ingress: [{ ip: "203.0.113.10" }] } } } as KubeObject);
    await h.settleAll();
    expect(programmed()).toBe("Programmed");
    expect(h.api.read(INPUT_KIND_INFO.Gateway, "apps", "eg")?.status?.addresses).toEqual([{ type: "IPAddress", value: "203.0.113.10" }]);
  });

  it("a failed apply is retried with backoff", async () => {
    const h = harness({ provision: true });
    h.seed();
    await h.watcher.start();
    h.api.down = 8; // the five status writes and the first three applies after start fail
    await h.settleAll();
    expect(h.watcher.provisioner!.stats.failures).toBeGreaterThan(0);
    await h.timers.advance(5_000);
    await h.settleAll();
    for (const name of ["envoy-eg", "envoy-eg-bootstrap", "envoy-eg-xds-tls"]) {
      const present = [...h.api.objects.keys()].some(k => k.endsWith(`/apps/${name}`));
      expect(present).toBe(true);
    }
    expect(h.api.read(DEPLOYMENT, "apps", "envoy-eg")).toBeDefined();
    expect(h.watcher.stats()).toMatchObject({ statusFailures: 5, statusWrites: 5 });
  });
});

describe("Watcher provisioning readiness", () => {
  it("waits quietly until provisioning is ready, then provisions", async () => {
    const api = new FakeKube();
    const timers = new FakeTimers();
    const log = new RecordingLogger();
    let ready = false;
    const watcher = new Watcher({
      client: api,
      config: loadConfig({}),
      pipeline: fakePipeline([]),
      publish: () => undefined,
      provisioning: { options: DEFAULT_DATAPLANE_OPTIONS, bootstrap: () => "{}\n", clientTLS: () => ({ caCert: "CA", cert: "C", key: "K" }), ready: () => ready },
      timers,
      log,
    });
    api.put(INPUT_KIND_INFO.GatewayClass, { metadata: { name: "eg" }, spec: { controllerName: OURS } } as KubeObject);
    api.put(INPUT_KIND_INFO.Gateway, { metadata: { namespace: "apps", name: "eg" }, spec: { gatewayClassName: "eg", listeners: [] } } as KubeObject);
    await watcher.start();
    await timers.advance(600);
    await watcher.settled();
    expect(api.count("apply")).toBe(0);
    expect(api.count("status")).toBeGreaterThan(0);
    expect(log.lines.filter(l => l.level === "error")).toEqual([]);
    ready = true;
    await timers.advance(5_000);
    await watcher.settled();
    expect(api.count("apply")).toBe(5);
    watcher.stop();
  });
});
