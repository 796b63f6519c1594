/**
 * Status as `peg serve` prints it: one compact table of every condition translation computed,
 * per object and per part (listener, parent, ancestor), the way `kubectl describe` lists them.
 *
 *   OBJECT                    PART                 CONDITION     STATUS  REASON        MESSAGE
 *   GatewayClass peg                               Accepted      True    Accepted      ...
 *   Gateway default/eg                             Programmed    True    Programmed    ...
 *   Gateway default/eg        listener http (1 route)  Accepted  True    Accepted      ...
 *   HTTPRoute default/web     parent default/eg    ResolvedRefs  True    ResolvedRefs  ...
 */
import type { ComputedCondition, ParentStatusData, StatusEntry } from "../ir/status";

export interface StatusRow {
  object: string;
  part: string;
  condition: string;
  status: string;
  reason: string;
  message: string;
}

function objectName(entry: StatusEntry): string {
  const { kind, namespace, name } = entry.ref;
  return `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
}

function parentName(p: ParentStatusData, prefix: string): string {
  const ref = p.parentRef;
  const section = ref.sectionName ? `/${ref.sectionName}` : ref.port ? `:${ref.port}` : "";
  return `${prefix} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}${section}`;
}

function rows(object: string, part: string, conditions: ComputedCondition[]): StatusRow[] {
  return conditions.map(c => ({ object, part, condition: c.type, status: c.status, reason: c.reason, message: c.message ?? "" }));
}

/** The rows of a status report, in report order. */
export function statusRows(report: readonly StatusEntry[]): StatusRow[] {
  const out: StatusRow[] = [];
  for (const entry of report) {
    const object = objectName(entry);
    const s = entry.status;
    switch (s.kind) {
      case "conditions":
        out.push(...rows(object, "", s.conditions));
        break;
      case "gateway":
        out.push(...rows(object, "", s.conditions));
        for (const l of s.listeners) out.push(...rows(object, `listener ${l.name} (${l.attachedRoutes} route${l.attachedRoutes === 1 ? "" : "s"})`, l.conditions));
        break;
      case "parents":
        for (const p of s.parents) out.push(...rows(object, parentName(p, "parent"), p.conditions));
        break;
      case "ancestors":
        for (const a of s.ancestors) out.push(...rows(object, parentName(a, "ancestor"), a.conditions));
        break;
    }
  }
  return out;
}

const HEADER: StatusRow = { object: "OBJECT", part: "PART", condition: "CONDITION", status: "STATUS", reason: "REASON", message: "MESSAGE" };

/** The table as text lines (columns padded; the message column is last and not truncated). */
export function statusTable(report: readonly StatusEntry[]): string[] {
  const all = [HEADER, ...statusRows(report)];
  if (all.length === 1) return ["(no objects with status)"];
  const cols: Array<keyof StatusRow> = ["object", "part", "condition", "status", "reason"];
  const width = Object.fromEntries(cols.map(c => [c, Math.max(...all.map(r => r[c].length))])) as Record<keyof StatusRow, number>;
  return all.map(r => [...cols.map(c => r[c].padEnd(width[c])), r.message].join("  ").trimEnd());
}
