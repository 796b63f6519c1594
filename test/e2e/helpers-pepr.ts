/**
 * End-to-end helpers for the Pepr module: build it with `npx pepr build` (once per source
 * content, cached and shared by test files), read what the build emitted, and run the module the
 * way Pepr's controller does in a pod: the bundle from the module Secret, checked against the
 * hash the Deployment passes, started with the Deployment's environment, the TLS key pair from
 * the TLS Secret and the API path from the api-path Secret.
 */
import { execFile, fork, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import https from "node:https";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import YAML from "yaml";
import type { KubeObject } from "../apiserver/resources";
import type { TestApiServer } from "../apiserver/server";

export const ROOT = join(__dirname, "..", "..");
const CACHE = join(ROOT, "node_modules", ".cache", "pepr-e2e");
const SOURCES = ["pepr.ts", "package.json", "package-lock.json", "tsconfig.json", "capabilities", "src"];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((f) => filesUnder(join(path, f)));
}

/** A hash of everything the module bundle is built from. */
export function sourceHash(): string {
  const h = createHash("sha256");
  for (const f of SOURCES.flatMap((s) => filesUnder(join(ROOT, s)))) h.update(relative(ROOT, f)).update("\0").update(readFileSync(f));
  return h.digest("hex").slice(0, 16);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runBuild(out: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("npx", ["pepr", "build", "-o", relative(ROOT, out)], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pepr build failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(`${stdout}\n${stderr}`);
    });
  });
}

/**
 * Builds the module (or reuses the build of the same sources) and returns its output directory.
 * Test files building at once wait for one build. pepr build exits 0 even when the module fails
 * to load, so the emitted YAML is checked.
 */
