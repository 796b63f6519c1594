/**
 * Envoy string matching: envoy.type.matcher.v3.StringMatcher and RegexMatcher. Regular
 * expressions are RE2 (re2js) and, as in Envoy's safe_regex, must match the whole value.
 */
import { RE2JS } from "re2js";
import { type Msg, boolValue, obj, str } from "./msg";

const compiled = new Map<string, RE2JS>();

export function re2(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    compiled.set(pattern, re);
  }
  return re;
}

/** RegexMatcher (`{ regex }`) full match. */
export function regexFullMatch(matcher: unknown, value: string): boolean {
  const pattern = str(obj(matcher)?.regex);
  if (pattern === undefined) throw new Error("RegexMatcher without regex");
  return re2(pattern).matches(value);
}

/**
 * Envoy's substitution syntax (`\1` for a capture group) turned into re2js's (`$1`), then every
 * non-overlapping match of `pattern` in `value` replaced, as RE2::GlobalReplace does.
 */
export function regexReplaceAll(pattern: string, substitution: string, value: string): string {
  let replacement = "";
  for (let i = 0; i < substitution.length; i++) {
    const c = substitution[i];
    if (c === "\\" && i + 1 < substitution.length) {
      const next = substitution[i + 1];
      replacement += /\d/.test(next) ? `$${next}` : next === "$" ? "\\$" : next;
      i++;
    } else if (c === "$") {
      replacement += "\\$";
    } else {
      replacement += c;
    }
  }
  return re2(pattern).matcher(value).replaceAll(replacement);
}

/** envoy.type.matcher.v3.StringMatcher. */
export function stringMatch(matcher: Msg, value: string): boolean {
  const ignoreCase = boolValue(matcher.ignoreCase, false);
  const v = ignoreCase ? value.toLowerCase() : value;
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  if (typeof matcher.exact === "string") return v === fold(matcher.exact);
  if (typeof matcher.prefix === "string") return v.startsWith(fold(matcher.prefix));
  if (typeof matcher.suffix === "string") return v.endsWith(fold(matcher.suffix));
  if (typeof matcher.contains === "string") return v.includes(fold(matcher.contains));
  if (matcher.safeRegex !== undefined) return regexFullMatch(matcher.safeRegex, value);
  if (matcher.custom !== undefined) throw new Error("StringMatcher.custom is not simulated");
  // Envoy rejects a StringMatcher without a match pattern (the oneof is required).
  throw new Error("StringMatcher without a match pattern (Envoy would reject the configuration)");
}
