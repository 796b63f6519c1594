/**
 * A test Kubernetes API server. It stands in for kube-apiserver (with etcd behind it) in tests, for
 * kubectl, kubernetes-fluent-client and Pepr, which talk to it unmodified over HTTPS with the
 * kubeconfig it writes (a self-signed CA and a bearer token).
 *
 * What it does, as kube-apiserver does it: discovery (legacy and aggregated v2), Table output for
 * `kubectl get`, create/get/list/update/patch/delete/deletecollection of built-in kinds and of
 * any kind a CustomResourceDefinition registers (served versions, scope, names, status
 * subresource, printer columns, schema defaults) and the common defaults of built-ins (Service
 * cluster IPs, ports and node ports, Secret stringData); one global resourceVersion counter, uid,
 * generation (bumped on changes outside metadata and status), 409 on a stale resourceVersion,
 * Status objects for failures; namespaces must exist for namespaced creates ("default",
 * "kube-system", "kube-public" and "kube-node-lease" exist from the start); label and field
 * selectors; paging with limit/continue; watches with resourceVersion replay from a bounded
 * history and 410 Expired past it, bookmarks and timeoutSeconds; merge, JSON, strategic merge and
 * server-side apply patches with managedFields; no new resourceVersion and no event when a write
 * changes nothing; finalizers and deletionTimestamp; owner-reference garbage collection;
 * namespace deletion removing its contents; the mutating and validating admission webhook chain
 * over HTTPS with caBundle verification, denials and warnings as kube reports them.
 *
 * What it does not do: authorization (every authenticated request is an administrator), schema
 * validation or pruning of custom resources, CEL (x-kubernetes-validations, matchConditions,
 * ValidatingAdmissionPolicy enforcement), conversion webhooks (versions of a CRD share one
 * storage shape), protobuf, HTTP/2, built-in controllers (no pods from Deployments, no endpoints
 * from Services, no cluster IPs or load-balancer addresses), per-kind table columns and validation
 * of built-in kinds, graceful deletion periods, namespace termination phases, managed fields of
 * sets and nested ownership, strategic merge beyond the list fields named in patch.ts,
 * and continue tokens that expire. Core and events.k8s.io Events are stored apart. Request bodies
 * are JSON or YAML: kubectl's generators that send protobuf (`kubectl create configmap ...`) get
 * 415; `kubectl apply`, `create -f`, `patch`, `get`, `describe`, `delete` and `wait` work.
 *
 * Use from a test:
 *   const server = await TestApiServer.start();        // https://127.0.0.1:<ephemeral port>
 *   server.env()                                       // { KUBECONFIG, KUBECACHEDIR } for kubectl
 *   process.env.KUBECONFIG = server.kubeconfigPath;    // for kubernetes-fluent-client and Pepr
 *   server.mapService("pepr-system", "svc", 443, { host: "127.0.0.1", port });  // webhook targets
 *   server.count((r) => r.method === "PATCH" && r.path.endsWith("/status"));     // request log
 *   server.dropWatches(); server.compact();            // cut every watch; make old versions 410
 *   await server.stop();
 * (./client.ts has kubectl() and raw request()/watch() helpers.)
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { createCA } from "./certs";
import { ADMIN, Cluster } from "./cluster";
import { AGGREGATED_CONTENT_TYPE, aggregatedList, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from "./discovery";
import { ApiError, internal } from "./errors";
import { openapiFor, openapiIndex } from "./openapi";
import { parseApiVersion, type KubeObject } from "./resources";
import { handleResource, type Reply } from "./rest";
import { notServed, route } from "./routes";
import type { OpenWatch } from "./watch";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType?: string;
  userAgent?: string;
  /** HTTP status of the reply (200 for a watch once it started streaming). */
  code?: number;
}

export interface WebhookCall {
  webhook: string;
  review: KubeObject;
  response?: KubeObject;
}

export interface StartOptions {
  /** Changes a watch can resume from before it gets 410 Expired (default 10,000). */
  historyLimit?: number;
  /** Directory for the kubeconfig (default: a fresh temporary directory, removed on stop). */
  dir?: string;
}

const VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0", gitCommit: "", gitTreeState: "clean", buildDate: "2025-01-01T00:00:00Z", goVersion: "", compiler: "gc", platform: "linux/amd64" };
const OPEN_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version"]);

export class TestApiServer {
  readonly cluster: Cluster;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Every admission webhook call, in order. */
  readonly webhookCalls: WebhookCall[] = [];
  private readonly watches = new Set<OpenWatch>();
  private server?: https.Server;
  url = "";
  kubeconfigPath = "";
  caPem = "";
  readonly token = randomBytes(24).toString("hex");

  private constructor(private readonly dir: string, private readonly ownDir: boolean, historyLimit?: number) {
    this.cluster = new Cluster(historyLimit);
    this.cluster.onWebhookCall = (webhook, review, response) => this.webhookCalls.push({ webhook, review, response });
  }

