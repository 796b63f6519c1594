/**
 * Label selectors (the query-string syntax and the LabelSelector object of webhooks) and field
 * selectors (metadata.name, metadata.namespace, plus the few fields kube supports per kind).
 */
import { badRequest } from "./errors";
import type { KubeObject } from "./resources";

type Labels = Record<string, string>;
type Requirement = (labels: Labels) => boolean;

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== "");
}

function parseRequirement(term: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (set) {
    const [, key, op, list] = set;
    const values = list.split(",").map((v) => v.trim()).filter((v) => v !== "");
    return op === "in" ? (l) => key in l && values.includes(l[key]) : (l) => !(key in l) || !values.includes(l[key]);
  }
  const cmp = /^([^!=<>\s]+)\s*(==|=|!=|>|<)\s*(\S*)$/.exec(term);
  if (cmp) {
    const [, key, op, value] = cmp;
    if (op === "!=") return (l) => l[key] !== value;
    if (op === ">" || op === "<") {
      const n = Number(value);
      return (l) => key in l && (op === ">" ? Number(l[key]) > n : Number(l[key]) < n);
    }
    return (l) => l[key] === value;
  }
  if (/^![^\s!=(),]+$/.test(term)) return (l) => !(term.slice(1) in l);
  if (/^[^\s!=(),]+$/.test(term)) return (l) => term in l;
  throw badRequest(`unable to parse requirement: invalid label selector: "${term}"`);
}

/** Parses a labelSelector query value into a predicate on an object. */
export function labelSelector(expr: string | undefined): (o: KubeObject) => boolean {
  if (!expr) return () => true;
  const reqs = splitTopLevel(expr).map(parseRequirement);
  return (o) => reqs.every((r) => r(o.metadata?.labels ?? {}));
}

/** Matches a metav1.LabelSelector object; an empty or absent selector matches everything. */
export function matchesLabelSelector(sel: KubeObject | undefined, labels: Labels): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    const values: string[] = e.values ?? [];
    if (e.operator === "In" && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** Field selectors kube-apiserver supports beyond metadata.name and metadata.namespace, by kind. */
const EXTRA_FIELDS: Record<string, string[]> = {
  "/events": [
    "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
    "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
    "reason", "reportingComponent", "source", "type",
  ],
  "events.k8s.io/events": ["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "reason", "type"],
  "/secrets": ["type"],
  "/pods": ["spec.nodeName", "spec.serviceAccountName", "status.phase", "status.podIP"],
  "/namespaces": ["status.phase"],
};

function fieldValue(o: KubeObject, path: string): string {
  if (path === "source") return o.source?.component ?? "";
  let cur: unknown = o;
  for (const p of path.split(".")) cur = cur && typeof cur === "object" ? (cur as KubeObject)[p] : undefined;
  return cur === undefined || cur === null ? "" : String(cur);
}

/** Parses a fieldSelector query value for a resource (group/plural) into a predicate. */
export function fieldSelector(expr: string | undefined, resource: string): (o: KubeObject) => boolean {
  if (!expr) return () => true;
  const allowed = ["metadata.name", "metadata.namespace", ...(EXTRA_FIELDS[resource] ?? [])];
  const reqs = splitTopLevel(expr).map((term) => {
    const m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${expr}'; can't understand '${term}'`);
    const [, field, op, value] = m;
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
    return (o: KubeObject) => (fieldValue(o, field) === value) === (op !== "!=");
  });
  return (o) => reqs.every((r) => r(o));
}
