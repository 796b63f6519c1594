import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, RestClient } from "../../../src/controller/k8s";
import { DEPLOYMENT, INPUT_KIND_INFO } from "../../../src/controller/kinds";
import type { KubeObject } from "../../../src/apis";
import { TestApiServer } from "../../apiserver/server";
import { realTimers } from "../../../src/controller/timers";

// The watcher's REST client against the test API server, with kubeconfig loading from
// kubernetes-fluent-client as in the watcher process.

let server: TestApiServer;
let client: RestClient;
const saved = process.env.KUBECONFIG;

beforeAll(async () => {
  server = await TestApiServer.start();
  process.env.KUBECONFIG = server.env().KUBECONFIG;
  client = new RestClient(realTimers, "pepr-envoy-gateway");
});

afterAll(async () => {
  if (saved === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = saved;
  await server?.stop();
});

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data }) as KubeObject;

describe("RestClient", () => {
  it("creates, gets, lists across pages and deletes; a missing object is undefined, a second delete is fine", async () => {
    for (let i = 0; i < 505; i++) await client.create(INPUT_KIND_INFO.ConfigMap, cm(`c${i}`));
    const list = await client.list(INPUT_KIND_INFO.ConfigMap);
    expect(list.items.filter(o => o.metadata?.name?.startsWith("c"))).toHaveLength(505);
    expect(Number(list.resourceVersion)).toBeGreaterThan(0);
    expect((await client.get(INPUT_KIND_INFO.ConfigMap, "default", "c7"))?.metadata?.name).toBe("c7");
    expect(await client.get(INPUT_KIND_INFO.ConfigMap, "default", "nope")).toBeUndefined();
    await client.delete(INPUT_KIND_INFO.ConfigMap, "default", "c7");
    await client.delete(INPUT_KIND_INFO.ConfigMap, "default", "c7");
    expect(await client.get(INPUT_KIND_INFO.ConfigMap, "default", "c7")).toBeUndefined();
    await expect(client.create(INPUT_KIND_INFO.ConfigMap, cm("c8"))).rejects.toMatchObject({ status: 409 });
  });

  it("server-side applies with its field manager; re-applying the same object changes nothing", async () => {
    const dep = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "envoy", namespace: "default", labels: { "app.kubernetes.io/managed-by": "pepr-envoy-gateway" } },
      spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "envoy", image: "x" }] } } },
    } as KubeObject;
    const first = await client.apply(DEPLOYMENT, dep);
    const again = await client.apply(DEPLOYMENT, dep);
    expect(again.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    const managers = ((again.metadata as { managedFields?: Array<{ manager: string }> }).managedFields ?? []).map(m => m.manager);
    expect(managers).toContain("pepr-envoy-gateway");
    const byLabel = await client.list(DEPLOYMENT, { labelSelector: "app.kubernetes.io/managed-by=pepr-envoy-gateway" });
    expect(byLabel.items.map(o => o.metadata?.name)).toEqual(["envoy"]);
  });

  it("patches status with a resourceVersion precondition: 409 on a stale version", async () => {
    const created = await client.create(INPUT_KIND_INFO.Service, { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "default" }, spec: { ports: [{ port: 80 }] } } as KubeObject);
    const rv = created.metadata!.resourceVersion!;
    const patched = await client.patchStatus(INPUT_KIND_INFO.Service, "default", "s", rv, { loadBalancer: { ingress: [{ ip: "203.0.113.1" }] } });
    expect((patched as { status?: unknown }).status).toEqual({ loadBalancer: { ingress: [{ ip: "203.0.113.1" }] } });
    const stale = client.patchStatus(INPUT_KIND_INFO.Service, "default", "s", rv, { loadBalancer: {} });
    await expect(stale).rejects.toBeInstanceOf(ApiError);
    await expect(stale).rejects.toMatchObject({ status: 409 });
    await expect(client.patchStatus(INPUT_KIND_INFO.Service, "default", "gone", undefined, {})).rejects.toMatchObject({ status: 404 });
  });

  it("a kind that is not served answers 404", async () => {
    await expect(client.list(INPUT_KIND_INFO.HTTPRoute)).rejects.toMatchObject({ status: 404 });
  });

  it("an unreachable server is an ApiError without a status", async () => {
    // Keep the kubeconfig (the server removes its own when it stops).
    const dir = mkdtempSync(join(tmpdir(), "peg-k8s-test-"));
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, readFileSync(server.env().KUBECONFIG));
    process.env.KUBECONFIG = kubeconfig;
    await server.stop();
    try {
      const down = new RestClient(realTimers, "x");
      const err = await down.list(INPUT_KIND_INFO.ConfigMap).catch(e => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err.status).toBeUndefined();
      expect(err.message).toContain("GET /api/v1/configmaps");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
