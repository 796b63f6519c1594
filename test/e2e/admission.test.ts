import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModule, deployAndRun, EXAMPLES, kubectl, kubectlOk, startCluster, type PeprProcess, type TestApiServer } from "./helpers";

// The module built by `pepr build`, run as Pepr's admission Deployment runs it, behind the
// webhook configurations the build emitted, registered in a test API server: kubectl apply of
// each unsafe example is denied with the policy's message, and the safe example is admitted.

const UNSAFE = join(EXAMPLES, "unsafe");
const WEBHOOK = "pepr-envoy-gateway.pepr.dev";

let server: TestApiServer;
let admission: PeprProcess | undefined;

beforeAll(async () => {
  const outDir = await buildModule();
  server = await startCluster();
  [admission] = await deployAndRun(server, outDir, ["admission"]);
}, 12 * 60_000);

afterAll(async () => {
  await admission?.stop();
  await server?.stop();
});

/** The denied object of an unsafe example (its last document) and the denial its header expects. */
function unsafeCase(file: string) {
  const text = readFileSync(join(UNSAFE, file), "utf8");
  const expected = /^# Expected denial: (\w+) at (\S+)/m.exec(text);
  const docs = YAML.parseAllDocuments(text).map((d) => d.toJS());
  const denied = docs[docs.length - 1];
  return { reason: expected?.[1], field: expected?.[2], denied };
}

describe("admission through the built module", () => {
  it("registers the mutating and validating webhooks the build emitted", () => {
    const mutating = server.object("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "pepr-envoy-gateway");
    const validating = server.object("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "pepr-envoy-gateway");
    expect(mutating?.webhooks[0].name).toBe(WEBHOOK);
    expect(validating?.webhooks[0].clientConfig.service).toMatchObject({ namespace: "pepr-system", name: "pepr-envoy-gateway" });
  });

  const files = readdirSync(UNSAFE).filter((f) => f.endsWith(".yaml")).sort();

  it("has unsafe examples to deny", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files)("denies %s at kubectl apply", async (file) => {
    const { field, denied } = unsafeCase(file);
    expect(field).toBeDefined();
    const r = await kubectl(server, ["apply", "-f", join(UNSAFE, file)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`admission webhook "${WEBHOOK}" denied the request:`);
    expect(r.stderr).toContain(field);
    expect(server.object(denied.apiVersion, denied.kind, denied.metadata.name, denied.metadata.namespace)).toBeUndefined();
  });

  it("admits the safe example, with the defaults the mutating webhook makes explicit", async () => {
    const out = await kubectlOk(server, ["apply", "-f", join(EXAMPLES, "external-https.yaml")]);
    expect(out).toContain("backend.gateway.envoyproxy.io/httpbin created");
    expect(out).toContain("httproute.gateway.networking.k8s.io/httpbin created");
    const route = server.object("gateway.networking.k8s.io/v1", "HTTPRoute", "httpbin");
    expect(route?.spec.rules[0].backendRefs[0]).toMatchObject({ group: "gateway.envoyproxy.io", kind: "Backend", name: "httpbin", port: 443, weight: 1 });
    const calls = server.webhookCalls.filter((c) => c.review.request.name === "httpbin" && c.review.request.kind.kind === "HTTPRoute");
    expect(calls.map((c) => c.response?.response?.allowed)).toEqual([true, true]);
  });
});
