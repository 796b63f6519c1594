/**
 * Golden suite for translation: every `<case>.in.yaml` here is translated and the IR and status are
 * compared with `<case>.out.yaml`. Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/golden/translate`
 * and review the diff against the Gateway API spec before committing it.
 *
 * An input begins with a comment saying what the case proves. Besides objects, it may hold one
 * `kind: GoldenCase` document:
 *
 *   shared:    files to load from ../shared/gateway-api/v1.6.1/conformance/ (never copied here),
 *              with {GATEWAY_CLASS_NAME} and {GATEWAY_CONTROLLER_NAME} substituted
 *   gatewayClassName: the class name substituted, and a GatewayClass of ours by that name added
 *   replace:   further text substitutions in the shared files (e.g. the suite's address placeholders)
 *   repo:      files to load from this repository (e.g. the examples)
 *   fixtures:  files to load from fixtures/ next to this file
 *   patches:   JSON Patch operations (add, remove, replace) on loaded objects, to replay what a
 *              conformance test does to its manifests: [{ target: Kind/namespace/name, ops: [...] }]
 *   show:      only these objects in the output (`Kind/namespace/name`, or `Kind/name`): IR of the
 *              Gateways listed, status of every object listed
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { loadConfig } from "../../../src/config";
import { storeFromObjects } from "../../../src/store/objects";
import { translate, type TranslateResult } from "../../../src/translate";

const HERE = resolve(__dirname);
const REPO = resolve(HERE, "../../..");
const CONFORMANCE = resolve(REPO, "../shared/gateway-api/v1.6.1/conformance");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

interface Directive {
  shared?: string[];
  gatewayClassName?: string;
  replace?: Record<string, string>;
  repo?: string[];
  fixtures?: string[];
  patches?: Array<{ target: string; ops: PatchOp[] }>;
  show?: string[];
}

interface PatchOp {
  op: "add" | "remove" | "replace";
  path: string;
  value?: unknown;
}

const idOf = (o: Record<string, unknown>) => {
  const meta = (o.metadata ?? {}) as { name?: string; namespace?: string };
  return meta.namespace ? `${String(o.kind)}/${meta.namespace}/${meta.name}` : `${String(o.kind)}/${meta.name}`;
};

/** RFC 6902 add, remove and replace (enough to replay the conformance tests' edits). */
function applyPatch(target: Record<string, unknown>, ops: PatchOp[]): Record<string, unknown> {
  const doc = structuredClone(target);
  for (const { op, path, value } of ops) {
    const keys = path.split("/").slice(1).map(k => k.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = keys.pop() as string;
    let parent: any = doc;
    for (const k of keys) parent = parent[k];
    if (Array.isArray(parent)) {
      const index = last === "-" ? parent.length : Number(last);
      if (op === "add") parent.splice(index, 0, value);
      else if (op === "remove") parent.splice(index, 1);
      else parent[index] = value;
    } else if (op === "remove") delete parent[last];
    else parent[last] = value;
  }
  return doc;
}

function documents(text: string, file: string): Record<string, unknown>[] {
  return parseAllDocuments(text).flatMap(doc => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const value = doc.toJS() as unknown;
    return value && typeof value === "object" ? [value as Record<string, unknown>] : [];
  });
}

function loadCase(file: string): { objects: unknown[]; directive: Directive } {
  const docs = documents(readFileSync(file, "utf8"), file);
  const directive = (docs.find(d => d.kind === "GoldenCase") ?? {}) as Directive;
  const objects: unknown[] = docs.filter(d => d.kind !== "GoldenCase");
  const className = directive.gatewayClassName ?? "conformance";
  const substitutions: Record<string, string> = {
    "{GATEWAY_CLASS_NAME}": className,
    "{GATEWAY_CONTROLLER_NAME}": "pepr.dev/envoy-gateway",
    ...directive.replace,
  };
  for (const shared of directive.shared ?? []) {
    let text = readFileSync(join(CONFORMANCE, shared), "utf8");
    for (const [from, to] of Object.entries(substitutions)) text = text.split(from).join(to);
    objects.push(...documents(text, shared));
  }
  if (directive.gatewayClassName) {
    objects.push({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: className },
      spec: { controllerName: "pepr.dev/envoy-gateway" },
    });
  }
  for (const f of directive.repo ?? []) objects.push(...documents(readFileSync(join(REPO, f), "utf8"), f));
  for (const f of directive.fixtures ?? []) objects.push(...documents(readFileSync(join(HERE, "fixtures", f), "utf8"), f));
  for (const { target, ops } of directive.patches ?? []) {
    const index = objects.findIndex(o => idOf(o as Record<string, unknown>) === target);
    if (index < 0) throw new Error(`patch target ${target} not found`);
    objects[index] = applyPatch(objects[index] as Record<string, unknown>, ops);
  }
  return { objects, directive };
}

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

  it.each(inputs)("%s", input => {
    const path = join(HERE, input);
    const text = readFileSync(path, "utf8");
    expect(text, "an input begins with a comment saying what it proves").toMatch(/^# \S/);
    const { objects, directive } = loadCase(path);
    const result = run(objects);
    // The same objects in reverse order translate to the same result.
    expect(run([...objects].reverse())).toEqual(result);
    for (const wanted of directive.show ?? []) {
      expect(shown(result, [wanted]).status.length, `show: ${wanted} has status`).toBeGreaterThan(0);
    }
    const actual = stringify(shown(result, directive.show), { lineWidth: 0, aliasDuplicateObjects: false });
    const outPath = path.replace(/\.in\.yaml$/, ".out.yaml");
    if (UPDATE) writeFileSync(outPath, actual);
    else expect(existsSync(outPath) ? readFileSync(outPath, "utf8") : "(missing)").toBe(actual);
  });
});
