/**
 * A tiny stand-in for the kube-apiserver, reached through a kubeconfig (KUBECONFIG) like a real
 * cluster. It answers only what an admission pod asks:
 * - Pepr's own store (pepr.dev/v1 PeprStore get, patch, list and watch), which Pepr reads before
 *   it opens the admission endpoints;
 * - Services (get) and ReferenceGrants (list) that the admission policy looks up.
 * Lookups can be made to fail (500) or hang, to check they become warnings. Every request is
 * recorded, so tests can assert that a lookup really went over HTTP.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Obj = Record<string, unknown>;
export type Fault = "fail" | "hang";

const STORE_PATH = /^\/apis\/pepr\.dev\/v1\/namespaces\/pepr-system\/peprstores(?:\/([^/]+))?$/;
const SERVICE_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)$/;
const GRANTS_PATH = /^\/apis\/gateway\.networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/referencegrants$/;

function status(code: number, reason: string, message: string): Obj {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason, message, code };
}

export class FakeKube {
  readonly requests: string[] = [];
  readonly kubeconfig: string;
  private readonly services = new Map<string, Obj>();
  private readonly grants = new Map<string, Obj[]>();
  /** Faults by lookup key: `services/<ns>/<name>` or `referencegrants/<ns>`. */
  private readonly faults = new Map<string, Fault>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    const dir = mkdtempSync(join(tmpdir(), "peg-kube-"));
    this.kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      this.kubeconfig,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "fake", cluster: { server: url, "insecure-skip-tls-verify": true } }],
        users: [{ name: "admission", user: { token: "test-token" } }],
        contexts: [{ name: "fake", context: { cluster: "fake", user: "admission" } }],
        "current-context": "fake",
      }),
    );
    server.on("connection", socket => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<FakeKube> {
    let fake: FakeKube | undefined;
    const server = createServer((req, res) => fake?.handle(req, res));
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("no address");
    fake = new FakeKube(server, `http://127.0.0.1:${address.port}`);
    return fake;
  }

  addService(svc: Obj): void {
    const meta = svc.metadata as { namespace: string; name: string };
    this.services.set(`${meta.namespace}/${meta.name}`, svc);
  }

  addReferenceGrant(grant: Obj): void {
    const ns = (grant.metadata as { namespace: string }).namespace;
    this.grants.set(ns, [...(this.grants.get(ns) ?? []), grant]);
  }

  fault(key: string, fault: Fault): void {
    this.faults.set(key, fault);
  }

  /** Requests made to a path prefix (query strings stripped). */
  requestsTo(prefix: string): string[] {
    return this.requests.filter(r => r.split(" ")[1].startsWith(prefix));
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise(resolve => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", this.url);
    this.requests.push(`${req.method} ${url.pathname}${url.searchParams.get("watch") ? "?watch" : ""}`);
    req.resume();
    const send = (code: number, body: Obj) => res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
    const store = STORE_PATH.exec(url.pathname);
    if (store) return this.store(store[1], url, res, send);
    const svc = SERVICE_PATH.exec(url.pathname);
    if (svc && req.method === "GET") return this.lookup(`services/${svc[1]}/${svc[2]}`, res, send, () => {
      const found = this.services.get(`${svc[1]}/${svc[2]}`);
      return found ? [200, found] : [404, status(404, "NotFound", `services "${svc[2]}" not found`)];
    });
    const grants = GRANTS_PATH.exec(url.pathname);
    if (grants && req.method === "GET") return this.lookup(`referencegrants/${grants[1]}`, res, send, () => [
      200,
      { apiVersion: "gateway.networking.k8s.io/v1", kind: "ReferenceGrantList", metadata: { resourceVersion: "1" }, items: this.grants.get(grants[1]) ?? [] },
    ]);
    send(404, status(404, "NotFound", `the server could not find the requested resource (${url.pathname})`));
  }

  private lookup(key: string, res: ServerResponse, send: (code: number, body: Obj) => void, answer: () => [number, Obj]): void {
    const fault = this.faults.get(key);
    if (fault === "hang") return; // never answers; the socket is destroyed on close
    if (fault === "fail") return send(500, status(500, "InternalError", "etcdserver: request timed out"));
    const [code, body] = answer();
    send(code, body);
  }

  private store(name: string | undefined, url: URL, res: ServerResponse, send: (code: number, body: Obj) => void): void {
    const item = (n: string): Obj => ({
      apiVersion: "pepr.dev/v1",
      kind: "PeprStore",
      metadata: { name: n, namespace: "pepr-system", uid: `uid-${n}`, resourceVersion: "1" },
      data: { __pepr_do_not_delete__: "k-thx-bye" },
    });
    if (name) return send(200, item(name));
    if (url.searchParams.get("watch") === "true") {
      res.writeHead(200, { "content-type": "application/json" }); // an idle watch: no changes
      return;
    }
    const selected = /metadata\.name=(.+)$/.exec(url.searchParams.get("fieldSelector") ?? "");
    send(200, { apiVersion: "pepr.dev/v1", kind: "PeprStoreList", metadata: { resourceVersion: "1" }, items: selected ? [item(selected[1])] : [] });
  }
}
