import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl, kubectlOk } from "./client";
import { TestApiServer } from "./server";

const ROOT = join(__dirname, "..", "..");
const CRDS = join(ROOT, "..", "shared", "gateway-api", "v1.6.1", "crds", "standard");
const EXAMPLE = join(ROOT, "manifests", "examples", "external-https.yaml");

let server: TestApiServer;

beforeAll(async () => {
  server = await TestApiServer.start();
  await kubectlOk(server, ["apply", "-f", CRDS]);
  await kubectlOk(server, ["apply", "-f", join(ROOT, "crds", "backend.yaml")]);
});

afterAll(async () => {
  await server?.stop();
});

const rv = (apiVersion: string, kind: string, name: string) => server.object(apiVersion, kind, name)?.metadata.resourceVersion;

describe("kubectl against the test API server", () => {
  it("applies the Gateway API and Backend CRDs and serves their kinds", async () => {
    const out = await kubectlOk(server, ["api-resources", "--api-group=gateway.networking.k8s.io", "-o", "name"]);
    expect(out.split("\n")).toEqual(expect.arrayContaining(["httproutes.gateway.networking.k8s.io", "gateways.gateway.networking.k8s.io", "backendtlspolicies.gateway.networking.k8s.io"]));
    const crd = server.object("apiextensions.k8s.io/v1", "CustomResourceDefinition", "backends.gateway.envoyproxy.io");
    expect(crd?.status.conditions.find((c: { type: string }) => c.type === "Established")?.status).toBe("True");
    await kubectlOk(server, ["wait", "--for=condition=Established", "crd/httproutes.gateway.networking.k8s.io", "--timeout=30s"]);
  });

  it("applies the example, prints it with printer columns and describes it", async () => {
    const out = await kubectlOk(server, ["apply", "-f", EXAMPLE]);
    expect(out).toContain("httproute.gateway.networking.k8s.io/httpbin created");
    expect(out).toContain("backend.gateway.envoyproxy.io/httpbin created");
    const table = await kubectlOk(server, ["get", "gatewayclass"]);
    expect(table).toMatch(/NAME\s+CONTROLLER\s+ACCEPTED\s+AGE/);
    expect(table).toMatch(/peg\s+pepr.dev\/envoy-gateway/);
    const routes = await kubectlOk(server, ["get", "httproutes", "-A"]);
    expect(routes).toMatch(/default\s+httpbin\s+\[www.example.com\]/);
    const described = await kubectlOk(server, ["describe", "httproute", "httpbin"]);
    expect(described).toContain("Kind:         HTTPRoute");
    expect(described).toMatch(/Weight:\s+1/); // the CRD schema default, applied on write
    const json = JSON.parse(await kubectlOk(server, ["get", "backend", "httpbin", "-o", "json"]));
    expect(json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(json.metadata.generation).toBe(1);
  });

  it("applies the same file a second time without a new resourceVersion", async () => {
    const before = [rv("gateway.envoyproxy.io/v1alpha1", "Backend", "httpbin"), rv("gateway.networking.k8s.io/v1", "HTTPRoute", "httpbin"), server.resourceVersion];
    const out = await kubectlOk(server, ["apply", "-f", EXAMPLE]);
    expect(out).toContain("backend.gateway.envoyproxy.io/httpbin unchanged");
    const after = [rv("gateway.envoyproxy.io/v1alpha1", "Backend", "httpbin"), rv("gateway.networking.k8s.io/v1", "HTTPRoute", "httpbin"), server.resourceVersion];
    expect(after).toEqual(before);
  });

  it("patches with merge and JSON patches, bumping generation on spec changes only", async () => {
    await kubectlOk(server, ["patch", "backend", "httpbin", "--type=merge", "-p", '{"metadata":{"labels":{"team":"a"}}}']);
    expect(server.object("gateway.envoyproxy.io/v1alpha1", "Backend", "httpbin")?.metadata.generation).toBe(1);
    await kubectlOk(server, ["patch", "backend", "httpbin", "--type=json", "-p", '[{"op":"replace","path":"/spec/endpoints/0/fqdn/port","value":8443}]']);
    const b = server.object("gateway.envoyproxy.io/v1alpha1", "Backend", "httpbin");
    expect(b?.spec.endpoints[0].fqdn.port).toBe(8443);
    expect(b?.metadata.labels).toEqual({ team: "a" });
    expect(b?.metadata.generation).toBe(2);
    const failed = await kubectl(server, ["patch", "backend", "httpbin", "--type=json", "-p", '[{"op":"test","path":"/spec/endpoints/0/fqdn/port","value":1}]']);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain("test failed");
    const patchedRV = rv("gateway.envoyproxy.io/v1alpha1", "Backend", "httpbin");
    const same = await kubectlOk(server, ["patch", "backend", "httpbin", "--type=merge", "-p", '{"metadata":{"labels":{"team":"a"}}}']);
    expect(same).toContain("patched (no change)");
    expect(rv("gateway.envoyproxy.io/v1alpha1", "Backend", "httpbin")).toBe(patchedRV);
  });

  it("server-side applies with a field manager, and reports conflicts unless forced", async () => {
    const cm = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: default\ndata:\n  key: "${value}"\n`;
    expect(await kubectlOk(server, ["apply", "--server-side", "--field-manager=alice", "-f", "-"], { input: cm("1") })).toContain("serverside-applied");
    const firstRV = rv("v1", "ConfigMap", "ssa");
    await kubectlOk(server, ["apply", "--server-side", "--field-manager=alice", "-f", "-"], { input: cm("1") });
    expect(rv("v1", "ConfigMap", "ssa")).toBe(firstRV);
    const clash = await kubectl(server, ["apply", "--server-side", "--field-manager=bob", "-f", "-"], { input: cm("2") });
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain('conflict with "alice"');
    await kubectlOk(server, ["apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", "-"], { input: cm("2") });
    const obj = server.object("v1", "ConfigMap", "ssa");
    expect(obj?.data.key).toBe("2");
    expect(obj?.metadata.managedFields.map((m: { manager: string }) => m.manager)).toEqual(["bob"]);
  });

  it("creates, replaces and deletes built-in kinds with strategic merge apply", async () => {
    const deploy = (image: string, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 80}]${extra}
`;
    await kubectlOk(server, ["apply", "-f", "-"], { input: deploy("nginx:1") });
    await kubectlOk(server, ["apply", "-f", "-"], { input: deploy("nginx:2", "\n      - name: sidecar\n        image: busybox") });
    const d = server.object("apps/v1", "Deployment", "web");
    expect(d?.spec.template.spec.containers.map((c: { name: string; image: string }) => `${c.name}=${c.image}`)).toEqual(["web=nginx:2", "sidecar=busybox"]);
    expect(d?.metadata.generation).toBe(2);
    await kubectlOk(server, ["apply", "-f", "-"], { input: deploy("nginx:2") });
    expect(server.object("apps/v1", "Deployment", "web")?.spec.template.spec.containers).toHaveLength(1);
    expect(await kubectlOk(server, ["delete", "deployment", "web"])).toContain('deployment.apps "web" deleted');
    const gone = await kubectl(server, ["get", "deployment", "web"]);
    expect(gone.stderr).toContain('deployments.apps "web" not found');
  });

  it("refuses namespaced creates in a namespace that does not exist", async () => {
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: nowhere\n";
    const r = await kubectl(server, ["apply", "-f", "-"], { input: cm });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('namespaces "nowhere" not found');
  });

  it("shows a change to `kubectl get -w`", async () => {
    const child = spawn("kubectl", ["get", "backend", "httpbin", "-w", "-o", "jsonpath={.spec.endpoints[0].fqdn.port}{\"\\n\"}"], { env: { ...process.env, ...server.env() } });
    let out = "";
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => out.includes(text) && resolve();
        child.stdout.on("data", (d) => ((out += d), check()));
        child.on("close", () => reject(new Error(`kubectl get -w ended; output: ${out}`)));
        check();
      });
    try {
      await seen("8443");
      await kubectlOk(server, ["patch", "backend", "httpbin", "--type=merge", "-p", '{"spec":{"endpoints":[{"fqdn":{"hostname":"www.httpbin.org","port":9443}}]}}']);
      await seen("9443");
    } finally {
      child.kill();
    }
  });

  it("deletes the example objects", async () => {
    const out = await kubectlOk(server, ["delete", "-f", EXAMPLE]);
    expect(out).toContain('httproute.gateway.networking.k8s.io "httpbin" deleted');
    expect(server.object("gateway.networking.k8s.io/v1", "HTTPRoute", "httpbin")).toBeUndefined();
  });
});
