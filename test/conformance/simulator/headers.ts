/**
 * Header lists, Envoy's HeaderMatcher, and header mutations (HeaderValueOption with append_action,
 * headers_to_remove) applied level by level as Envoy documents them.
 */
import type { Header } from "./types";
import { type Msg, boolValue, list, obj, str, strings } from "./msg";
import { regexFullMatch, stringMatch } from "./strings";

export function lower(headers: readonly Header[]): Header[] {
  return headers.map(([n, v]) => [n.toLowerCase(), v]);
}

export function values(headers: readonly Header[], name: string): string[] {
  const key = name.toLowerCase();
  return headers.filter(([n]) => n === key).map(([, v]) => v);
}

/** All values of a header joined with ",", as Envoy reads a multi-valued header for matching. */
export function joined(headers: readonly Header[], name: string): string | undefined {
  const vs = values(headers, name);
  return vs.length === 0 ? undefined : vs.join(",");
}

export function remove(headers: Header[], name: string): Header[] {
  const key = name.toLowerCase();
  return headers.filter(([n]) => n !== key);
}

export function set(headers: Header[], name: string, value: string): Header[] {
  return [...remove(headers, name), [name.toLowerCase(), value]];
}

/** envoy.config.route.v3.HeaderMatcher against request headers (pseudo-headers included). */
export function headerMatches(matcher: Msg, headers: readonly Header[]): boolean {
  const name = str(matcher.name) ?? "";
  const invert = matcher.invertMatch === true;
  const treatMissingAsEmpty = matcher.treatMissingHeaderAsEmpty === true;
  let value = joined(headers, name);
  const isPresentMatch = matcher.presentMatch !== undefined;
  const present = matcher.presentMatch === true;
  if (value === undefined && !treatMissingAsEmpty) {
    // Envoy: an absent header matches only a present_match (false, or true when inverted).
    return isPresentMatch && (invert ? present : !present);
  }
  value = value ?? "";
  let result: boolean;
  if (isPresentMatch) result = present;
  else if (typeof matcher.exactMatch === "string") result = value === matcher.exactMatch;
  else if (matcher.safeRegexMatch !== undefined) result = regexFullMatch(matcher.safeRegexMatch, value);
  else if (typeof matcher.prefixMatch === "string") result = value.startsWith(matcher.prefixMatch);
  else if (typeof matcher.suffixMatch === "string") result = value.endsWith(matcher.suffixMatch);
  else if (typeof matcher.containsMatch === "string") result = value.includes(matcher.containsMatch);
  else if (obj(matcher.stringMatch)) result = stringMatch(matcher.stringMatch as Msg, value);
  else if (obj(matcher.rangeMatch)) {
    const range = matcher.rangeMatch as Msg;
    const n = Number(value);
    result = /^-?\d+$/.test(value) && n >= Number(range.start ?? 0) && n < Number(range.end ?? 0);
  } else {
    // No match specifier: Envoy treats the matcher as "header is present".
    result = true;
  }
  return invert ? !result : result;
}

export type AppendAction = "APPEND_IF_EXISTS_OR_ADD" | "ADD_IF_ABSENT" | "OVERWRITE_IF_EXISTS_OR_ADD" | "OVERWRITE_IF_EXISTS";

function appendAction(option: Msg): AppendAction {
  // The deprecated `append` BoolValue wins when set: true appends, false overwrites.
  if (option.append !== undefined) {
    return boolValue(option.append, true) ? "APPEND_IF_EXISTS_OR_ADD" : "OVERWRITE_IF_EXISTS_OR_ADD";
  }
  return (str(option.appendAction) as AppendAction | undefined) ?? "APPEND_IF_EXISTS_OR_ADD";
}

/** One HeaderValueOption applied to a header list. */
export function applyOption(headers: Header[], option: Msg): Header[] {
  const header = obj(option.header) ?? {};
  const name = (str(header.key) ?? "").toLowerCase();
  const value = str(header.value) ?? (typeof header.rawValue === "string" ? Buffer.from(header.rawValue, "base64").toString() : "");
  if (value === "" && option.keepEmptyValue !== true) return headers;
  const exists = values(headers, name).length > 0;
  switch (appendAction(option)) {
    case "APPEND_IF_EXISTS_OR_ADD":
      return [...headers, [name, value]];
    case "ADD_IF_ABSENT":
      return exists ? headers : [...headers, [name, value]];
    case "OVERWRITE_IF_EXISTS_OR_ADD":
      return set(headers, name, value);
    case "OVERWRITE_IF_EXISTS":
      return exists ? set(headers, name, value) : headers;
  }
}

/** One level of mutations (route, virtual host...): removals first, then additions, as Envoy does. */
export interface MutationLevel {
  add: Msg[];
  remove: string[];
}

export function level(add: unknown, removeNames: unknown): MutationLevel {
  return { add: list(add), remove: strings(removeNames) };
}

export function applyLevels(headers: Header[], levels: readonly MutationLevel[]): Header[] {
  let out = headers;
  for (const l of levels) {
    for (const name of l.remove) out = remove(out, name);
    for (const option of l.add) out = applyOption(out, option);
  }
  return out;
}
