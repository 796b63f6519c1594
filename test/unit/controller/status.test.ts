import { describe, expect, it } from "vitest";
import type { InputKind, KubeObject } from "../../../src/apis";
import type { StatusEntry } from "../../../src/ir/status";
import { Ingest } from "../../../src/controller/ingest";
import { StatusWriter, mayWrite, type StatusClient } from "../../../src/controller/status";
import type { StatusPatch } from "../../../src/controller/statusdiff";
import { FakeTimers, RecordingLogger, settle } from "./fakes";

const OURS = "pepr.dev/envoy-gateway";

/** An API with resourceVersion preconditions, like kube-apiserver's status subresource. */
class FakeApi implements StatusClient {
  objects = new Map<string, KubeObject & { status?: Record<string, unknown> }>();
  rv = 100;
  patches: Array<{ key: string; status: StatusPatch }> = [];
  gets = 0;
  failNext: number[] = [];

  put(kind: InputKind, obj: KubeObject & { status?: Record<string, unknown> }): KubeObject {
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.objects.set(`${kind}/${obj.metadata!.namespace ?? ""}/${obj.metadata!.name}`, stored);
    return stored;
  }

  async get(kind: InputKind, ns: string | undefined, name: string): Promise<KubeObject | undefined> {
    this.gets++;
    return this.objects.get(`${kind}/${ns ?? ""}/${name}`);
  }

  async patchStatus(kind: InputKind, ns: string | undefined, name: string, rv: string | undefined, status: StatusPatch): Promise<KubeObject> {
    const key = `${kind}/${ns ?? ""}/${name}`;
    const code = this.failNext.shift();
    if (code) throw { status: code, statusText: "injected" };
    const obj = this.objects.get(key);
    if (!obj) throw { status: 404 };
    if (rv !== undefined && rv !== obj.metadata!.resourceVersion) throw { status: 409 };
    this.patches.push({ key, status });
    return this.put(kind, { ...obj, status: { ...obj.status, ...status } });
  }
}

const gatewayClass = (name: string, controllerName: string) => ({ kind: "GatewayClass", metadata: { name, uid: `gc-${name}` }, spec: { controllerName } });
const gateway = (name: string, className: string) => ({ kind: "Gateway", metadata: { namespace: "apps", name, uid: `gw-${name}` }, spec: { gatewayClassName: className, listeners: [] } });
const route = (name: string, status?: Record<string, unknown>) => ({ kind: "HTTPRoute", metadata: { namespace: "apps", name, uid: `r-${name}`, generation: 1 }, spec: { parentRefs: [{ name: "eg" }] }, ...(status ? { status } : {}) });

const accepted = (gen = 1) => [{ type: "Accepted", status: "True" as const, reason: "Accepted", message: "ok", observedGeneration: gen }];
const routeEntry = (name: string, conditions = accepted()): StatusEntry => ({
  ref: { group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "apps", name },
  generation: 1,
  status: { kind: "parents", parents: [{ parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "eg" }, controllerName: OURS, conditions }] },
});

function harness() {
  const api = new FakeApi();
  const ingest = new Ingest();
  const timers = new FakeTimers();
  const log = new RecordingLogger();
  const writer = new StatusWriter({
    client: api,
    observed: (k, ns, n) => ingest.observed(k, ns, n),
    observedAll: k => ingest.observedAll(k),
    record: (k, obj) => ingest.event(k, "MODIFIED", obj),
    controllerName: OURS,
    timers,
    log,
  });
  /** Creates an object in the API and delivers its watch event. */
  const create = (kind: InputKind, obj: KubeObject) => ingest.event(kind, "ADDED", api.put(kind, obj));
  return { api, ingest, timers, log, writer, create };
}

