import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient, TypeUrl, type Response, type TestStream } from "../integration/xds/helpers";
import { buildModule, deployAndRun, EXAMPLES, kubectlOk, startCluster, type PeprProcess, type TestApiServer } from "./helpers";
import { conditionOf, logged, mtlsClient, startWatcher, waitFor, type WatcherProcess } from "./watcher-helpers";

// The module as Pepr runs it in a cluster — the admission Deployment behind its webhooks and the
// watcher Deployment (PEPR_WATCH_MODE=true) — against the test API server, driven with kubectl:
// status conditions, the data plane, xDS over mTLS, ExternalName after admission, no status churn,
// restarts and dropped watches.

const WEB = `
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec:
  type: ClusterIP
  selector: { app: web }
  ports: [{ name: http, port: 8080, targetPort: 8080, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: default, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints: [{ addresses: ["10.1.2.3"], conditions: { ready: true } }]
ports: [{ name: http, port: 8080, protocol: TCP }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: web, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  hostnames: ["www.example.com"]
  rules:
    - matches: [{ path: { type: PathPrefix, value: /web } }]
      backendRefs: [{ name: web, port: 8080 }]
`;

const OTHER_CLASS = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: not-ours }
spec: { controllerName: example.com/another-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: foreign, namespace: default }
spec:
  gatewayClassName: not-ours
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
`;

const marker = (name: string) => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: ${name}, namespace: default }
spec:
  endpoints: [{ fqdn: { hostname: ${name}.example.com, port: 443 } }]
`;

let server: TestApiServer;
let outDir: string;
let admission: PeprProcess | undefined;
let watcher: WatcherProcess | undefined;
const clients: TestClient[] = [];
/** Each step waits for conditions with generous timeouts; none is timed. */
const STEP = 240_000;

const get = async (kind: string, name: string) => JSON.parse(await kubectlOk(server, ["get", kind, name, "-o", "json"]));
const apply = (yaml: string) => kubectlOk(server, ["apply", "-f", "-"], { input: yaml });
const statusPatches = (pathPart = "") => server.requests.filter(r => r.method === "PATCH" && r.path.endsWith("/status") && r.path.includes(pathPart));

/** Applies a Backend and waits for its status: every rebuild before it has been written by then. */
async function barrier(name: string): Promise<void> {
  await apply(marker(name));
  await waitFor(async () => conditionOf(await get("backend", name), "Accepted"), `status of Backend ${name}`);
}

/** The HTTP listener's RouteConfiguration of Gateway default/eg (port 80). */
const ROUTES = ["default/eg/80"];

/** ACKs a response and returns its resources as JSON text. */
function ack(stream: TestStream, type: string, resourceNames: string[], res: Response): string {
  stream.send({ typeUrl: type, resourceNames, versionInfo: res.versionInfo, responseNonce: res.nonce });
  return JSON.stringify(res.resources.map(r => r.message));
}

async function sotw(client: TestClient, type: string, resourceNames: string[] = []): Promise<{ stream: TestStream; versionInfo: string; text: string }> {
  const stream = client.sotw();
  stream.send({ node: { id: "default/eg/e2e", cluster: "default/eg" }, typeUrl: type, resourceNames });
  const res = await stream.next(60_000);
  return { stream, versionInfo: res.versionInfo!, text: ack(stream, type, resourceNames, res) };
}

/** Reads (and ACKs) the route responses of `stream` until one contains `text`. */
async function routesUntil(stream: TestStream, text: string, what: string): Promise<void> {
  await waitFor(async () => ack(stream, TypeUrl.Route, ROUTES, await stream.next(60_000)).includes(text), what);
}

beforeAll(async () => {
  outDir = await buildModule();
  server = await startCluster();
  [admission] = await deployAndRun(server, outDir, ["admission"]);
  watcher = await startWatcher(server, outDir);
  await kubectlOk(server, ["apply", "-f", join(EXAMPLES, "external-https.yaml")]);
  await apply(WEB);
  await apply(OTHER_CLASS);
}, 15 * 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await watcher?.proc.stop();
  await admission?.stop();
  await server?.stop();
});

