/**
 * `peg validate`: the real bin (bin/peg.js) run as a child process on the example manifests, and
 * runValidate in process for the lookup and configuration cases.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type ValidateReport, runValidate } from "../../src/cli/validate";

const REPO = resolve(__dirname, "../..");
const BIN = join(REPO, "bin/peg.js");
const EXAMPLES = "manifests/examples";
const UNSAFE = "manifests/examples/unsafe";

type Obj = Record<string, unknown>;

/** Runs `peg` with a clean environment (no PEG_* configuration). */
function peg(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PEG_")));
  return new Promise(done => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO, env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Each unsafe example: the object it holds that admission checks, and the denial its comment expects. */
function unsafeCases(): { file: string; id: string; reason: string; field: string; documents: number }[] {
  return readdirSync(join(REPO, UNSAFE))
    .filter(f => f.endsWith(".yaml"))
    .map(file => {
      const text = readFileSync(join(REPO, UNSAFE, file), "utf8");
      const [, reason, field] = /^# Expected denial: (\w+) at (\S+)$/m.exec(text) ?? [];
      const objects = parseAllDocuments(text).map(d => d.toJS() as Obj);
      const checked = objects.filter(o => o.kind === "Backend" || o.kind === "HTTPRoute");
      expect(checked, file).toHaveLength(1);
      const meta = checked[0].metadata as { namespace?: string; name: string };
      return { file, id: `${String(checked[0].kind)} ${meta.namespace ?? "default"}/${meta.name}`, reason, field, documents: objects.length };
    });
}

function tempManifests(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "peg-validate-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("peg validate (the bin)", () => {
  it("accepts manifests/examples: exit 0, nothing denied", async () => {
    const res = await peg("validate", "-f", EXAMPLES);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).not.toMatch(/: denied: /);
    // external-https.yaml holds one HTTPRoute and one Backend; the subdirectory unsafe/ is not read without -R.
    expect(res.stdout.trim().split("\n").at(-1)).toBe("2 objects checked in 1 file: 0 denied, 0 warnings");
  });

  it("denies every object in manifests/examples/unsafe: exit 1, one line per object naming it and the field", async () => {
    const cases = unsafeCases();
    expect(cases.length).toBeGreaterThanOrEqual(10);
    const res = await peg("validate", "-f", UNSAFE);
    expect(res.code).toBe(1);
    const denied = res.stdout.split("\n").filter(l => l.includes(": denied: "));
    expect(denied).toHaveLength(cases.length);
    for (const c of cases) {
      const line = denied.find(l => l.startsWith(`${c.id}: denied: `));
      expect(line, `${c.file}: ${c.id}`).toBeDefined();
      expect(line, c.file).toContain(`: denied: ${c.field}`);
    }
  });

  it("prints the documented JSON report with -o json", async () => {
    const cases = unsafeCases();
    const res = await peg("validate", "-f", UNSAFE, "-o", "json");
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as ValidateReport;
    expect(report.errors).toEqual([]);
    const objects = cases.reduce((n, c) => n + c.documents, 0);
    expect(report.summary).toEqual({ files: cases.length, objects, checked: cases.length, denied: cases.length, warnings: 0, errors: 0 });
    for (const c of cases) {
      const r = report.results.find(x => x.file === join(UNSAFE, c.file));
      expect(r, c.file).toBeDefined();
      expect(`${r?.kind} ${r?.namespace}/${r?.name}`).toBe(c.id);
      expect(r?.allowed).toBe(false);
      expect(r?.violations.map(v => `${v.reason} at ${v.field}`)).toContain(`${c.reason} at ${c.field}`);
    }
  });

  it("exits 2 on a path that does not exist, naming it", async () => {
    const res = await peg("validate", "-f", "manifests/nope");
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("peg validate: manifests/nope: no such file or directory");
  });

  it("exits 2 on malformed YAML, naming the file, and still reports the other files", async () => {
    const dir = tempManifests({ "broken.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: a\n  bad: [\n" });
    const res = await peg("validate", "-f", join(dir, "broken.yaml"), "-f", join(UNSAFE, "backend-loopback-ip.yaml"));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`peg validate: ${join(dir, "broken.yaml")}: document 1: `);
    expect(res.stdout).toMatch(/^Backend default\/loopback: denied: spec\.endpoints\[0\]\.ip\.address: 127\.0\.0\.1 is a loopback address/m);
  });

  it("exits 2 on a usage error", async () => {
    const res = await peg("validate", "-f", EXAMPLES, "-o", "yaml");
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/argument 'yaml' is invalid/);
  });
});

