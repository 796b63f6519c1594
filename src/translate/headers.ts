/**
 * RequestHeaderModifier / ResponseHeaderModifier → HeaderModifierIR. Header names are
 * case-insensitive: a second `set` or `remove` of the same name (in any case) is dropped, `add`
 * entries are all kept (adding twice appends twice). Names must be RFC 7230 tokens, as the CRD
 * requires (so pseudo-headers such as `:path` can never be modified).
 */
import { isRecord, quote } from "../policy/report";
import type { HeaderModifierIR } from "../ir/types";
import type { Checked } from "./matches";

const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** The CRD allows 16 entries in each of set, add and remove. */
const MAX_ENTRIES = 16;
const MAX_VALUE = 4096;

type Pair = { name: string; value: string };

function pairs(list: unknown, field: string, dedupe: boolean): Checked<Pair[]> {
  if (list === undefined || list === null) return { ok: true, value: [] };
  if (!Array.isArray(list)) return { ok: false, message: `${field} must be a list` };
  if (list.length > MAX_ENTRIES) return { ok: false, message: `${field} has ${list.length} entries, more than ${MAX_ENTRIES}` };
  const out: Pair[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    const at = `${field}[${i}]`;
    if (!isRecord(item)) return { ok: false, message: `${at} must be an object with name and value` };
    if (typeof item.name !== "string" || !TOKEN.test(item.name)) return { ok: false, message: `${at}.name ${quote(item.name)} is not a valid header name` };
    if (typeof item.value !== "string" || item.value.length > MAX_VALUE) return { ok: false, message: `${at}.value must be a string of at most ${MAX_VALUE} characters` };
    const key = item.name.toLowerCase();
    if (dedupe && seen.has(key)) continue;
    seen.add(key);
    out.push({ name: item.name, value: item.value });
  }
  return { ok: true, value: out };
}

function names(list: unknown, field: string): Checked<string[]> {
  if (list === undefined || list === null) return { ok: true, value: [] };
  if (!Array.isArray(list)) return { ok: false, message: `${field} must be a list` };
  if (list.length > MAX_ENTRIES) return { ok: false, message: `${field} has ${list.length} entries, more than ${MAX_ENTRIES}` };
  const out: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const name: unknown = list[i];
    if (typeof name !== "string" || !TOKEN.test(name)) return { ok: false, message: `${field}[${i}] ${quote(name)} is not a valid header name` };
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    out.push(name);
  }
  return { ok: true, value: out };
}

export function translateHeaderModifier(config: unknown, field: string): Checked<HeaderModifierIR> {
  if (!isRecord(config)) return { ok: false, message: `${field} must be an object with set, add or remove` };
  const set = pairs(config.set, `${field}.set`, true);
  if (!set.ok) return set;
  const add = pairs(config.add, `${field}.add`, false);
  if (!add.ok) return add;
  const remove = names(config.remove, `${field}.remove`);
  if (!remove.ok) return remove;
  return { ok: true, value: { set: set.value, add: add.value, remove: remove.value } };
}