  /** Starts a server on 127.0.0.1 (an ephemeral port) and writes its kubeconfig. */
  static async start(opts: StartOptions = {}): Promise<TestApiServer> {
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "test-apiserver-"));
    const s = new TestApiServer(dir, !opts.dir, opts.historyLimit);
    await s.seed();
    const ca = createCA("test-apiserver-ca");
    const serving = ca.issue({ commonName: "kube-apiserver", dnsNames: ["localhost", "kubernetes", "kubernetes.default.svc"], ips: ["127.0.0.1"] });
    s.caPem = ca.cert;
    s.server = https.createServer({ cert: serving.cert, key: serving.key }, (req, res) => void s.handle(req, res));
    await new Promise<void>((resolve) => s.server!.listen(0, "127.0.0.1", resolve));
    s.url = `https://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    s.kubeconfigPath = join(dir, "kubeconfig");
    writeFileSync(s.kubeconfigPath, s.kubeconfig());
    return s;
  }

  private async seed(): Promise<void> {
    const ns = this.cluster.type("", "namespaces");
    for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      await this.cluster.create({ type: ns, version: "v1" }, { metadata: { name } }, { fieldManager: "kube-apiserver" });
    }
  }

  kubeconfig(): string {
    return YAML.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "test", cluster: { server: this.url, "certificate-authority-data": Buffer.from(this.caPem).toString("base64") } }],
      users: [{ name: "test-admin", user: { token: this.token } }],
      contexts: [{ name: "test", context: { cluster: "test", user: "test-admin", namespace: "default" } }],
      "current-context": "test",
    });
  }

  /** Environment for clients: KUBECONFIG, and a kubectl discovery cache private to this server. */
  env(): Record<string, string> {
    return { KUBECONFIG: this.kubeconfigPath, KUBECACHEDIR: join(this.dir, "kube-cache") };
  }

  /** Routes webhook calls for a Service (namespace/name:port) to a local address. */
  mapService(namespace: string, name: string, port: number, to: { host: string; port: number }): void {
    this.cluster.services.set(`${namespace}/${name}:${port}`, to);
  }

  /** Ends every open watch (abruptly by default, as a dropped connection); returns how many. */
  dropWatches(opts: { abrupt?: boolean } = {}): number {
    const all = [...this.watches];
    for (const w of all) w.close(opts.abrupt ?? true);
    return all.length;
  }

  openWatches(): { resource: string; namespace?: string }[] {
    return [...this.watches].map((w) => ({ resource: w.resource, namespace: w.namespace }));
  }

  /** Sends a BOOKMARK to every open watch that asked for them. */
  bookmark(): void {
    for (const w of this.watches) w.bookmark();
  }

  /** Forgets the change history: resuming a watch from any earlier resourceVersion gets 410. */
  compact(): void {
    this.cluster.store.compact();
  }

  /** The current (latest) resourceVersion. */
  get resourceVersion(): string {
    return String(this.cluster.store.rv);
  }

  /** A stored object (a copy) by apiVersion, kind, name and namespace; undefined if absent. */
  object(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined {
    const { group, version } = parseApiVersion(apiVersion);
    const type = this.cluster.registry.byKind(group, version, kind);
    if (!type) return undefined;
    try {
      return this.cluster.get({ type, version, namespace: type.namespaced ? (namespace ?? "default") : undefined, name });
    } catch {
      return undefined;
    }
  }

  /** Requests matching a predicate, e.g. status PATCHes: r.method === "PATCH" && r.path.endsWith("/status"). */
  count(pred: (r: RecordedRequest) => boolean): number {
    return this.requests.filter(pred).length;
  }

  async stop(): Promise<void> {
    this.dropWatches({ abrupt: true });
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://localhost");
    const rec: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, contentType: req.headers["content-type"], userAgent: req.headers["user-agent"] };
    this.requests.push(rec);
    const warnings: string[] = [];
    try {
      const body = await readBody(req);
      if (!OPEN_PATHS.has(url.pathname) && req.headers.authorization !== `Bearer ${this.token}`) {
        throw new ApiError(401, "Unauthorized", "Unauthorized");
      }
      const reply = await this.dispatch(req, res, url, body, warnings);
      if (!reply) {
        rec.code = 200;
        return;
      }
      rec.code = reply.code;
      send(res, reply, warnings);
    } catch (e) {
      const err = e instanceof ApiError ? e : internal((e as Error)?.message ?? String(e));
      rec.code = err.code;
      if (!res.headersSent) send(res, { code: err.code, body: err.toStatus() }, warnings);
      else res.destroy();
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, url: URL, body: string, warnings: string[]): Promise<Reply | undefined> {
    const reg = this.cluster.registry;
    const r = route(url.pathname, reg);
    if (r === "version") return { code: 200, body: VERSION };
    const aggregated = wantsAggregated(req.headers.accept);
    switch (r.kind) {
      case "plain":
        return { code: r.code, body: r.body, contentType: "text/plain; charset=utf-8" };
      case "core-versions":
        return aggregated ? { code: 200, body: aggregatedList(reg, true), contentType: AGGREGATED_CONTENT_TYPE } : { code: 200, body: apiVersions(url.host) };
      case "groups":
        return aggregated ? { code: 200, body: aggregatedList(reg, false), contentType: AGGREGATED_CONTENT_TYPE } : { code: 200, body: apiGroupList(reg) };
      case "core-resources":
        return { code: 200, body: apiResourceList(reg, "", "v1") };
      case "group": {
        const g = apiGroup(reg, r.group);
        if (!g) throw notServed();
        return { code: 200, body: g };
      }
      case "openapi": {
        const doc = r.rest === "" ? openapiIndex(reg) : openapiFor(reg, r.rest);
        if (!doc) throw notServed();
        return { code: 200, body: doc };
      }
      case "group-resources":
        return { code: 200, body: apiResourceList(reg, r.group, r.version) };
      case "resource": {
        const ctx = { cluster: this.cluster, watches: this.watches, req, res, query: url.searchParams, body, warnings, userInfo: ADMIN };
        return handleResource(ctx, r.target, r.watchPath);
      }
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString()));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: Reply, warnings: string[]): void {
  const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  const headers: Record<string, string | string[]> = { "Content-Type": reply.contentType ?? "application/json", "Cache-Control": "no-cache, private" };
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(reply.code, headers);
  res.end(text);
}