describe("the watcher, end to end with kubectl", () => {
  it("kubectl describe httproute shows Accepted and ResolvedRefs True", async () => {
    for (const name of ["httpbin", "web"]) {
      await waitFor(async () => conditionOf(await get("httproute", name), "ResolvedRefs")?.status === "True", `ResolvedRefs of ${name}`);
      const text = await kubectlOk(server, ["describe", "httproute", name]);
      expect(text).toMatch(/Reason:\s+Accepted\s+Status:\s+True\s+Type:\s+Accepted/);
      expect(text).toMatch(/Reason:\s+ResolvedRefs\s+Status:\s+True\s+Type:\s+ResolvedRefs/);
      expect(text).toContain("Controller Name:         pepr.dev/envoy-gateway");
    }
  }, STEP);

  it("kubectl describe backend shows Accepted", async () => {
    await waitFor(async () => conditionOf(await get("backend", "httpbin"), "Accepted"), "Backend status");
    const text = await kubectlOk(server, ["describe", "backend", "httpbin"]);
    expect(text).toMatch(/Reason:\s+Accepted\s+Status:\s+True\s+Type:\s+Accepted/);
  }, STEP);

  it("never writes the status of another controller's Gateway or GatewayClass", async () => {
    await barrier("barrier-foreign");
    expect(statusPatches("/gateways/foreign/")).toHaveLength(0);
    expect(statusPatches("/gatewayclasses/not-ours/")).toHaveLength(0);
    expect((await get("gateway", "foreign")).status?.conditions?.[0]?.reason).not.toBe("Accepted");
  }, STEP);

  it("provisions the Gateway's data plane, owned by the Gateway, and Programmed follows it", async () => {
    const gw = await get("gateway", "eg");
    for (const [kind, name] of [["serviceaccount", "envoy-eg"], ["secret", "envoy-eg-xds-tls"], ["configmap", "envoy-eg-bootstrap"], ["deployment", "envoy-eg"], ["service", "envoy-eg"]]) {
      const obj = await waitFor(async () => (await kubectlOk(server, ["get", kind, "-o", "json"]).then(JSON.parse)).items.find((o: { metadata: { name: string } }) => o.metadata.name === name), `${kind} ${name}`);
      expect(obj.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Gateway", name: "eg", uid: gw.metadata.uid, controller: true })]);
    }
    const bootstrap = JSON.parse((await get("configmap", "envoy-eg-bootstrap")).data["bootstrap.yaml"]);
    expect(bootstrap.node.cluster).toBe("default/eg");
    expect(bootstrap.dynamic_resources.ads_config.api_type).toBe("DELTA_GRPC");
    const svc = await get("service", "envoy-eg");
    expect(svc.spec.type).toBe("LoadBalancer");
    expect(svc.spec.ports).toEqual([expect.objectContaining({ port: 80, targetPort: 80 })]);
    const cert = new X509Certificate(Buffer.from((await get("secret", "envoy-eg-xds-tls")).data["tls.crt"], "base64"));
    expect(cert.subject).toContain("CN=default/eg");

    // No kubelet or load balancer here: the Gateway waits for them, then is Programmed.
    await waitFor(async () => conditionOf(await get("gateway", "eg"), "Programmed")?.reason === "NoResources", "Programmed=False NoResources");
    await kubectlOk(server, ["patch", "deployment", "envoy-eg", "--subresource=status", "--type=merge", "-p", '{"status":{"replicas":1,"readyReplicas":1,"availableReplicas":1}}']);
    await kubectlOk(server, ["patch", "service", "envoy-eg", "--subresource=status", "--type=merge", "-p", '{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.80"}]}}}']);
    const programmed = await waitFor(async () => {
      const g = await get("gateway", "eg");
      return conditionOf(g, "Programmed")?.status === "True" && g;
    }, "Programmed=True");
    expect(programmed.status.addresses).toEqual([{ type: "IPAddress", value: "203.0.113.80" }]);
  }, STEP);

  it("serves xDS over mTLS only, and a kubectl change reaches an ADS client", async () => {
    const anonymous = new TestClient(watcher!.xdsPort, grpc.credentials.createInsecure());
    clients.push(anonymous);
    const refused = anonymous.sotw();
    refused.send({ node: { id: "x", cluster: "default/eg" }, typeUrl: TypeUrl.Listener });
    await waitFor(() => refused.error ?? (refused.ended && new Error("ended")), "the plaintext stream to fail");

    const client = mtlsClient(server, watcher!.xdsPort, "default", "envoy-eg-xds-tls");
    clients.push(client);
    const { stream, text } = await sotw(client, TypeUrl.Route, ROUTES);
    expect(text).toContain("/web");
    expect(text).toContain("service/default/web/8080");
    expect(text).not.toContain("/web-v2");
    await kubectlOk(server, ["patch", "httproute", "web", "--type=json", "-p", '[{"op":"replace","path":"/spec/rules/0/matches/0/path/value","value":"/web-v2"}]']);
    await routesUntil(stream, "/web-v2", "the route change over xDS");
    stream.close();
  }, STEP);

  it("a Service turned ExternalName after admission makes ResolvedRefs False, UnsupportedValue", async () => {
    await kubectlOk(server, ["patch", "service", "web", "--type=merge", "-p", '{"spec":{"type":"ExternalName","externalName":"web.example.com"}}']);
    const resolved = await waitFor(async () => {
      const c = conditionOf(await get("httproute", "web"), "ResolvedRefs");
      return c?.status === "False" && c;
    }, "ResolvedRefs=False");
    expect(resolved.reason).toBe("UnsupportedValue");
    const text = await kubectlOk(server, ["describe", "httproute", "web"]);
    expect(text).toMatch(/Reason:\s+UnsupportedValue\s+Status:\s+False\s+Type:\s+ResolvedRefs/);
    // And the traffic stops: the route no longer forwards to the Service's cluster.
    const client = mtlsClient(server, watcher!.xdsPort, "default", "envoy-eg-xds-tls");
    clients.push(client);
    const { stream, text: routes } = await sotw(client, TypeUrl.Route, ROUTES);
    stream.close();
    expect(routes).toContain("/web-v2");
    expect(routes).not.toContain("service/default/web/");
  }, STEP);

  it("writes no status when nothing changed, and its own writes trigger no rebuilds", async () => {
    await barrier("barrier-1");
    const before = statusPatches().length;
    const rebuildsBefore = logged(watcher!.proc, "rebuilt").length;
    // A change translation sees but that changes no status.
    await kubectlOk(server, ["annotate", "httproute", "web", "example.com/note=unrelated"]);
    await barrier("barrier-2");
    const since = statusPatches().slice(before).map(r => r.path);
    expect(since).toEqual(["/apis/gateway.envoyproxy.io/v1alpha1/namespaces/default/backends/barrier-2/status"]);
    // Two rebuilds (annotation, barrier), not more: the status writes' own events cause none.
    const rebuilds = logged(watcher!.proc, "rebuilt").length - rebuildsBefore;
    expect(rebuilds).toBeGreaterThanOrEqual(1);
    expect(rebuilds).toBeLessThanOrEqual(3);
  }, STEP);

  it("a restarted watcher serves the same snapshot version and writes no status", async () => {
    const client = mtlsClient(server, watcher!.xdsPort, "default", "envoy-eg-xds-tls");
    clients.push(client);
    const { stream, versionInfo } = await sotw(client, TypeUrl.Listener);
    stream.close();
    const routeBefore = JSON.stringify((await get("httproute", "web")).status);
    const dataPlane = [["secret", "envoy-eg-xds-tls"], ["configmap", "envoy-eg-bootstrap"], ["deployment", "envoy-eg"], ["service", "envoy-eg"], ["secret", "pepr-envoy-gateway-xds-tls"]];
    const versions = async () => Promise.all(dataPlane.map(async ([kind, name]) => (await kubectlOk(server, ["get", kind, "-A", "-o", "json"]).then(JSON.parse)).items.find((o: { metadata: { name: string } }) => o.metadata.name === name)?.metadata.resourceVersion));
    const versionsBefore = await versions();
    await watcher!.proc.stop();
    const before = statusPatches().length;
    watcher = await startWatcher(server, outDir);
    await waitFor(() => logged(watcher!.proc, "rebuilt").length > 0, "the first rebuild after the restart");
    await barrier("barrier-3");
    expect(statusPatches().slice(before).map(r => r.path)).toEqual(["/apis/gateway.envoyproxy.io/v1alpha1/namespaces/default/backends/barrier-3/status"]);
    expect(JSON.stringify((await get("httproute", "web")).status)).toBe(routeBefore);
    // The restarted watcher applied the data plane again (the Service comes last) and the xDS
    // certificates were reused: none of it changed.
    await waitFor(() => server.requests.slice(before).some(r => r.method === "PATCH" && r.path.endsWith("/services/envoy-eg")), "the data plane to be applied again");
    expect(await versions()).toEqual(versionsBefore);
    const after = mtlsClient(server, watcher.xdsPort, "default", "envoy-eg-xds-tls");
    clients.push(after);
    const again = await sotw(after, TypeUrl.Listener);
    again.stream.close();
    expect(again.versionInfo).toBe(versionInfo);
  }, STEP);

  it("after every watch is dropped, and changes made meanwhile, the store relists and converges", async () => {
    await apply(`${marker("doomed")}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: doomed, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  rules: [{ matches: [{ path: { type: PathPrefix, value: /doomed } }], backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: doomed, port: 443 }] }]
`);
    await waitFor(async () => conditionOf(await get("httproute", "doomed"), "ResolvedRefs")?.status === "True", "the doomed route resolved");
    const client = mtlsClient(server, watcher!.xdsPort, "default", "envoy-eg-xds-tls");
    clients.push(client);
    const { stream, text } = await sotw(client, TypeUrl.Route, ROUTES);
    expect(text).not.toContain("/late");
    // Drop every watch and, before any can reconnect, delete the Backend: no watch sees the delete.
    server.compact();
    expect(server.dropWatches()).toBeGreaterThan(10);
    const backends = server.cluster.type("gateway.envoyproxy.io", "backends");
    server.cluster.removeNow(backends, server.cluster.store.get("gateway.envoyproxy.io/backends", "default", "doomed")!);
    await apply(WEB.split("---")[2].replace("name: web, namespace", "name: late, namespace").replace("/web", "/late").replace("name: web, port", "name: web-late, port"));
    await routesUntil(stream, "/late", "the route created while watches were down, over xDS");
    stream.close();
    const gone = await waitFor(async () => {
      const c = conditionOf(await get("httproute", "doomed"), "ResolvedRefs");
      return c?.status === "False" && c;
    }, "the missed delete to reach the doomed route's status");
    expect(gone.reason).toBe("BackendNotFound");
    await waitFor(async () => conditionOf(await get("httproute", "late"), "ResolvedRefs")?.reason === "BackendNotFound", "status of the late route");
    await waitFor(() => server.openWatches().length >= 24, "the watches to be re-established");
  }, STEP);
});
