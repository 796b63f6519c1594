/**
 * Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for: Name and Age for
 * built-in kinds (kube's per-kind columns are not reproduced), and a CRD's additionalPrinterColumns
 * (simple JSONPath with [n], [*] and [?(@.field=="value")] filters) for custom resources.
 */
import type { Target } from "./cluster";
import type { KubeObject, PrinterColumn } from "./resources";

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((p) => p.replace(/\s/g, "").includes("as=Table") && p.includes("g=meta.k8s.io"));
}

/** Kubernetes' short human durations (5s, 3m20s, 4h, 2d3h). */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  return d < 365 * 2 ? `${d}d` : `${Math.floor(d / 365)}y`;
}

function step(values: unknown[], seg: string): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if (seg === "[*]") {
      if (Array.isArray(v)) out.push(...v);
      else if (v && typeof v === "object") out.push(...Object.values(v));
      continue;
    }
    const filter = /^\[\?\(@\.([\w.]+)\s*==\s*["']([^"']*)["']\)\]$/.exec(seg);
    if (filter && Array.isArray(v)) {
      out.push(...v.filter((item) => String(lookup(item, filter[1].split("."))) === filter[2]));
      continue;
    }
    const index = /^\[(\d+)\]$/.exec(seg);
    if (index && Array.isArray(v)) {
      if (v[Number(index[1])] !== undefined) out.push(v[Number(index[1])]);
      continue;
    }
    if (v && typeof v === "object" && !Array.isArray(v) && (v as KubeObject)[seg] !== undefined) out.push((v as KubeObject)[seg]);
  }
  return out;
}

function lookup(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const p of path) cur = cur && typeof cur === "object" ? (cur as KubeObject)[p] : undefined;
  return cur;
}

/** Evaluates a printer-column JSONPath; returns all results. */
export function jsonPath(obj: unknown, expr: string): unknown[] {
  const body = expr.replace(/^\{|\}$/g, "").replace(/^\$/, "");
  const segs = body.match(/\[[^\]]*\]|[^.[\]]+/g) ?? [];
  return segs.reduce<unknown[]>((vals, seg) => step(vals, seg), [obj]);
}

function cell(col: PrinterColumn, obj: KubeObject): unknown {
  const [value] = jsonPath(obj, col.jsonPath);
  if (value === undefined || value === null) return null;
  if (col.type === "date" && typeof value === "string") return humanDuration(Date.now() - Date.parse(value));
  return value;
}

const NAME = { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.", priority: 0 };
const AGE: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "CreationTimestamp is a timestamp representing the server time when this object was created.", priority: 0 };

function rowObject(o: KubeObject, include: string): KubeObject | undefined {
  if (include === "None") return undefined;
  if (include === "Object") return o;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
}

export function toTable(t: Target, objects: KubeObject[], metadata: KubeObject, query: URLSearchParams): KubeObject {
  const custom = t.type.columns?.[t.version] ?? [];
  const columns = custom.length > 0 ? custom : [AGE];
  const include = query.get("includeObject") ?? "Metadata";
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: [NAME, ...columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? "", description: c.description ?? "", priority: c.priority ?? 0 }))],
    rows: objects.map((o) => ({ cells: [o.metadata.name, ...columns.map((c) => cell(c, o))], object: rowObject(o, include) })),
  };
}
