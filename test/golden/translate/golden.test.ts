/**
 * Golden suite for translation: every `<case>.in.yaml` here is translated and the IR and status are
 * compared with `<case>.out.yaml`. Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/golden/translate`
 * and review the diff against the Gateway API spec before committing it.
 *
 * The case format (leading comment, `kind: GoldenCase` directive) is described in ../case.ts. Here
 * `show` selects the IR of the Gateways listed and the status of every object listed.
 *
 * Every conformance test input of the GATEWAY-HTTP profile is loaded by at least one case; the
 * inputs of other profiles and of features this controller does not implement are listed in
 * NOT_COVERED with the reason, and a test keeps the two lists complete and apart.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadConfig } from "../../../src/config";
import { storeFromObjects } from "../../../src/store/objects";
import { translate, type TranslateResult } from "../../../src/translate";
import { conformanceInputs, directiveOf, idOf, loadCase } from "../case";

const HERE = resolve(__dirname);
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** Conformance inputs no case loads, by file-name prefix or name, and why. */
const NOT_COVERED: Array<[RegExp, string]> = [
  [/^grpcroute-/, "GRPCRoute: GATEWAY-GRPC profile; this controller does not read GRPCRoutes"],
  [/^tlsroute-/, "TLSRoute: GATEWAY-TLS profile; this controller does not read TLSRoutes"],
  [/^tcproute-|^udproute-/, "TCPRoute and UDPRoute: experimental L4 routes, not read by this controller"],
  [/^listenerset-/, "ListenerSet: experimental, not read by this controller"],
  [/^mesh-/, "MESH profile: this controller is a gateway, not a mesh"],
  [
    /^gateway-with-clientcertificate-validation|^gateway-with-invalid-clientcertificate-validation|^gateway-invalid-default-frontend-client-certificate-validation/,
    "frontend client certificate validation (Gateway spec.tls.frontend, extended GatewayFrontendClientCertificateValidation): not implemented",
  ],
  [
    /^gateway-tls-backend-client-certificate|^gateway-invalid-tls-backend-configuration/,
    "Gateway spec.tls.backend client certificates (extended GatewayBackendClientCertificate): not implemented",
  ],
];

function run(objects: unknown[]): TranslateResult {
  const { store } = storeFromObjects(objects);
  return translate({ store, config: loadConfig({}) });
}

function shown(result: TranslateResult, show: string[] | undefined): TranslateResult {
  if (!show) return result;
  const wanted = new Set(show);
  const id = (kind: string, namespace: string | undefined, name: string) => idOf({ kind, metadata: { namespace, name } });
  return {
    ir: { gateways: result.ir.gateways.filter(g => wanted.has(id("Gateway", g.namespace, g.name))) },
    status: result.status.filter(e => wanted.has(id(e.ref.kind, e.ref.namespace, e.ref.name))),
  };
}

const files = readdirSync(HERE).sort();
const inputs = files.filter(f => f.endsWith(".in.yaml"));
const outputs = files.filter(f => f.endsWith(".out.yaml"));

describe("golden translate cases", () => {
  it("has no orphans: every input has an output and every output an input", () => {
    expect(inputs.length).toBeGreaterThan(0);
    expect(outputs.filter(o => !inputs.includes(o.replace(/\.out\.yaml$/, ".in.yaml")))).toEqual([]);
    if (!UPDATE) expect(inputs.filter(i => !outputs.includes(i.replace(/\.in\.yaml$/, ".out.yaml")))).toEqual([]);
  });

  it("loads every conformance input in scope, and none of those out of scope", () => {
    const loaded = new Set(inputs.flatMap(i => (directiveOf(join(HERE, i))?.shared ?? []).filter(s => s.startsWith("tests/")).map(s => s.slice(6))));
    const all = conformanceInputs();
    const excluded = (f: string) => NOT_COVERED.some(([pattern]) => pattern.test(f));
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter(f => !excluded(f) && !loaded.has(f)), "inputs in scope that no case loads").toEqual([]);
    expect(all.filter(f => excluded(f) && loaded.has(f)), "inputs listed as not covered but loaded").toEqual([]);
  });

  it.each(inputs)("%s", input => {
    const path = join(HERE, input);
    const text = readFileSync(path, "utf8");
    expect(text, "an input begins with a comment saying what it proves").toMatch(/^# \S/);
    const { objects: sourced, directive } = loadCase(path, input);
    const objects = sourced.map(s => s.object);
    const result = run(objects);
    // The same objects in reverse order translate to the same result.
    expect(run([...objects].reverse())).toEqual(result);
    for (const wanted of directive?.show ?? []) {
      expect(shown(result, [wanted]).status.length, `show: ${wanted} has status`).toBeGreaterThan(0);
    }
    const actual = stringify(shown(result, directive?.show), { lineWidth: 0, aliasDuplicateObjects: false });
    const outPath = path.replace(/\.in\.yaml$/, ".out.yaml");
    if (UPDATE) writeFileSync(outPath, actual);
    else expect(existsSync(outPath) ? readFileSync(outPath, "utf8") : "(missing)").toBe(actual);
  });
});