describe("StatusWriter", () => {
  it("writes a changed status once, and nothing when submitted again", async () => {
    const h = harness();
    h.create("HTTPRoute", route("r1"));
    h.writer.submit([routeEntry("r1")], h.ingest.store);
    await h.writer.idle();
    expect(h.api.patches).toHaveLength(1);
    h.writer.submit([routeEntry("r1")], h.ingest.store);
    await h.writer.idle();
    expect(h.api.patches).toHaveLength(1);
    expect(h.writer.stats.writes).toBe(1);
  });

  it("sends the object's resourceVersion and, on conflict, re-reads and keeps the other writer's entry", async () => {
    const h = harness();
    h.create("HTTPRoute", route("r1"));
    // Another controller writes its entry; our watch has not seen it yet.
    const key = "HTTPRoute/apps/r1";
    const theirs = { parentRef: { name: "other" }, controllerName: "example.com/other", conditions: [] };
    h.api.put("HTTPRoute", { ...h.api.objects.get(key)!, status: { parents: [theirs] } });
    h.writer.submit([routeEntry("r1")], h.ingest.store);
    await h.writer.idle();
    expect(h.writer.stats.conflicts).toBe(1);
    const parents = h.api.objects.get(key)!.status!.parents as Array<{ controllerName: string }>;
    expect(parents.map(p => p.controllerName)).toEqual(["example.com/other", OURS]);
  });

  it("keeps lastTransitionTime of unchanged conditions across writes", async () => {
    const h = harness();
    h.create("HTTPRoute", route("r1"));
    h.writer.submit([routeEntry("r1")], h.ingest.store);
    await h.writer.idle();
    const first = (h.api.objects.get("HTTPRoute/apps/r1")!.status!.parents as Array<{ conditions: Array<{ lastTransitionTime: string }> }>)[0];
    await h.timers.advance(60_000);
    h.writer.submit([routeEntry("r1", [...accepted(2), { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "", observedGeneration: 2 }])], h.ingest.store);
    await h.writer.idle();
    const second = (h.api.objects.get("HTTPRoute/apps/r1")!.status!.parents as Array<{ conditions: Array<{ type: string; lastTransitionTime: string }> }>)[0];
    expect(second.conditions[0].lastTransitionTime).toBe(first.conditions[0].lastTransitionTime);
    expect(second.conditions[1].lastTransitionTime).not.toBe(first.conditions[0].lastTransitionTime);
  });

  it("the write's own watch event changes nothing and triggers no rebuild", async () => {
    const h = harness();
    const changes: string[] = [];
    const ingest = new Ingest({ onChange: k => changes.push(k) });
    const writer = new StatusWriter({
      client: h.api,
      observed: (k, ns, n) => ingest.observed(k, ns, n),
      observedAll: k => ingest.observedAll(k),
      record: (k, obj) => ingest.event(k, "MODIFIED", obj),
      controllerName: OURS,
      timers: h.timers,
      log: h.log,
    });
    ingest.event("HTTPRoute", "ADDED", h.api.put("HTTPRoute", route("r1")));
    changes.length = 0;
    writer.submit([routeEntry("r1")], ingest.store);
    await writer.idle();
    expect(ingest.event("HTTPRoute", "MODIFIED", h.api.objects.get("HTTPRoute/apps/r1"))).toBe("none");
    expect(changes).toEqual([]);
  });

  it("removes our entries from routes no longer in the report, leaving others' alone", async () => {
    const h = harness();
    h.create("HTTPRoute", route("gone", { parents: [{ parentRef: { name: "eg" }, controllerName: OURS, conditions: [] }, { parentRef: { name: "x" }, controllerName: "other", conditions: [] }] }));
    h.create("HTTPRoute", route("theirs", { parents: [{ parentRef: { name: "x" }, controllerName: "other", conditions: [] }] }));
    h.writer.submit([], h.ingest.store);
    await h.writer.idle();
    expect(h.api.patches).toEqual([{ key: "HTTPRoute/apps/gone", status: { parents: [{ parentRef: { name: "x" }, controllerName: "other", conditions: [] }] } }]);
  });

  it("never writes Gateways or GatewayClasses of another controller", async () => {
    const h = harness();
    h.create("GatewayClass", gatewayClass("mine", OURS));
    h.create("GatewayClass", gatewayClass("theirs", "example.com/other"));
    h.create("Gateway", gateway("a", "theirs"));
    h.create("Gateway", gateway("b", "mine"));
    const conds = { kind: "conditions" as const, conditions: accepted() };
    const gw = (name: string): StatusEntry => ({
      ref: { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "apps", name },
      generation: 1,
      status: { kind: "gateway", conditions: accepted(), listeners: [], addresses: [] },
    });
    const gc = (name: string): StatusEntry => ({ ref: { group: "gateway.networking.k8s.io", kind: "GatewayClass", name }, generation: 1, status: conds });
    expect(mayWrite(h.ingest.store, gw("a"), OURS)).toBe(false);
    expect(mayWrite(h.ingest.store, gw("missing"), OURS)).toBe(false);
    h.writer.submit([gc("mine"), gc("theirs"), gw("a"), gw("b")], h.ingest.store);
    await h.writer.idle();
    expect(h.api.patches.map(p => p.key).sort()).toEqual(["Gateway/apps/b", "GatewayClass//mine"]);
  });

  it("skips objects deleted meanwhile and retries other failures with backoff", async () => {
    const h = harness();
    h.create("HTTPRoute", route("r1"));
    h.create("HTTPRoute", route("r2"));
    h.api.objects.delete("HTTPRoute/apps/r2");
    h.api.failNext = [503];
    h.writer.submit([routeEntry("r1"), routeEntry("r2")], h.ingest.store);
    await h.writer.idle();
    await settle();
    expect(h.writer.stats.failures).toBe(1);
    expect(h.api.patches).toHaveLength(0);
    await h.timers.advance(1_000);
    await h.writer.idle();
    expect(h.api.patches.map(p => p.key)).toEqual(["HTTPRoute/apps/r1"]);
  });

  it("a newer report supersedes an unwritten older one", async () => {
    const h = harness();
    h.create("HTTPRoute", route("r1"));
    h.api.failNext = [500];
    h.writer.submit([routeEntry("r1", accepted(1))], h.ingest.store);
    await h.writer.idle();
    h.writer.submit([routeEntry("r1", accepted(2))], h.ingest.store);
    await h.writer.idle();
    await h.timers.advance(120_000);
    await h.writer.idle();
    expect(h.api.patches).toHaveLength(1);
    const conds = (h.api.patches[0].status.parents as Array<{ conditions: Array<{ observedGeneration: number }> }>)[0].conditions;
    expect(conds[0].observedGeneration).toBe(2);
  });

  it("writes many objects with bounded concurrency, one write each", async () => {
    const h = harness();
    let inflight = 0;
    let peak = 0;
    const base = h.api.patchStatus.bind(h.api);
    h.api.patchStatus = async (...args) => {
      peak = Math.max(peak, ++inflight);
      await settle();
      inflight--;
      return base(...args);
    };
    const entries: StatusEntry[] = [];
    for (let i = 0; i < 40; i++) {
      h.create("HTTPRoute", route(`r${i}`));
      entries.push(routeEntry(`r${i}`));
    }
    h.writer.submit(entries, h.ingest.store);
    await h.writer.idle();
    expect(h.api.patches).toHaveLength(40);
    expect(peak).toBeLessThanOrEqual(16);
    expect(peak).toBeGreaterThan(1);
  });
});
