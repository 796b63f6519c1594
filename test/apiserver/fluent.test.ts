import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { K8s, kind, WatchEvent } from "kubernetes-fluent-client";
import { TestApiServer } from "./server";

let server: TestApiServer;

beforeAll(async () => {
  server = await TestApiServer.start();
  process.env.KUBECONFIG = server.kubeconfigPath; // kubernetes-fluent-client reads it on every call
});

afterAll(async () => {
  await server?.stop();
});

/** Resolves when `pred` holds, checking after every change the watcher reports. */
function until<T>(items: T[], pred: (items: T[]) => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => pred(items) && (clearInterval(timer), clearTimeout(guard), resolve()), 20);
    const guard = setTimeout(() => (clearInterval(timer), reject(new Error(`never saw ${what}: ${JSON.stringify(items)}`))), 20_000);
  });
}

describe("kubernetes-fluent-client against the test API server", () => {
  it("applies, reads, patches the status of and deletes a Service", async () => {
    const applied = await K8s(kind.Service).Apply({ metadata: { name: "web", namespace: "default", labels: { app: "web" } }, spec: { ports: [{ port: 80 }] } }, { force: true });
    expect(applied.metadata?.uid).toBeDefined();
    expect(server.object("v1", "Service", "web")?.metadata.managedFields[0]).toMatchObject({ manager: "pepr", operation: "Apply" });
    const again = await K8s(kind.Service).Apply({ metadata: { name: "web", namespace: "default", labels: { app: "web" } }, spec: { ports: [{ port: 80 }] } }, { force: true });
    expect(again.metadata?.resourceVersion).toBe(applied.metadata?.resourceVersion);
    const list = await K8s(kind.Service).InNamespace("default").WithLabel("app", "web").Get();
    expect(list.items.map((s) => s.metadata?.name)).toEqual(["web"]);
    await K8s(kind.Service).PatchStatus({ metadata: { name: "web", namespace: "default" }, status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } });
    const got = await K8s(kind.Service).InNamespace("default").Get("web");
    expect(got.status?.loadBalancer?.ingress?.[0].ip).toBe("192.0.2.1");
    expect(server.count((r) => r.method === "PATCH" && r.path.endsWith("/services/web/status"))).toBe(1);
    await K8s(kind.Service).Delete({ metadata: { name: "web", namespace: "default" } });
    await expect(K8s(kind.Service).InNamespace("default").Get("web")).rejects.toMatchObject({ status: 404 });
  });

  it("watches, and converges again after every watch connection is dropped and history compacted", async () => {
    const seen: string[] = [];
    const watcher = K8s(kind.ConfigMap, { name: "watched" }).InNamespace("default").Watch((cm, phase) => {
      seen.push(`${phase}:${cm.data?.v ?? ""}`);
    }, { resyncDelaySec: 1 });
    let connects = 0;
    watcher.events.on(WatchEvent.CONNECT, () => connects++);
    await K8s(kind.ConfigMap).Apply({ metadata: { name: "watched", namespace: "default" }, data: { v: "1" } });
    await watcher.start();
    try {
      await until(seen, (s) => s.includes("ADDED:1"), "ADDED:1");
      await until([connects], () => connects >= 1, "a watch connection");
      await K8s(kind.ConfigMap).Apply({ metadata: { name: "watched", namespace: "default" }, data: { v: "2" } });
      await until(seen, (s) => s.includes("MODIFIED:2"), "MODIFIED:2");
      await until([0], () => server.openWatches().length > 0, "an open watch");
      server.compact();
      expect(server.dropWatches()).toBeGreaterThan(0);
      await K8s(kind.ConfigMap).Apply({ metadata: { name: "watched", namespace: "default" }, data: { v: "3" } });
      await until(seen, (s) => s.some((e) => e.endsWith(":3")), "the change made while disconnected");
      await until([0], () => connects >= 2, "a second watch connection");
      await K8s(kind.ConfigMap).Apply({ metadata: { name: "watched", namespace: "default" }, data: { v: "4" } });
      await until(seen, (s) => s.includes("MODIFIED:4"), "MODIFIED:4 on the new connection");
    } finally {
      watcher.close();
    }
  });
});
