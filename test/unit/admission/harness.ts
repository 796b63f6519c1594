/**
 * Runs Pepr's real admission server in this process with this module's capability, as the
 * admission pods do (`new PeprModule(package.json, [Gateway], moduleOptions)`, as pepr.ts), and POSTs AdmissionReview v1
 * JSON to /mutate/<path> and /validate/<path> over HTTPS. The kube-apiserver it reads (Pepr's
 * store, Services, ReferenceGrants) is the FakeKube, reached through KUBECONFIG.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import forge from "node-forge";
import { vi } from "vitest";
import { FakeKube } from "./fake-kube";

type Obj = Record<string, unknown>;

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code?: number; message?: string };
  warnings?: string[];
  patch?: string;
  patchType?: string;
}

/** A self-signed serving certificate for localhost (the admission server only speaks HTTPS). */
function selfSigned(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
  cert.serialNumber = `01${randomBytes(8).toString("hex")}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const subject = [{ name: "commonName", value: "localhost" }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([{ name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }]);
  const key = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  cert.sign(forge.pki.privateKeyFromPem(key), forge.md.sha256.create());
  return { key, cert: forge.pki.certificateToPem(cert) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export class Admission {
  private constructor(
    readonly kube: FakeKube,
    private readonly port: number,
    private readonly apiPath: string,
    private readonly ca: string,
  ) {}

  /** Starts the fake API server and Pepr's admission server; resolves when /healthz answers. */
  static async start(env: Record<string, string> = {}): Promise<Admission> {
    const kube = await FakeKube.start();
    const dir = mkdtempSync(join(tmpdir(), "peg-admission-"));
    const tls = selfSigned();
    writeFileSync(join(dir, "tls.key"), tls.key);
    writeFileSync(join(dir, "tls.crt"), tls.cert);
    const apiPath = randomBytes(16).toString("hex");
    Object.assign(process.env, env, {
      KUBECONFIG: kube.kubeconfig,
      SSL_KEY_PATH: join(dir, "tls.key"),
      SSL_CERT_PATH: join(dir, "tls.crt"),
      PEPR_API_PATH: apiPath,
      LOG_LEVEL: process.env.PEG_TEST_LOG_LEVEL ?? "silent", // PEG_TEST_LOG_LEVEL=debug shows Pepr's logs
    });
    // Imported only now, so the logger reads LOG_LEVEL and nothing runs before the environment is set.
    const { PeprModule } = await import("pepr");
    const { Gateway } = await import("../../../capabilities/gateway");
    const { moduleOptions } = await import("../../../capabilities/guard");
    const pkg = (await import("../../../package.json")).default;
    const port = await freePort();
    // Pepr waits a random 0-3 s before reading its store; take the 0 so tests start at once.
    const random = vi.spyOn(Math, "random").mockReturnValue(0);
    try {
      new PeprModule(pkg, [Gateway], { ...moduleOptions, deferStart: true }).start(port);
    } finally {
      random.mockRestore();
    }
    const admission = new Admission(kube, port, apiPath, tls.cert);
    await admission.waitReady();
    return admission;
  }

  private async waitReady(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const res = await this.call("GET", "/healthz").catch(() => undefined);
      if (res?.status === 200) return;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`the admission server did not become ready; API requests: ${this.kube.requests.join(", ")}`);
  }

  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: this.port, method, path, ca: this.ca, servername: "localhost", headers: { "content-type": "application/json" } },
        res => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", chunk => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** POSTs an AdmissionReview to /<kind>/<path>; fails unless the server answers 200 with a review. */
  async review(kind: "mutate" | "validate", review: unknown): Promise<AdmissionResponse> {
    const res = await this.call("POST", `/${kind}/${this.apiPath}`, review);
    if (res.status !== 200) throw new Error(`${kind}: HTTP ${res.status}: ${res.body}`);
    const parsed = JSON.parse(res.body) as { apiVersion: string; kind: string; response: AdmissionResponse };
    if (parsed.apiVersion !== "admission.k8s.io/v1" || parsed.kind !== "AdmissionReview") throw new Error(`not an AdmissionReview: ${res.body}`);
    return parsed.response;
  }

  mutate(request: Obj): Promise<AdmissionResponse> {
    return this.review("mutate", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request });
  }

  validate(request: Obj): Promise<AdmissionResponse> {
    return this.review("validate", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request });
  }

  async close(): Promise<void> {
    await this.kube.close();
  }
}
