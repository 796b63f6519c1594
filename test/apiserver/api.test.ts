import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlOk, request } from "./client";
import { TestApiServer } from "./server";

let server: TestApiServer;
const ROOT = join(__dirname, "..", "..");
const BACKENDS = "/apis/gateway.envoyproxy.io/v1alpha1/namespaces/default/backends";
const SVC = "/api/v1/namespaces/default/services";

const backend = (name: string, port = 443) => ({
  apiVersion: "gateway.envoyproxy.io/v1alpha1",
  kind: "Backend",
  metadata: { name },
  spec: { endpoints: [{ fqdn: { hostname: "example.com", port } }] },
});

beforeAll(async () => {
  server = await TestApiServer.start();
  await kubectlOk(server, ["apply", "-f", join(ROOT, "crds", "backend.yaml")]);
});

afterAll(async () => {
  await server?.stop();
});

describe("errors as kube-apiserver reports them", () => {
  it("404 and 409 AlreadyExists are Status objects naming the resource", async () => {
    const missing = await request(server, "GET", `${BACKENDS}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", code: 404, reason: "NotFound",
      message: 'backends.gateway.envoyproxy.io "nope" not found',
      details: { name: "nope", group: "gateway.envoyproxy.io", kind: "backends" },
    });
    expect((await request(server, "POST", BACKENDS, backend("dup"))).status).toBe(201);
    const again = await request(server, "POST", BACKENDS, backend("dup"));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: "AlreadyExists", message: 'backends.gateway.envoyproxy.io "dup" already exists', details: { name: "dup", kind: "backends" } });
    const unserved = await request(server, "GET", "/apis/example.com/v1/widgets");
    expect(unserved.status).toBe(404);
  });

  it("rejects an update carrying a stale resourceVersion with 409 Conflict", async () => {
    const created = (await request(server, "POST", BACKENDS, backend("stale"))).body;
    const first = await request(server, "PUT", `${BACKENDS}/stale`, { ...created, spec: backend("x", 1).spec });
    expect(first.status).toBe(200);
    const second = await request(server, "PUT", `${BACKENDS}/stale`, { ...created, spec: backend("x", 2).spec });
    expect(second.status).toBe(409);
    expect(second.body.reason).toBe("Conflict");
    expect(second.body.message).toContain("the object has been modified");
  });

  it("requires a name, and an existing namespace", async () => {
    const noName = await request(server, "POST", BACKENDS, { ...backend(""), metadata: {} });
    expect(noName.status).toBe(422);
    expect(noName.body.reason).toBe("Invalid");
    const elsewhere = await request(server, "POST", "/api/v1/namespaces/ghost/configmaps", { metadata: { name: "c" } });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.message).toBe('namespaces "ghost" not found');
  });

  it("rejects requests without the bearer token", async () => {
    const r = await request(server, "GET", "/api/v1/namespaces", undefined, undefined, { Authorization: "Bearer wrong" });
    expect(r.status).toBe(401);
  });
});

describe("metadata", () => {
  it("stamps uid, creationTimestamp, generation and a global resourceVersion; generateName", async () => {
    const before = Number(server.resourceVersion);
    const r = await request(server, "POST", BACKENDS, { ...backend(""), metadata: { generateName: "gen-" } });
    expect(r.body.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(r.body.metadata.generation).toBe(1);
    expect(r.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(r.body.metadata.resourceVersion).toBe(String(before + 1));
    const cm = await request(server, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "nogen" } });
    expect(cm.body.metadata.generation).toBeUndefined();
  });

  it("keeps status out of main-resource writes and spec out of status writes", async () => {
    const c = (await request(server, "POST", BACKENDS, { ...backend("st"), status: { conditions: [] } })).body;
    expect(c.status).toBeUndefined();
    const s = await request(server, "PATCH", `${BACKENDS}/st/status`, { status: { conditions: [{ type: "Accepted", status: "True" }] }, spec: { endpoints: [] } }, "application/merge-patch+json");
    expect(s.status).toBe(200);
    expect(s.body.status.conditions[0].type).toBe("Accepted");
    expect(s.body.spec.endpoints).toHaveLength(1);
    expect(s.body.metadata.generation).toBe(1);
    const m = await request(server, "PATCH", `${BACKENDS}/st`, { status: { conditions: [] }, spec: { endpoints: [{ fqdn: { hostname: "b.example.com", port: 80 } }] } }, "application/merge-patch+json");
    expect(m.body.status.conditions).toHaveLength(1);
    expect(m.body.metadata.generation).toBe(2);
    const got = await request(server, "GET", `${BACKENDS}/st/status`);
    expect(got.body.status.conditions[0].status).toBe("True");
    const statusPatches = server.count((r) => r.method === "PATCH" && r.path === `${BACKENDS}/st/status`);
    expect(statusPatches).toBe(1);
  });

  it("answers a no-op write with the same resourceVersion", async () => {
    const c = (await request(server, "POST", BACKENDS, backend("noop"))).body;
    const again = await request(server, "PUT", `${BACKENDS}/noop`, c);
    expect(again.body.metadata.resourceVersion).toBe(c.metadata.resourceVersion);
    const status = await request(server, "PATCH", `${BACKENDS}/noop/status`, { status: null }, "application/merge-patch+json");
    expect(status.body.metadata.resourceVersion).toBe(c.metadata.resourceVersion);
    expect(server.resourceVersion).toBe(c.metadata.resourceVersion);
  });

  it("holds objects with finalizers until the finalizers are removed", async () => {
    await request(server, "POST", BACKENDS, { ...backend("fin"), metadata: { name: "fin", finalizers: ["example.com/hold"] } });
    const del = await request(server, "DELETE", `${BACKENDS}/fin`);
    expect(del.status).toBe(202);
    expect(del.body.metadata.deletionTimestamp).toBeDefined();
    expect((await request(server, "GET", `${BACKENDS}/fin`)).status).toBe(200);
    await request(server, "PATCH", `${BACKENDS}/fin`, [{ op: "remove", path: "/metadata/finalizers" }], "application/json-patch+json");
    expect((await request(server, "GET", `${BACKENDS}/fin`)).status).toBe(404);
  });

  it("garbage-collects dependents whose owners are all gone", async () => {
    const owner = (await request(server, "POST", BACKENDS, backend("owner"))).body;
    const ref = { apiVersion: owner.apiVersion, kind: "Backend", name: "owner", uid: owner.metadata.uid };
    await request(server, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "owned", ownerReferences: [ref] } });
    await request(server, "DELETE", `${BACKENDS}/owner`);
    expect((await request(server, "GET", "/api/v1/namespaces/default/configmaps/owned")).status).toBe(404);
  });
});

describe("lists", () => {
  it("filters by label and field selectors and pages with limit/continue", async () => {
    for (const [name, tier] of [["s-a", "web"], ["s-b", "db"], ["s-c", "web"]]) {
      await request(server, "POST", SVC, { metadata: { name, labels: { tier } }, spec: { ports: [{ port: 80 }] } });
    }
    const web = await request(server, "GET", `${SVC}?labelSelector=${encodeURIComponent("tier in (web),tier!=db")}`);
    expect(web.body.kind).toBe("ServiceList");
    expect(web.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["s-a", "s-c"]);
    expect(web.body.items[0].kind).toBeUndefined(); // built-in list items carry no kind, as kube serves them
    const one = await request(server, "GET", `/api/v1/services?fieldSelector=metadata.name%3Ds-b,metadata.namespace%3Ddefault`);
    expect(one.body.items).toHaveLength(1);
    const bad = await request(server, "GET", `${SVC}?fieldSelector=spec.type%3DClusterIP`);
    expect(bad.status).toBe(400);
    const page1 = await request(server, "GET", `${SVC}?limit=2`);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.metadata.remainingItemCount).toBe(1);
    const page2 = await request(server, "GET", `${SVC}?limit=2&continue=${encodeURIComponent(page1.body.metadata.continue)}`);
    expect(page2.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["s-c"]);
    expect(page2.body.metadata.continue).toBeUndefined();
  });

  it("deletes a collection by selector", async () => {
    const r = await request(server, "DELETE", `${SVC}?labelSelector=tier%3Dweb`);
    expect(r.status).toBe(200);
    const left = await request(server, "GET", SVC);
    expect(left.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["s-b"]);
  });
});

describe("patches", () => {
  it("applies strategic merge patches by merge key and with $patch directives", async () => {
    const dep = { metadata: { name: "d" }, spec: { template: { spec: { containers: [{ name: "a", image: "a:1" }, { name: "b", image: "b:1" }] } } } };
    await request(server, "POST", "/apis/apps/v1/namespaces/default/deployments", dep);
    const p = await request(server, "PATCH", "/apis/apps/v1/namespaces/default/deployments/d", { spec: { template: { spec: { containers: [{ name: "b", image: "b:2" }, { name: "a", $patch: "delete" }] } } } }, "application/strategic-merge-patch+json");
    expect(p.body.spec.template.spec.containers).toEqual([{ name: "b", image: "b:2" }]);
    const cr = await request(server, "PATCH", `${BACKENDS}/noop`, { spec: {} }, "application/strategic-merge-patch+json");
    expect(cr.status).toBe(415);
  });

  it("server-side apply creates, merges and removes fields the manager dropped", async () => {
    const path = "/api/v1/namespaces/default/configmaps/ssa?fieldManager=ctl&force=true";
    const a = await request(server, "PATCH", path, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: '1'\n  b: '2'\n", "application/apply-patch+yaml");
    expect(a.status).toBe(201);
    await request(server, "PATCH", "/api/v1/namespaces/default/configmaps/ssa", { data: { c: "3" } }, "application/merge-patch+json", { "User-Agent": "other/1.0" });
    const b = await request(server, "PATCH", path, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ssa" }, data: { a: "1" } }, "application/apply-patch+yaml");
    expect(b.body.data).toEqual({ a: "1", c: "3" });
    expect(b.body.metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`)).toEqual(["ctl/Apply", "other/Update"]);
  });
});

