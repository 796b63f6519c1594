/**
 * The real proxyless xDS client (@grpc/grpc-js-xds) against a real `peg serve` process driven by
 * manifests: Gateway, HTTPRoute, Services and EndpointSlices pointing at gRPC backends on this
 * machine. Calls to xds:///www.example.com go through the Gateway's rendered RouteConfiguration,
 * Clusters and ClusterLoadAssignments. Each step edits the manifest files and waits for traffic to
 * move; push and NACK counts come from the server's /metrics.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, XdsWhoClient, localBackendAddress, startBackend } from "./backends";
import { until } from "./helpers";

const ROOT = join(__dirname, "../../..");

interface Peg {
  proc: ChildProcess;
  out: string[];
  xdsPort: number;
  httpPort: number;
  exited: Promise<number | null>;
}

async function startPeg(dir: string, xdsPort = 0): Promise<Peg> {
  const proc = spawn(process.execPath, [join(ROOT, "bin/peg.js"), "serve", "-f", dir, "--xds-address", `127.0.0.1:${xdsPort}`, "--http-address", "127.0.0.1:0"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  proc.stdout?.on("data", d => out.push(String(d)));
  proc.stderr?.on("data", d => out.push(String(d)));
  const exited = new Promise<number | null>(resolve => proc.on("exit", code => resolve(code)));
  await until(() => /watching/.test(out.join("")) || proc.exitCode !== null, "peg serve to start", 60_000);
  const m = /xDS \(ADS, SotW and delta\) on 127\.0\.0\.1:(\d+).*HTTP on 127\.0\.0\.1:(\d+)/.exec(out.join(""));
  if (!m) throw new Error(`peg serve did not start:\n${out.join("")}`);
  return { proc, out, xdsPort: Number(m[1]), httpPort: Number(m[2]), exited };
}

async function metric(peg: Peg, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${peg.httpPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) if (!line.startsWith("#") && pattern.test(line)) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  return sum;
}

const pushes = (peg: Peg, type: string) => metric(peg, new RegExp(`^peg_xds_pushes_total\\{variant="sotw",type="${type}"\\}`));

interface World {
  rules: string;
  endpoints: { blue: number; green: number };
}

function manifests(host: string, w: World): string {
  const service = (name: string, port: number) => `---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default }
spec:
  ports: [{ name: grpc, port: 50051, targetPort: grpc, appProtocol: kubernetes.io/h2c }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-x1, namespace: default, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
endpoints: [{ addresses: ["${host}"], conditions: { ready: true } }]
ports: [{ name: grpc, port: ${port} }]
`;
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: peg }
spec: { controllerName: pepr.dev/envoy-gateway }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: peg
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: who, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  hostnames: [www.example.com]
  rules:
${w.rules}
${service("blue", w.endpoints.blue)}${service("green", w.endpoints.green)}`;
}

const HEADER_RULE = `    - matches: [{ headers: [{ name: x-tenant, value: green }] }]
      backendRefs: [{ name: green, port: 50051 }]
`;
const to = (refs: string) => `${HEADER_RULE}    - backendRefs: [${refs}]\n`;
const REDIRECT_RULE = `    - matches: [{ path: { type: PathPrefix, value: /old } }]
      filters: [{ type: RequestRedirect, requestRedirect: { hostname: new.example.com } }]
`;

let host: string;
let blue: Backend;
let green: Backend;
let spare: Backend;
let dir: string;
let peg: Peg;
let client: XdsWhoClient;

function write(w: World): void {
  writeFileSync(join(dir, "world.yaml"), manifests(host, w));
}

beforeAll(async () => {
  host = localBackendAddress();
  [blue, green, spare] = await Promise.all(["blue", "green", "spare"].map(n => startBackend(n, host)));
  dir = mkdtempSync(join(tmpdir(), "peg-grpc-"));
  write({ rules: to("{ name: blue, port: 50051 }"), endpoints: { blue: blue.port, green: green.port } });
  peg = await startPeg(dir);
  client = new XdsWhoClient("xds:///www.example.com", peg.xdsPort, { id: "grpc-client", cluster: "default/eg" });
}, 90_000);

afterAll(async () => {
  client?.close();
  if (peg && peg.proc.exitCode === null) {
    peg.proc.kill("SIGTERM");
    await peg.exited;
  }
  await Promise.all([blue, green, spare].filter(Boolean).map(b => b.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe("grpc-js-xds client against peg serve", () => {
  it("reaches the backend the route names, and another by header match", async () => {
    await client.until("blue");
    expect(await client.who({ "x-tenant": "green" })).toBe("green");
  });

  it("splits by weight and follows an edited manifest", async () => {
    write({ rules: to("{ name: blue, port: 50051, weight: 1 }, { name: green, port: 50051, weight: 3 }"), endpoints: { blue: blue.port, green: green.port } });
    await client.until("green");
    const tally = await client.tally(200);
    expect(Object.keys(tally).sort()).toEqual(["blue", "green"]);
    expect(tally.green).toBeGreaterThan(tally.blue);
    write({ rules: to("{ name: green, port: 50051 }"), endpoints: { blue: blue.port, green: green.port } });
    await client.untilOnly("green", 40);
  });

  it("moves traffic on an EndpointSlice change, with endpoints the only push", async () => {
    const before = await Promise.all(["Cluster", "Listener", "RouteConfiguration"].map(t => pushes(peg, t)));
    write({ rules: to("{ name: green, port: 50051 }"), endpoints: { blue: blue.port, green: spare.port } });
    await client.until("spare");
    expect(await client.tally(20)).toEqual({ spare: 20 });
    expect(await Promise.all(["Cluster", "Listener", "RouteConfiguration"].map(t => pushes(peg, t)))).toEqual(before);
  });

  it("keeps the last good config when the client NACKs, and does not resend it", async () => {
    const rdsBefore = await pushes(peg, "RouteConfiguration");
    write({ rules: REDIRECT_RULE + to("{ name: blue, port: 50051 }"), endpoints: { blue: blue.port, green: spare.port } });
    const deadline = Date.now() + 30_000;
    while ((await metric(peg, /^peg_xds_nacks_total\{.*type="RouteConfiguration"/)) < 1) {
      if (Date.now() > deadline) throw new Error("the client never NACKed the route table");
      await new Promise(r => setTimeout(r, 50));
    }
    const text = await (await fetch(`http://127.0.0.1:${peg.httpPort}/metrics`)).text();
    expect(text).toMatch(/peg_xds_nacks_total\{[^}]*type="RouteConfiguration"[^}]*last_error="[^"]*redirect[^"]*"\} 1/);
    expect(await client.tally(10)).toEqual({ spare: 10 }); // the last good route table still applies
    // An endpoints-only change still gets through; the rejected route table is not sent again.
    write({ rules: REDIRECT_RULE + to("{ name: blue, port: 50051 }"), endpoints: { blue: blue.port, green: green.port } });
    await client.until("green");
    expect((await pushes(peg, "RouteConfiguration")) - rdsBefore).toBe(1);
    expect(await metric(peg, /^peg_xds_nacks_total\{/)).toBe(1);
  });

  it("reconnects after peg serve restarts and takes its updates", async () => {
    peg.proc.kill("SIGTERM");
    expect(await peg.exited).toBe(0);
    expect(await client.who()).toBe("green"); // the client keeps its configuration meanwhile
    write({ rules: to("{ name: blue, port: 50051 }"), endpoints: { blue: blue.port, green: green.port } });
    peg = await startPeg(dir, peg.xdsPort);
    await client.until("blue");
    expect(await client.tally(10)).toEqual({ blue: 10 });
  });
});
