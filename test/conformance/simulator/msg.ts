/**
 * Readers for decoded Envoy messages (protobufjs `toObject` JSON shape: camelCase fields, unset
 * fields absent, wrappers as `{ value }`, durations as `{ seconds, nanos }`, enums by name, Any as
 * `{ "@type", ...fields }`). Every reader tolerates absence, since proto3 omits defaults.
 */

export type Msg = Record<string, unknown>;

export function obj(value: unknown): Msg | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Msg) : undefined;
}

export function list(value: unknown): Msg[] {
  return Array.isArray(value) ? (value.filter(v => obj(v) !== undefined) as Msg[]) : [];
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function num(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

/** A BoolValue: absent → fallback; present but empty → false (proto default). */
export function boolValue(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  const o = obj(value);
  if (o) return o.value === true;
  return value === true;
}

/** A UInt32Value: absent → fallback; present but empty → 0. */
export function uintValue(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const o = obj(value);
  if (o) return num(o.value) ?? 0;
  return num(value) ?? fallback;
}

/** A google.protobuf.Duration in milliseconds, or undefined when absent. */
export function durationMs(value: unknown): number | undefined {
  const o = obj(value);
  if (!o) return undefined;
  return (num(o.seconds) ?? 0) * 1000 + (num(o.nanos) ?? 0) / 1e6;
}

/** The fully qualified message name of an Any. */
export function anyType(value: unknown): string | undefined {
  const url = str(obj(value)?.["@type"]);
  return url ? url.slice(url.lastIndexOf("/") + 1) : undefined;
}

/** Inline DataSource content (inline_string, or inline_bytes as base64). */
export function dataSource(value: unknown): string | undefined {
  const o = obj(value);
  if (!o) return undefined;
  if (typeof o.inlineString === "string") return o.inlineString;
  if (typeof o.inlineBytes === "string") return Buffer.from(o.inlineBytes, "base64").toString("utf8");
  return undefined;
}