describe("custom resource definitions", () => {
  it("serves a new kind with its scope, names and status subresource, and stops serving it when deleted", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Cluster",
        names: { plural: "widgets", singular: "widget", kind: "Widget", shortNames: ["wd"], categories: ["all"] },
        versions: [
          { name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer", default: 3 } } } } } } },
          { name: "v1beta1", served: true, storage: false, schema: { openAPIV3Schema: { type: "object" } } },
        ],
      },
    };
    expect((await request(server, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)).status).toBe(201);
    const list = await request(server, "GET", "/apis/example.com/v1");
    expect(list.body.resources.map((r: { name: string }) => r.name)).toEqual(["widgets"]);
    const w = await request(server, "POST", "/apis/example.com/v1/widgets", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: {} });
    expect(w.body.spec.size).toBe(3);
    const beta = await request(server, "GET", "/apis/example.com/v1beta1/widgets/w");
    expect(beta.body.apiVersion).toBe("example.com/v1beta1");
    expect((await request(server, "GET", "/apis/example.com/v1/namespaces/default/widgets")).status).toBe(404);
    expect(await kubectlOk(server, ["get", "wd", "-o", "name"])).toBe("widget.example.com/w\n");
    await request(server, "DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
    expect((await request(server, "GET", "/apis/example.com/v1/widgets")).status).toBe(404);
  });
});

