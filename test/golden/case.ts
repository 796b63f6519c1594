/**
 * Input loading shared by the golden suites. A case is `<case>.in.yaml`: a leading comment saying
 * what the case proves, then objects, and at most one `kind: GoldenCase` document:
 *
 *   shared:    files to load from the Gateway API v1.6.1 conformance inputs, read at test time from
 *              ../shared/gateway-api/v1.6.1/conformance/ next to the repository (never copied
 *              here), with {GATEWAY_CLASS_NAME} and {GATEWAY_CONTROLLER_NAME} substituted
 *   gatewayClassName: the class name substituted (default "conformance"), and a GatewayClass of
 *              ours by that name added
 *   replace:   further text substitutions in the shared files (e.g. the suite's address placeholders)
 *   repo:      files to load from this repository (e.g. the examples)
 *   fixtures:  files to load from test/golden/fixtures/
 *   endpoints: true to add the EndpointSlices the Kubernetes EndpointSlice controller would write
 *              for the Services with a selector, one ready pod per matching Deployment
 *   patches:   JSON Patch operations (add, remove, replace) on loaded objects, to replay what a
 *              conformance test does to its manifests: [{ target: Kind/namespace/name, ops: [...] }]
 *   show:      only these objects in the output (`Kind/namespace/name`, or `Kind/name`)
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

export const GOLDEN = resolve(__dirname);
export const REPO = resolve(GOLDEN, "../..");
export const CONFORMANCE = resolve(REPO, "../shared/gateway-api/v1.6.1/conformance");
export const FIXTURES = join(GOLDEN, "fixtures");
export const CONTROLLER = "pepr.dev/envoy-gateway";

export type Obj = Record<string, unknown>;

export interface Directive {
  shared?: string[];
  gatewayClassName?: string;
  replace?: Record<string, string>;
  repo?: string[];
  fixtures?: string[];
  endpoints?: boolean;
  patches?: Array<{ target: string; ops: PatchOp[] }>;
  show?: string[];
}

export interface PatchOp {
  op: "add" | "remove" | "replace";
  path: string;
  value?: unknown;
}

/** One loaded object and where it came from (a label: the file it was read from, or what made it). */
export interface Sourced {
  source: string;
  object: Obj;
}

export interface LoadedCase {
  directive?: Directive;
  objects: Sourced[];
}

/** `Kind/namespace/name`, or `Kind/name` for objects without a namespace. */
export const idOf = (o: Obj): string => {
  const meta = (o.metadata ?? {}) as { name?: string; namespace?: string };
  return meta.namespace ? `${String(o.kind)}/${meta.namespace}/${meta.name}` : `${String(o.kind)}/${meta.name}`;
};

/** RFC 6902 add, remove and replace (enough to replay the conformance tests' edits). */
export function applyPatch(target: Obj, ops: PatchOp[]): Obj {
  const doc = structuredClone(target);
  for (const { op, path, value } of ops) {
    const keys = path.split("/").slice(1).map(k => k.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = keys.pop() as string;
    let parent: any = doc;
    for (const k of keys) {
      if (parent[k] === undefined) throw new Error(`patch path ${path}: ${k} does not exist`);
      parent = parent[k];
    }
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

export function documents(text: string, file: string): Obj[] {
  return parseAllDocuments(text).flatMap(doc => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const value = doc.toJS() as unknown;
    return value && typeof value === "object" ? [value as Obj] : [];
  });
}

/** Every conformance test input (`tests/*.yaml`), by file name. */
export function conformanceInputs(): string[] {
  return readdirSync(join(CONFORMANCE, "tests"))
    .filter(f => f.endsWith(".yaml"))
    .sort();
}

/** The EndpointSlices for the Services with a selector: one ready pod per Deployment, in name order. */
export function endpointSlices(objects: Obj[]): Obj[] {
  const deployments = objects.filter(o => o.kind === "Deployment").sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const pods = deployments.map((d: any, i) => ({
    namespace: String(d.metadata.namespace),
    name: `${d.metadata.name}-0`,
    labels: (d.spec?.template?.metadata?.labels ?? {}) as Record<string, string>,
    ip: `10.244.${Math.floor(i / 200)}.${(i % 200) + 10}`,
  }));
  const slices: Obj[] = [];
  for (const svc of objects.filter(o => o.kind === "Service") as any[]) {
    const selector = (svc.spec?.selector ?? {}) as Record<string, string>;
    if (svc.spec?.type === "ExternalName" || Object.keys(selector).length === 0) continue;
    const members = pods.filter(p => p.namespace === svc.metadata.namespace && Object.entries(selector).every(([k, v]) => p.labels[k] === v));
    const ports = ((svc.spec.ports ?? []) as any[])
      .filter(p => typeof (p.targetPort ?? p.port) === "number")
      .map(p => ({ name: p.name ?? "", port: p.targetPort ?? p.port, protocol: p.protocol ?? "TCP", ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    slices.push({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: `${svc.metadata.name}-golden`, namespace: svc.metadata.namespace, labels: { "kubernetes.io/service-name": svc.metadata.name } },
      addressType: "IPv4",
      endpoints: members.map(p => ({ addresses: [p.ip], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: "Pod", namespace: p.namespace, name: p.name } })),
      ports,
    });
  }
  return slices;
}

/** The `kind: GoldenCase` document of a case, without loading anything it names. */
export function directiveOf(file: string): Directive | undefined {
  return documents(readFileSync(file, "utf8"), file).find(d => d.kind === "GoldenCase") as Directive | undefined;
}

/**
 * Reads a case: its own objects (labelled `ownLabel`), then the shared, repository and fixture
 * files it names, then the GatewayClass and EndpointSlices it asks for; patches last.
 */
export function loadCase(file: string, ownLabel: string): LoadedCase {
  const docs = documents(readFileSync(file, "utf8"), file);
  const directive = docs.find(d => d.kind === "GoldenCase") as Directive | undefined;
  const objects: Sourced[] = docs.filter(d => d.kind !== "GoldenCase").map(object => ({ source: ownLabel, object }));
  if (!directive) return { objects };
  const className = directive.gatewayClassName ?? "conformance";
  const substitutions: Record<string, string> = {
    "{GATEWAY_CLASS_NAME}": className,
    "{GATEWAY_CONTROLLER_NAME}": CONTROLLER,
    ...directive.replace,
  };
  for (const shared of directive.shared ?? []) {
    let text = readFileSync(join(CONFORMANCE, shared), "utf8");
    for (const [from, to] of Object.entries(substitutions)) text = text.split(from).join(to);
    for (const object of documents(text, shared)) objects.push({ source: `gateway-api/conformance/${shared}`, object });
  }
  if (directive.gatewayClassName) {
    objects.push({
      source: "golden/gatewayclass.yaml",
      object: { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: className }, spec: { controllerName: CONTROLLER } },
    });
  }
  for (const f of directive.repo ?? []) for (const object of documents(readFileSync(join(REPO, f), "utf8"), f)) objects.push({ source: f, object });
  for (const f of directive.fixtures ?? []) {
    for (const object of documents(readFileSync(join(FIXTURES, f), "utf8"), f)) objects.push({ source: `test/golden/fixtures/${f}`, object });
  }
  if (directive.endpoints) {
    for (const object of endpointSlices(objects.map(o => o.object))) objects.push({ source: "golden/endpointslices.yaml", object });
  }
  for (const { target, ops } of directive.patches ?? []) {
    const found = objects.find(o => idOf(o.object) === target);
    if (!found) throw new Error(`patch target ${target} not found`);
    found.object = applyPatch(found.object, ops);
  }
  return { directive, objects };
}
