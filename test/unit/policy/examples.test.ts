import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Service } from "../../../src/apis";
import { type PolicyLookup, validateObject } from "../../../src/policy";
import { config } from "./helpers";

const REPO = resolve(__dirname, "../../..");
const EXAMPLES = join(REPO, "manifests/examples");
const GATEWAY_API_CRDS = join(REPO, "../shared/gateway-api/v1.6.1/crds/standard");
const UNSAFE = join(EXAMPLES, "unsafe");

const yamlFiles = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter(e => e.isFile() && e.name.endsWith(".yaml")).map(e => e.name);

function load(path: string): { text: string; objects: Record<string, unknown>[] } {
  const text = readFileSync(path, "utf8");
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error(`${path}: not a YAML stream`);
  for (const d of docs) if (d.errors.length > 0) throw new Error(`${path}: ${d.errors[0].message}`);
  return { text, objects: docs.map(d => d.toJS() as Record<string, unknown>).filter(o => o !== null) };
}

/** Services in the given objects answer lookups, as a cluster holding those objects would. */
function lookupFrom(objects: Record<string, unknown>[]): PolicyLookup {
  const services = objects.filter(o => o.apiVersion === "v1" && o.kind === "Service") as Service[];
  return { service: (ns, name) => services.find(s => (s.metadata?.namespace ?? "default") === ns && s.metadata?.name === name) };
}

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; required?: string[]; enum?: unknown[] };

/** The openAPIV3Schema of a CRD version, keyed by "group/version Kind". */
function crdSchemas(paths: string[]): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const path of paths) {
    for (const doc of load(path).objects) {
      const spec = doc.spec as { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
      for (const v of spec.versions) out.set(`${spec.group}/${v.name} ${spec.names.kind}`, v.schema.openAPIV3Schema);
    }
  }
  return out;
}

/** Field paths of `value` that the schema does not declare, lacks as required, or has outside an enum. */
function schemaProblems(value: unknown, schema: Schema, at: string): string[] {
  if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => schemaProblems(v, schema.items as Schema, `${at}[${i}]`)) : [`${at}: not a list`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${String(value)} not in ${schema.enum.join(", ")}`];
  if (typeof value !== "object" || value === null || !schema.properties) return [];
  const props = schema.properties;
  const obj = value as Record<string, unknown>;
  const unknown = Object.keys(obj).filter(k => !(k in props)).map(k => `${at}.${k}: not in the CRD`);
  const missing = (schema.required ?? []).filter(k => !(k in obj)).map(k => `${at}.${k}: required`);
  const nested = Object.keys(obj).filter(k => k in props && k !== "metadata").flatMap(k => schemaProblems(obj[k], props[k], `${at}.${k}`));
  return [...unknown, ...missing, ...nested];
}

describe("manifests/examples/unsafe", () => {
  const files = yamlFiles(UNSAFE);

  it("holds the denied cases", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)("%s is denied as its comment says", async file => {
    const { text, objects } = load(join(UNSAFE, file));
    expect(text.startsWith("# "), "leading comment saying why it is denied").toBe(true);
    const expected = /^# Expected denial: (\w+) at (\S+)$/m.exec(text);
    expect(expected, "an '# Expected denial: <Reason> at <field>' line").not.toBeNull();
    const lookup = lookupFrom(objects);
    const violations = (await Promise.all(objects.map(o => validateObject(o, lookup, config())))).flatMap(r => r.violations);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.map(v => `${v.reason} at ${v.field}`)).toContain(`${expected?.[1]} at ${expected?.[2]}`);
  });
});

describe("manifests/examples", () => {
  const files = yamlFiles(EXAMPLES);

  it("has the external HTTPS example", () => {
    expect(files).toContain("external-https.yaml");
  });

  it.each(files)("every object in %s passes without violations or warnings", async file => {
    const { text, objects } = load(join(EXAMPLES, file));
    expect(text.startsWith("# ")).toBe(true);
    expect(objects.length).toBeGreaterThan(0);
    const lookup = lookupFrom(objects);
    for (const obj of objects) {
      expect(await validateObject(obj, lookup, config()), `${String(obj.kind)} ${JSON.stringify(obj.metadata)}`).toEqual({
        violations: [],
        warnings: [],
      });
    }
  });

  it("uses only fields the v1.6.1 Gateway API CRDs and the Backend CRD declare", () => {
    const crds = readdirSync(GATEWAY_API_CRDS).filter(f => f.endsWith(".yaml") && !f.includes("vap")).map(f => join(GATEWAY_API_CRDS, f));
    const schemas = crdSchemas([...crds, join(REPO, "crds/backend.yaml")]);
    for (const file of files) {
      for (const obj of load(join(EXAMPLES, file)).objects) {
        const schema = schemas.get(`${String(obj.apiVersion)} ${String(obj.kind)}`);
        expect(schema, `${file}: a CRD for ${String(obj.apiVersion)} ${String(obj.kind)}`).toBeDefined();
        expect(schemaProblems(obj, schema as Schema, String(obj.kind)), file).toEqual([]);
      }
    }
  });

  it("external-https.yaml wires the route to the Backend and the TLS policy to the Backend", () => {
    const { objects } = load(join(EXAMPLES, "external-https.yaml"));
    const byKind = (kind: string) => objects.find(o => o.kind === kind) as Record<string, any>;
    expect(byKind("GatewayClass").spec.controllerName).toBe("pepr.dev/envoy-gateway");
    const rule = byKind("HTTPRoute").spec.rules[0];
    expect(rule.backendRefs[0]).toMatchObject({ group: "gateway.envoyproxy.io", kind: "Backend", name: "httpbin", port: 443 });
    expect(rule.filters[0]).toEqual({ type: "URLRewrite", urlRewrite: { hostname: "www.httpbin.org" } });
    expect(byKind("Backend").spec.endpoints[0].fqdn).toEqual({ hostname: "www.httpbin.org", port: 443 });
    const tls = byKind("BackendTLSPolicy");
    expect(tls.apiVersion).toBe("gateway.networking.k8s.io/v1");
    expect(tls.spec.targetRefs[0]).toEqual({ group: "gateway.envoyproxy.io", kind: "Backend", name: "httpbin" });
    expect(tls.spec.validation).toEqual({ wellKnownCACertificates: "System", hostname: "www.httpbin.org" });
  });
});
