/**
 * HTTPRoute checks: the shape of the parts the policy reads, RE2 syntax of RegularExpression
 * matches, and the backendRefs (see refs.ts). Lists longer than the CRD allows are reported once
 * and only their allowed prefix is examined, so work stays bounded on any input.
 */
import { re2Error } from "./regex";
import { type RefSite, resolveRefs } from "./refs";
import { ROOT, capViolations, capWarnings, isIntInRange, isRecord, quote, violation, wrongType } from "./report";
import type { PolicyConfig, PolicyLookup, PolicyResult, Violation } from "./types";

/** List limits of the v1 HTTPRoute CRD. */
const LIMITS = { rules: 16, matches: 64, headers: 16, queryParams: 16, filters: 16, backendRefs: 16 } as const;

interface Walk {
  violations: Violation[];
  refs: RefSite[];
}

/** The entries to examine of an optional list field; problems are reported into `walk`. */
function entries(value: unknown, field: string, max: number, walk: Walk): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    walk.violations.push(wrongType(field, "a list", value));
    return [];
  }
  if (value.length > max) {
    walk.violations.push(violation(field, "InvalidObject", `${field} has ${value.length} entries, more than ${max}; split the route`));
    return value.slice(0, max);
  }
  return value;
}

function records(value: unknown, field: string, max: number, walk: Walk): [Record<string, unknown>, string][] {
  const out: [Record<string, unknown>, string][] = [];
  entries(value, field, max, walk).forEach((item, i) => {
    const at = `${field}[${i}]`;
    if (isRecord(item)) out.push([item, at]);
    else walk.violations.push(wrongType(at, "an object", item));
  });
  return out;
}

function checkRegex(value: unknown, field: string, walk: Walk): void {
  if (typeof value !== "string") {
    walk.violations.push(wrongType(field, "a string", value));
    return;
  }
  const problem = re2Error(value);
  if (problem) {
    walk.violations.push(
      violation(
        field,
        "InvalidRegex",
        `${quote(value)} is not a valid RE2 regular expression (${problem}); Envoy would reject it: rewrite it in RE2 syntax ` +
          "(no lookaround, backreferences or possessive quantifiers)",
      ),
    );
  }
}

/** A path, header or query parameter matcher: type and value strings, RE2 when a regex. */
function checkMatcher(m: Record<string, unknown>, field: string, walk: Walk): void {
  if (m.type !== undefined && typeof m.type !== "string") walk.violations.push(wrongType(`${field}.type`, "a string", m.type));
  if (m.type === "RegularExpression") checkRegex(m.value, `${field}.value`, walk);
  else if (m.value !== undefined && typeof m.value !== "string") walk.violations.push(wrongType(`${field}.value`, "a string", m.value));
}

function checkMatch(match: Record<string, unknown>, field: string, walk: Walk): void {
  if (match.path !== undefined && match.path !== null) {
    if (isRecord(match.path)) checkMatcher(match.path, `${field}.path`, walk);
    else walk.violations.push(wrongType(`${field}.path`, "an object", match.path));
  }
  for (const [h, at] of records(match.headers, `${field}.headers`, LIMITS.headers, walk)) checkMatcher(h, at, walk);
  for (const [q, at] of records(match.queryParams, `${field}.queryParams`, LIMITS.queryParams, walk)) checkMatcher(q, at, walk);
}

function checkRefShape(ref: Record<string, unknown>, field: string, walk: Walk): void {
  if (typeof ref.name !== "string" || ref.name === "") {
    walk.violations.push(violation(`${field}.name`, "InvalidObject", `${field}.name is required; name the Service or Backend to send traffic to`));
  }
  for (const key of ["namespace", "group", "kind"]) {
    if (ref[key] !== undefined && typeof ref[key] !== "string") walk.violations.push(wrongType(`${field}.${key}`, "a string", ref[key]));
  }
  if (ref.port !== undefined && !isIntInRange(ref.port, 1, 65535)) {
    walk.violations.push(violation(`${field}.port`, "InvalidObject", `${field}.port must be an integer from 1 to 65535, not ${quote(ref.port)}; set the Service port`));
  }
  if (ref.weight !== undefined && !isIntInRange(ref.weight, 0, 1_000_000)) {
    walk.violations.push(violation(`${field}.weight`, "InvalidObject", `${field}.weight must be an integer from 0 to 1000000, not ${quote(ref.weight)}; fix the weight`));
  }
}

function addRef(ref: unknown, field: string, walk: Walk): void {
  if (!isRecord(ref)) {
    walk.violations.push(wrongType(field, "an object", ref));
    return;
  }
  checkRefShape(ref, field, walk);
  walk.refs.push({ field, ref });
}

function checkFilters(value: unknown, field: string, walk: Walk): void {
  for (const [filter, at] of records(value, field, LIMITS.filters, walk)) {
    const mirror = filter.requestMirror;
    if (mirror === undefined || mirror === null) continue;
    if (isRecord(mirror)) addRef(mirror.backendRef, `${at}.requestMirror.backendRef`, walk);
    else walk.violations.push(wrongType(`${at}.requestMirror`, "an object", mirror));
  }
}

function checkRule(rule: Record<string, unknown>, field: string, walk: Walk): void {
  for (const [match, at] of records(rule.matches, `${field}.matches`, LIMITS.matches, walk)) checkMatch(match, at, walk);
  checkFilters(rule.filters, `${field}.filters`, walk);
  for (const [ref, at] of records(rule.backendRefs, `${field}.backendRefs`, LIMITS.backendRefs, walk)) {
    checkRefShape(ref, at, walk);
    walk.refs.push({ field: at, ref });
    checkFilters(ref.filters, `${at}.filters`, walk);
  }
}

function walkRoute(obj: unknown): Walk & { namespace: string } {
  const walk: Walk & { namespace: string } = { violations: [], refs: [], namespace: "default" };
  if (!isRecord(obj)) {
    walk.violations.push(wrongType(ROOT, "an HTTPRoute object", obj));
    return walk;
  }
  if (isRecord(obj.metadata) && typeof obj.metadata.namespace === "string" && obj.metadata.namespace !== "") {
    walk.namespace = obj.metadata.namespace;
  }
  const spec = obj.spec;
  if (!isRecord(spec)) {
    walk.violations.push(
      spec === undefined || spec === null
        ? violation("spec", "InvalidObject", "spec is required; an HTTPRoute needs parentRefs and rules")
        : wrongType("spec", "an object", spec),
    );
    return walk;
  }
  for (const [rule, at] of records(spec.rules, "spec.rules", LIMITS.rules, walk)) checkRule(rule, at, walk);
  return walk;
}

/** Validates an HTTPRoute, looking up the Services its backendRefs name. Never rejects. */
export async function validateHTTPRoute(obj: unknown, lookup: PolicyLookup, cfg: PolicyConfig): Promise<PolicyResult> {
  void cfg; // no HTTPRoute rule depends on the configuration yet
  try {
    const walk = walkRoute(obj);
    const refs = await resolveRefs(walk.refs, walk.namespace, lookup);
    return { violations: capViolations([...walk.violations, ...refs.violations]), warnings: capWarnings(refs.warnings) };
  } catch {
    return { violations: [violation(ROOT, "InvalidObject", "the HTTPRoute could not be read; fix the manifest")], warnings: [] };
  }
}