describe("built-in defaults", () => {
  it("folds Secret stringData into data", async () => {
    const r = await request(server, "POST", "/api/v1/namespaces/default/secrets", { metadata: { name: "s" }, stringData: { token: "abc" }, data: { other: "eA==" } });
    expect(r.body.data).toEqual({ token: Buffer.from("abc").toString("base64"), other: "eA==" });
    expect(r.body.stringData).toBeUndefined();
  });

  it("gives Services a stable cluster IP, port defaults and node ports, and drops them for ExternalName", async () => {
    const lb = (await request(server, "POST", SVC, { metadata: { name: "lb" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } })).body;
    expect(lb.spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(lb.spec.ports[0]).toMatchObject({ port: 80, protocol: "TCP", targetPort: 80, nodePort: expect.any(Number) });
    const other = (await request(server, "POST", SVC, { metadata: { name: "other" }, spec: { ports: [{ port: 80 }] } })).body;
    expect(other.spec.clusterIP).not.toBe(lb.spec.clusterIP);
    expect(other.spec.ports[0].nodePort).toBeUndefined();
    const same = await request(server, "PATCH", `${SVC}/lb?fieldManager=ctl`, { apiVersion: "v1", kind: "Service", metadata: { name: "lb" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } }, "application/apply-patch+yaml");
    expect(same.body.spec.ports).toHaveLength(1);
    expect(same.body.spec.clusterIP).toBe(lb.spec.clusterIP);
    const ext = await request(server, "PATCH", `${SVC}/other`, { spec: { type: "ExternalName", externalName: "example.com" } }, "application/merge-patch+json");
    expect(ext.body.spec.clusterIP).toBeUndefined();
    expect(ext.body.spec.externalName).toBe("example.com");
  });
});
