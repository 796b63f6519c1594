import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, watch } from "./client";
import { TestApiServer } from "./server";

let server: TestApiServer;
const CM = "/api/v1/namespaces/default/configmaps";

beforeAll(async () => {
  server = await TestApiServer.start({ historyLimit: 50 });
});

afterAll(async () => {
  await server?.stop();
});

async function createCM(name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}) {
  const r = await request(server, "POST", CM, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data });
  expect(r.status).toBe(201);
  return r.body;
}

describe("watch", () => {
  it("starts with the current objects as ADDED without a resourceVersion, then streams changes", async () => {
    await createCM("w1", { app: "a" });
    const w = await watch(server, `${CM}?watch=true&labelSelector=app%3Da`);
    try {
      expect(w.status).toBe(200);
      const [first] = await w.next(1);
      expect(first.type).toBe("ADDED");
      expect(first.object.metadata.name).toBe("w1");
      expect(first.object.kind).toBe("ConfigMap");
      await request(server, "PATCH", `${CM}/w1`, { data: { k: "v" } }, "application/merge-patch+json");
      await createCM("w2", { app: "b" });
      await request(server, "DELETE", `${CM}/w1`);
      const events = await w.next(3);
      expect(events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(["ADDED:w1", "MODIFIED:w1", "DELETED:w1"]);
      expect(Number(events[2].object.metadata.resourceVersion)).toBeGreaterThan(Number(events[1].object.metadata.resourceVersion));
    } finally {
      w.close();
    }
  });

  it("replays changes after a resourceVersion and sends objects leaving the selector as DELETED", async () => {
    const c = await createCM("w3", { app: "c" });
    const from = c.metadata.resourceVersion;
    await request(server, "PATCH", `${CM}/w3`, { metadata: { labels: { app: "other" } } }, "application/merge-patch+json");
    await request(server, "PATCH", `${CM}/w3`, { metadata: { labels: { app: "c" } } }, "application/merge-patch+json");
    const w = await watch(server, `${CM}?watch=1&labelSelector=app%3Dc&resourceVersion=${from}`);
    try {
      const events = await w.next(2);
      expect(events.map((e) => e.type)).toEqual(["DELETED", "ADDED"]);
    } finally {
      w.close();
    }
  });

  it("answers a resourceVersion older than the history with an ERROR event carrying 410 Expired", async () => {
    const c = await createCM("w4");
    await request(server, "PATCH", `${CM}/w4`, { data: { a: "1" } }, "application/merge-patch+json");
    server.compact();
    const w = await watch(server, `${CM}?watch=true&resourceVersion=${c.metadata.resourceVersion}`);
    const [e] = await w.next(1);
    expect(w.status).toBe(200);
    expect(e.type).toBe("ERROR");
    expect(e.object).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "Expired", code: 410 });
    expect(await w.ended).toEqual({ aborted: false });
    // The current resourceVersion still resumes.
    const ok = await watch(server, `${CM}?watch=true&resourceVersion=${server.resourceVersion}`);
    await request(server, "DELETE", `${CM}/w4`);
    expect((await ok.next(1))[0].type).toBe("DELETED");
    ok.close();
  });

  it("rejects a resourceVersion that is not a number with 400", async () => {
    const r = await request(server, "GET", `${CM}?watch=true&resourceVersion=abc`);
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe("BadRequest");
  });

  it("expires resourceVersions pushed out of the bounded history", async () => {
    const start = server.resourceVersion;
    for (let i = 0; i < 60; i++) await createCM(`bulk-${i}`);
    const w = await watch(server, `${CM}?watch=true&resourceVersion=${start}`);
    expect((await w.next(1))[0].object.code).toBe(410);
    w.close();
  });

  it("sends bookmarks when allowed, and the initial-events-end bookmark with sendInitialEvents", async () => {
    const w = await watch(server, `${CM}?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&fieldSelector=metadata.name%3Dw3`);
    try {
      const [added, end] = await w.next(2);
      expect(added.type).toBe("ADDED");
      expect(end.type).toBe("BOOKMARK");
      expect(end.object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
      server.bookmark();
      const events = await w.next(3);
      expect(events[2].type).toBe("BOOKMARK");
      expect(events[2].object.metadata.resourceVersion).toBe(server.resourceVersion);
    } finally {
      w.close();
    }
  });

  it("ends the stream after timeoutSeconds", async () => {
    const w = await watch(server, `${CM}?watch=true&timeoutSeconds=1&resourceVersion=${server.resourceVersion}`);
    expect(await w.ended).toEqual({ aborted: false });
  });

  it("drops every open watch on request", async () => {
    const a = await watch(server, `${CM}?watch=true&resourceVersion=${server.resourceVersion}`);
    const b = await watch(server, `/api/v1/services?watch=true&resourceVersion=${server.resourceVersion}`);
    expect(server.openWatches().map((w) => w.resource).sort()).toEqual(["/configmaps", "/services"]);
    expect(server.dropWatches()).toBe(2);
    expect((await a.ended).aborted).toBe(true);
    expect((await b.ended).aborted).toBe(true);
    expect(server.openWatches()).toEqual([]);
  });
});
