/**
 * Small builders shared by the render files. Everything here returns protobufjs
 * `fromObject`-compatible plain data (see src/xds/types.ts): camelCase field names, Any as
 * `{ "@type": url, ...fields }`, Duration as `{ seconds, nanos }`, wrappers as `{ value }`.
 */
import type { EnvoyMessage } from "../types";
import type { HeaderModifierIR } from "../../ir/types";

export const TYPE_PREFIX = "type.googleapis.com/";

/** The HTTP filter name under which routes carry their CORS policy. */
export const CORS_FILTER_NAME = "envoy.filters.http.cors";

/** An Any of the given fully qualified message name. */
export function typed(messageName: string, fields: EnvoyMessage = {}): EnvoyMessage {
  return { "@type": TYPE_PREFIX + messageName, ...fields };
}

/** A google.protobuf.Duration from milliseconds. */
export function durationMs(ms: number): EnvoyMessage {
  const whole = Math.max(0, Math.floor(ms));
  const seconds = Math.floor(whole / 1000);
  const nanos = (whole % 1000) * 1_000_000;
  return nanos === 0 ? { seconds } : { seconds, nanos };
}

/** Resources named here are fetched over the ADS stream the proxy already has. */
export function adsConfigSource(): EnvoyMessage {
  return { ads: {}, resourceApiVersion: "V3" };
}

/** An SDS secret reference served over ADS. */
export function sdsSecret(name: string): EnvoyMessage {
  return { name, sdsConfig: adsConfigSource() };
}

/** envoy.type.matcher.v3.StringMatcher: exact, or a full-match RE2 regex (Envoy's default engine). */
export function stringMatcher(type: "Exact" | "RegularExpression", value: string): EnvoyMessage {
  return type === "Exact" ? { exact: value } : { safeRegex: { regex: value } };
}

/** Escapes a literal for use inside an RE2 pattern. */
export function quoteRegex(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}

export interface HeaderFields {
  toAdd?: EnvoyMessage[];
  toRemove?: string[];
}

/**
 * Gateway API header modifiers as Envoy header options: `set` overwrites (or adds) the header,
 * `add` appends a value (or adds it), `remove` drops it. Names keep their case: Envoy compares
 * header names case-insensitively.
 */
export function headerFields(mod: HeaderModifierIR | undefined): HeaderFields {
  if (!mod) return {};
  const toAdd = [
    ...mod.set.map(h => ({ header: { key: h.name, value: h.value }, appendAction: "OVERWRITE_IF_EXISTS_OR_ADD" })),
    ...mod.add.map(h => ({ header: { key: h.name, value: h.value }, appendAction: "APPEND_IF_EXISTS_OR_ADD" })),
  ];
  const out: HeaderFields = {};
  if (toAdd.length > 0) out.toAdd = toAdd;
  if (mod.remove.length > 0) out.toRemove = [...mod.remove];
  return out;
}

/** Sorts resources by a name field (stable, code-point order: the same on every machine). */
export function byName<T extends EnvoyMessage>(items: T[], field = "name"): T[] {
  return items.sort((a, b) => compare(String(a[field]), String(b[field])));
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The path without its trailing slashes; "" for `/`. */
export function trimmedPrefix(value: string): string {
  return value.replace(/\/+$/, "");
}
