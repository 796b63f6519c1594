/**
 * `peg translate` through the real executable (bin/peg.js), and its determinism: the same
 * manifests in any order and split over any files print the same bytes.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { runTranslate } from "../../src/cli/translate";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "peg.js");
const tmp = mkdtempSync(join(tmpdir(), "peg-translate-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function peg(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: ROOT, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

type Obj = Record<string, any>;

describe("peg translate (bin)", () => {
  it("prints the external-HTTPS scenario: DNS cluster with upstream TLS, Host rewrite, accepted statuses", async () => {
    const { code, stdout } = await peg("translate", "-f", "manifests/examples", "-o", "json");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as Obj;
    const route = doc.resources.find((r: Obj) => r.kind === "HTTPRoute");
    const conditions = route.status.parents[0].conditions.map((c: Obj) => `${c.type}=${c.status}`);
    expect(conditions).toEqual(["Accepted=True", "ResolvedRefs=True"]);
    expect(route.status.parents[0].conditions[0].lastTransitionTime).toBeUndefined();
    const [listeners, routes, clusters] = doc.xds["default/eg"].configs;
    expect(listeners["@type"]).toBe("type.googleapis.com/envoy.admin.v3.ListenersConfigDump");
    const cluster = clusters.dynamicActiveClusters[0].cluster;
    expect(cluster.type).toBe("STRICT_DNS");
    expect(cluster.dnsRefreshRate).toBe("30s");
    expect(cluster.loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.socketAddress).toEqual({ address: "www.httpbin.org", portValue: 443 });
    const tls = cluster.transportSocket.typedConfig;
    expect(tls["@type"]).toBe("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext");
    expect(tls.sni).toBe("www.httpbin.org");
    expect(tls.commonTlsContext.validationContext.trustedCa).toEqual({ filename: "/etc/ssl/certs/ca-certificates.crt" });
    const action = routes.dynamicRouteConfigs[0].routeConfig.virtualHosts.flatMap((v: Obj) => v.routes ?? [])[0].route;
    expect(action.hostRewriteLiteral).toBe("www.httpbin.org");
    expect(action.cluster).toBe(cluster.name);
  });

  it("--type cluster prints one ClustersConfigDump per Gateway; YAML by default", async () => {
    const { code, stdout } = await peg("translate", "-f", "manifests/examples/external-https.yaml", "--type", "cluster");
    expect(code).toBe(0);
    const doc = parse(stdout) as Obj;
    expect(doc.xds["default/eg"]["@type"]).toBe("type.googleapis.com/envoy.admin.v3.ClustersConfigDump");
    expect(doc.xds["default/eg"].configs).toBeUndefined();
  });

  it("denied objects are reported on stderr and left out (-R reads subdirectories)", async () => {
    const { code, stdout, stderr } = await peg("translate", "-f", "manifests/examples", "-R");
    expect(code).toBe(0);
    expect(stderr).toContain("denied Backend default/metadata");
    expect(stderr).toContain("denied HTTPRoute default/api-alias");
    const kinds = (parse(stdout) as Obj).resources.map((r: Obj) => `${r.kind}/${r.metadata.name}`);
    expect(kinds).not.toContain("Backend/metadata");
    expect(kinds).toContain("HTTPRoute/httpbin");
  });

  it("unreadable input and bad options exit 2 without a document", async () => {
    const missing = await peg("translate", "-f", "does/not/exist.yaml");
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toContain("does/not/exist.yaml");
    const badType = await peg("translate", "-f", "manifests/examples", "--type", "listeners");
    expect(badType.code).toBe(2);
  });
});

describe("determinism", () => {
  const inputs = ["external-https", "filters", "traffic-split", "https-termination", "failures"].map(c => join(ROOT, "test", "golden", "xds", `${c}.in.yaml`));

  function shuffled<T>(items: T[], seed: number): T[] {
    const out = [...items];
    let s = seed;
    for (let i = out.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  for (const input of inputs) {
    it(`${input.split("/").pop()}: the same objects in any order and any split over files give identical bytes`, async () => {
      const docs = parseAllDocuments(readFileSync(input, "utf8")).map(d => d.toJS());
      const reference = await runTranslate([input], "all", {});
      const expected = JSON.stringify(reference.document);
      expect(reference.document?.resources.length).toBeGreaterThan(0);
      for (const seed of [1, 7, 42]) {
        const order = shuffled(docs, seed);
        const dir = mkdtempSync(join(tmp, `seed-${seed}-`));
        const half = Math.floor(order.length / 2);
        writeFileSync(join(dir, "b.yaml"), order.slice(0, half).map(d => stringify(d)).join("---\n"));
        writeFileSync(join(dir, "a.yaml"), order.slice(half).map(d => stringify(d)).join("---\n"));
        const again = await runTranslate([dir], "all", {});
        expect(JSON.stringify(again.document)).toBe(expected);
      }
    });
  }
});