export async function buildModule(): Promise<string> {
  const out = join(CACHE, sourceHash());
  const done = join(out, "build.ok");
  const lock = `${out}.lock`;
  mkdirSync(CACHE, { recursive: true });
  for (;;) {
    if (existsSync(done)) return out;
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      await sleep(500);
    }
  }
  try {
    rmSync(out, { recursive: true, force: true });
    const log = await runBuild(out);
    if (!existsSync(out) || !readdirSync(out).some((f) => /^pepr-module-.*\.yaml$/.test(f))) throw new Error(`pepr build wrote no pepr-module-*.yaml:\n${log}`);
    writeFileSync(done, new Date().toISOString());
    return out;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** What `pepr build` emitted, by kind. */
export interface ModuleManifests {
  /** Every document of pepr-module-*.yaml, in order. */
  docs: KubeObject[];
  yamlPath: string;
  find(kind: string, predicate?: (o: KubeObject) => boolean): KubeObject;
  /** The admission (PEPR_WATCH_MODE=false) or watcher Deployment. */
  deployment(role: PeprRole): KubeObject;
}

export type PeprRole = "admission" | "watcher";

export function readManifests(outDir: string): ModuleManifests {
  const file = readdirSync(outDir).find((f) => /^pepr-module-.*\.yaml$/.test(f))!;
  const yamlPath = join(outDir, file);
  const docs = YAML.parseAllDocuments(readFileSync(yamlPath, "utf8")).map((d) => d.toJS()).filter(Boolean);
  const find = (kind: string, predicate: (o: KubeObject) => boolean = () => true) => {
    const o = docs.find((d) => d.kind === kind && predicate(d));
    if (!o) throw new Error(`no ${kind} in ${file}`);
    return o;
  };
  const envOf = (d: KubeObject) => d.spec.template.spec.containers[0].env as { name: string; value: string }[];
  const deployment = (role: PeprRole) => find("Deployment", (d) => envOf(d).some((e) => e.name === "PEPR_WATCH_MODE" && e.value === String(role === "watcher")));
  return { docs, yamlPath, find, deployment };
}

export interface PeprProcess {
  role: PeprRole;
  child: ChildProcess;
  /** The local port of its HTTPS server (Pepr's fixed port 3000, moved to an ephemeral one). */
  port: number;
  /** Everything it printed. */
  output(): string;
  stop(): Promise<void>;
}

function secretData(m: ModuleManifests, suffix: string): Record<string, string> {
  const s = m.find("Secret", (d) => d.metadata.name.endsWith(suffix));
  return Object.fromEntries(Object.entries<string>(s.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
}

/** Unpacks the module from its Secret and checks it against the hash the Deployment runs it with. */
function unpackModule(outDir: string, m: ModuleManifests, role: PeprRole): string {
  const hash = m.deployment(role).spec.template.spec.containers[0].args.at(-1) as string;
  const secret = m.find("Secret", (d) => d.metadata.name.endsWith("-module"));
  const gz = Buffer.from(secret.data[`module-${hash}.js.gz`], "base64");
  const code = gunzipSync(gz);
  const actual = createHash("sha256").update(code).digest("hex");
  if (actual !== hash) throw new Error(`module hash mismatch: expected ${hash}, got ${actual}`);
  const path = join(outDir, `module-${hash}.js`);
  if (!existsSync(path)) writeFileSync(path, code);
  return path;
}

/**
 * Starts the module as one of Pepr's roles, talking to `server` through its kubeconfig. The
 * admission role serves /mutate and /validate; both roles serve /healthz.
 */
export async function startPepr(server: TestApiServer, outDir: string, role: PeprRole, extraEnv: Record<string, string> = {}): Promise<PeprProcess> {
  const m = readManifests(outDir);
  const modulePath = unpackModule(outDir, m, role);
  const tls = secretData(m, "-tls");
  const certDir = join(outDir, `certs-${process.pid}-${role}`);
  mkdirSync(certDir, { recursive: true });
  writeFileSync(join(certDir, "tls.crt"), tls["tls.crt"]);
  writeFileSync(join(certDir, "tls.key"), tls["tls.key"]);
  const deploymentEnv = Object.fromEntries((m.deployment(role).spec.template.spec.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value ?? ""]));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...deploymentEnv,
    ...server.env(),
    SSL_CERT_PATH: join(certDir, "tls.crt"),
    SSL_KEY_PATH: join(certDir, "tls.key"),
    PEPR_E2E_REMAP_PORTS: "3000",
    ...(role === "admission" ? { PEPR_API_PATH: secretData(m, "-api-path").value } : {}),
    ...extraEnv,
  };
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  const child = fork(modulePath, [], { env, cwd: outDir, execArgv: ["-r", join(__dirname, "helpers-listen.cjs")], stdio: ["ignore", "pipe", "pipe", "ipc"] });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(certDir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Pepr ${role} did not start listening:\n${output}`)), 90_000);
      child.on("message", (msg: { peprE2eListening?: number; requested?: number }) => {
        if (!msg?.peprE2eListening || msg.requested !== 3000) return;
        clearTimeout(timer);
        resolve(msg.peprE2eListening);
      });
      child.on("exit", (code) => (clearTimeout(timer), reject(new Error(`Pepr ${role} exited with ${code}:\n${output}`))));
    });
    const probe = m.deployment(role).spec.template.spec.containers[0].readinessProbe?.httpGet?.path ?? "/healthz";
    await waitReady(port, probe, () => output);
    return { role, child, port, output: () => output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function probeOnce(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get({ host: "127.0.0.1", port, path, rejectUnauthorized: false, agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

/** Waits until the readiness probe answers 200, as the kubelet gates a pod's Service endpoints. */
async function waitReady(port: number, path: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while ((await probeOnce(port, path)) !== 200) {
    if (Date.now() > deadline) throw new Error(`Pepr never became ready on ${path}:\n${output()}`);
    await sleep(200);
  }
}

/** Points the Service a role's webhooks (or clients) name at the local process. */
export function mapPeprService(server: TestApiServer, m: ModuleManifests, proc: PeprProcess): void {
  const svcName = m.deployment(proc.role).metadata.name as string;
  const svc = m.find("Service", (d) => d.metadata.name === svcName);
  for (const p of svc.spec.ports) server.mapService(svc.metadata.namespace, svc.metadata.name, p.port, { host: "127.0.0.1", port: proc.port });
}

/** Pepr's store CRD, which Pepr's controller applies before it starts the module. */
export const PEPR_STORE_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "peprstores.pepr.dev" },
  spec: {
    group: "pepr.dev",
    scope: "Namespaced",
    names: { plural: "peprstores", singular: "peprstore", kind: "PeprStore" },
    versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { data: { type: "object", additionalProperties: { type: "string" } } } } } }],
  },
};