const route = (ref: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: eg}]
  rules:
  - backendRefs: [${ref}]
`;
const service = (ns: string, name: string, spec: string) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
`;

describe("runValidate", () => {
  it("answers the ExternalName lookup with the Services in the files", async () => {
    const dir = tempManifests({
      "external.yaml": route("{name: legacy, port: 80}") + service("apps", "legacy", "{type: ExternalName, externalName: db.example.com}"),
      "cluster.yaml": route("{name: app, port: 80}").replace("name: web", "name: web2") + service("apps", "app", "{type: ClusterIP}"),
    });
    const report = await runValidate([dir], {});
    expect(report.results.map(r => [r.name, r.allowed])).toEqual([
      ["web2", true],
      ["web", false],
    ]);
    expect(report.results[1].violations[0].message).toMatch(/Service apps\/legacy is of type ExternalName/);
  });

  it("warns about a Service that is not in the files", async () => {
    const dir = tempManifests({ "r.yaml": route("{name: ghost, port: 80}") });
    const report = await runValidate([dir], {});
    expect(report.results[0].allowed).toBe(true);
    expect(report.results[0].warnings).toEqual([
      "spec.rules[0].backendRefs[0]: Service apps/ghost not found; the route will report ResolvedRefs=False (BackendNotFound)",
    ]);
  });

  it("answers ReferenceGrant lookups with the grants in the files", async () => {
    const grant = `---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: g, namespace: shared}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}]
  to: [{group: "", kind: Service}]
`;
    const files = route("{name: api, namespace: shared, port: 80}") + service("shared", "api", "{type: ClusterIP}");
    const without = await runValidate([tempManifests({ "r.yaml": files })], {});
    expect(without.results[0].warnings[0]).toMatch(/no ReferenceGrant in shared allows HTTPRoutes from apps.*\(RefNotPermitted\)$/);
    const withGrant = await runValidate([tempManifests({ "r.yaml": files + grant })], {});
    expect(withGrant.results[0].warnings).toEqual([]);
  });

  it("reads the same configuration variables as the admission pods", async () => {
    const socket = [join(REPO, UNSAFE, "backend-unix-socket.yaml")];
    expect((await runValidate(socket, {})).summary.denied).toBe(1);
    expect((await runValidate(socket, { PEG_ALLOW_UNIX_SOCKETS: "true" })).summary.denied).toBe(0);
    const example = [join(REPO, EXAMPLES)];
    expect((await runValidate(example, {})).summary.denied).toBe(0);
    const corp = [tempManifests({ "b.yaml": backendFqdn("api.corp.example") })];
    expect((await runValidate(corp, {})).summary.denied).toBe(0);
    const internal = await runValidate(corp, { PEG_CLUSTER_DOMAIN: "corp.example" });
    expect(internal.results[0].violations[0].message).toMatch(/cluster-internal name/);
  });

  it("reads subdirectories only when recursive, like kubectl apply -R", async () => {
    expect((await runValidate([join(REPO, EXAMPLES)], {})).summary.checked).toBe(2);
    const all = await runValidate([join(REPO, EXAMPLES)], {}, true);
    expect(all.summary.checked).toBe(2 + unsafeCases().length);
  });

  it("reports an empty directory as an input error", async () => {
    const report = await runValidate([tempManifests({ "notes.txt": "nothing here" })], {});
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0].message).toMatch(/no manifest files/);
  });
});

function backendFqdn(hostname: string): string {
  return `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: b, namespace: apps}
spec:
  endpoints: [{fqdn: {hostname: ${hostname}, port: 443}}]
`;
}
