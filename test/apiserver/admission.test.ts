import https from "node:https";
import type { AddressInfo } from "node:net";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCA } from "./certs";
import { kubectl, kubectlOk } from "./client";
import { TestApiServer } from "./server";

// A webhook server with its own CA: /mutate labels ConfigMaps, /validate denies those with a
// "forbidden" key and warns about those with a "deprecated" key.
type Review = { request: { uid: string; object: { metadata: { labels?: Record<string, string> }; data?: Record<string, string> } } };

let server: TestApiServer;
let hook: https.Server;
let hookPort = 0;
const ca = createCA("webhook-ca");
const reviews: { path: string; review: Review & Record<string, unknown> }[] = [];

function respond(path: string, review: Review) {
  const { uid, object } = review.request;
  if (path.startsWith("/mutate")) {
    const ops = object.metadata.labels
      ? [{ op: "add", path: "/metadata/labels/mutated", value: "yes" }]
      : [{ op: "add", path: "/metadata/labels", value: { mutated: "yes" } }];
    return { uid, allowed: true, patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(ops)).toString("base64") };
  }
  const data = object?.data ?? {};
  if ("forbidden" in data) return { uid, allowed: false, status: { code: 403, message: "the key forbidden is not allowed" } };
  return { uid, allowed: true, ...("deprecated" in data ? { warnings: ["the key deprecated is deprecated"] } : {}) };
}

const caBundle = () => Buffer.from(ca.cert).toString("base64");

function configs(mutateUrl: string) {
  const rules = [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["configmaps"], scope: "Namespaced" }];
  const common = { admissionReviewVersions: ["v1"], sideEffects: "None", failurePolicy: "Fail", timeoutSeconds: 10, rules, objectSelector: { matchExpressions: [{ key: "skip", operator: "DoesNotExist" }] } };
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: "labeler" },
      webhooks: [{ name: "labeler.example.com", clientConfig: { url: mutateUrl, caBundle: caBundle() }, ...common }],
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "guard" },
      webhooks: [
        {
          name: "guard.example.com",
          clientConfig: { service: { namespace: "hooks", name: "guard", path: "/validate", port: 8443 }, caBundle: caBundle() },
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "default" } },
          ...common,
        },
      ],
    },
  ];
}

const cm = (name: string, data: Record<string, string>, labels: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", labels }, data });

beforeAll(async () => {
  const leaf = ca.issue({ commonName: "guard.hooks.svc", dnsNames: ["guard.hooks.svc", "localhost"], ips: ["127.0.0.1"] });
  hook = https.createServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const review = JSON.parse(body);
      reviews.push({ path: req.url ?? "", review });
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: respond(req.url ?? "", review) }));
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  hookPort = (hook.address() as AddressInfo).port;
  server = await TestApiServer.start();
  server.mapService("hooks", "guard", 8443, { host: "127.0.0.1", port: hookPort });
  const docs = configs(`https://localhost:${hookPort}/mutate`).map((d) => YAML.stringify(d)).join("---\n");
  await kubectlOk(server, ["apply", "-f", "-"], { input: docs });
});

afterAll(async () => {
  await server?.stop();
  hook?.closeAllConnections();
  await new Promise((r) => hook?.close(r));
});

describe("admission webhooks", () => {
  it("applies the mutating webhook's JSON patch before storing", async () => {
    await kubectlOk(server, ["apply", "-f", "-"], { input: cm("plain", { a: "1" }) });
    expect(server.object("v1", "ConfigMap", "plain")?.metadata.labels).toEqual({ mutated: "yes" });
  });

  it("refuses what the validating webhook denies, as kubectl prints kube's denials", async () => {
    const r = await kubectl(server, ["apply", "-f", "-"], { input: cm("bad", { forbidden: "x" }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error when creating "STDIN": admission webhook "guard.example.com" denied the request: the key forbidden is not allowed');
    expect(server.object("v1", "ConfigMap", "bad")).toBeUndefined();
  });

  it("surfaces webhook warnings as Warning headers that kubectl prints", async () => {
    const r = await kubectl(server, ["apply", "-f", "-"], { input: cm("old", { deprecated: "x" }) });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Warning: the key deprecated is deprecated");
  });

  it("sends an AdmissionReview v1 with the request's identity, and the old object on update", async () => {
    reviews.length = 0;
    await kubectlOk(server, ["patch", "configmap", "plain", "--type=merge", "-p", '{"data":{"a":"2"}}']);
    const validate = reviews.find((r) => r.path.startsWith("/validate"))!;
    expect(validate.path).toBe("/validate?timeout=10s");
    expect(validate.review).toMatchObject({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        kind: { group: "", version: "v1", kind: "ConfigMap" },
        resource: { group: "", version: "v1", resource: "configmaps" },
        name: "plain",
        namespace: "default",
        operation: "UPDATE",
        userInfo: { username: "test-admin" },
        object: { data: { a: "2" } },
        oldObject: { data: { a: "1" } },
        dryRun: false,
        options: { kind: "PatchOptions", fieldManager: "kubectl-patch" },
      },
    });
  });

  it("skips webhooks whose object or namespace selectors do not match", async () => {
    reviews.length = 0;
    await kubectlOk(server, ["apply", "-f", "-"], { input: cm("skipped", { forbidden: "x" }, { skip: "true" }) });
    await kubectlOk(server, ["apply", "-f", "-"], { input: cm("elsewhere", { forbidden: "x" }).replace('"namespace":"default"', '"namespace":"kube-public"') });
    expect(reviews.filter((r) => r.path.startsWith("/validate"))).toHaveLength(0);
    expect(reviews.filter((r) => r.path.startsWith("/mutate"))).toHaveLength(1);
  });

  it("fails closed when a webhook cannot be reached or its certificate is not trusted", async () => {
    const other = createCA("someone-else");
    await kubectlOk(server, ["patch", "validatingwebhookconfiguration", "guard", "--type=json", "-p", JSON.stringify([{ op: "replace", path: "/webhooks/0/clientConfig/caBundle", value: Buffer.from(other.cert).toString("base64") }])]);
    const untrusted = await kubectl(server, ["apply", "-f", "-"], { input: cm("tls", { a: "1" }) });
    expect(untrusted.stderr).toContain('failed calling webhook "guard.example.com"');
    expect(server.object("v1", "ConfigMap", "tls")).toBeUndefined();
    await kubectlOk(server, ["patch", "validatingwebhookconfiguration", "guard", "--type=json", "-p", '[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}]']);
    await kubectlOk(server, ["apply", "-f", "-"], { input: cm("tls", { a: "1" }) });
    expect(server.object("v1", "ConfigMap", "tls")).toBeDefined();
  });
});
