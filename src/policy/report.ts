/**
 * Small helpers shared by the checks: a violation collector with a cap, safe quoting of
 * user-supplied values in messages, and type guards for walking untrusted objects.
 */
import type { PolicyReason, Violation } from "./types";

/** At most this many violations are reported one by one; the rest become one summary line. */
export const MAX_REPORTED_VIOLATIONS = 20;

/** Longest excerpt of a user-supplied value quoted in a message. */
const MAX_QUOTED = 64;

/** Field path used for problems with the object as a whole. */
export const ROOT = "(root)";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A positive integer within [min, max]. */
export function isIntInRange(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * A user value made safe to print: JSON-quoted (escapes control characters and lone
 * surrogates) and cut to a short excerpt so a 1 MB string never ends up in a message.
 */
export function quote(value: unknown): string {
  if (typeof value === "string") {
    const cut = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value;
    return JSON.stringify(cut);
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value === "bigint" ? "a bigint" : String(value);
}

/** Describes the JSON type of a value for "expected X, got Y" messages. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  if (typeof value === "boolean") return "a boolean";
  return typeof value;
}

export function violation(field: string, reason: PolicyReason, message: string): Violation {
  return { field, reason, message };
}

/** The violation for a field of the wrong type. */
export function wrongType(field: string, expected: string, got: unknown): Violation {
  const subject = field === ROOT ? "the object" : field;
  return violation(field, "InvalidObject", `${subject} must be ${expected}, not ${typeName(got)}; fix the manifest`);
}

/** Keeps the first MAX_REPORTED_VIOLATIONS violations and replaces the rest with one summary. */
export function capViolations(all: Violation[]): Violation[] {
  if (all.length <= MAX_REPORTED_VIOLATIONS) return all;
  const shown = all.slice(0, MAX_REPORTED_VIOLATIONS);
  const hidden = all.length - MAX_REPORTED_VIOLATIONS;
  shown.push(
    violation(
      all[MAX_REPORTED_VIOLATIONS].field,
      all[MAX_REPORTED_VIOLATIONS].reason,
      `${hidden} more violation${hidden === 1 ? "" : "s"} not shown; fix the ones above and apply again`,
    ),
  );
  return shown;
}

/** Drops repeated warnings and keeps the first MAX_REPORTED_VIOLATIONS, plus a summary line. */
export function capWarnings(all: string[]): string[] {
  const unique = [...new Set(all)];
  if (unique.length <= MAX_REPORTED_VIOLATIONS) return unique;
  const hidden = unique.length - MAX_REPORTED_VIOLATIONS;
  return [...unique.slice(0, MAX_REPORTED_VIOLATIONS), `${hidden} more warning${hidden === 1 ? "" : "s"} not shown`];
}

/**
 * One violation as a line a user reads: `field: message`, or the message alone when it already
 * starts with its field (or concerns the whole object).
 */
export function formatViolation(v: Violation): string {
  if (v.field === ROOT || v.message.startsWith(`${v.field} `) || v.message.startsWith(`${v.field}:`)) return v.message;
  return `${v.field}: ${v.message}`;
}

/** Every violation in one message, as admission denials and `peg validate` print them. */
export function denialMessage(violations: Violation[]): string {
  return violations.map(formatViolation).join("; ");
}
