/**
 * RE2 syntax check for RegularExpression matches: Envoy compiles them with Google RE2 and rejects
 * the whole configuration update when one fails, so a bad pattern must be refused at admission.
 * re2js is a port of RE2's parser; it rejects what RE2 rejects (lookaround, backreferences,
 * possessive quantifiers, repeat counts over 1000, ...).
 */
import { RE2JS } from "re2js";

/** Longest pattern compiled (the HTTPRoute CRD allows 1024 for paths, 4096 for header values). */
export const MAX_PATTERN = 4096;

/** The memo keeps patterns up to this many characters in total (about 2 MB), oldest out first. */
const CACHE_CHARS = 1_000_000;
const cache = new Map<string, string | null>();
let cachedChars = 0;

function compileError(pattern: string): string | null {
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const reason = text.replace(/^error parsing regexp: /, "");
    return reason.length > 120 ? `${reason.slice(0, 120)}…` : reason;
  }
}

function remember(pattern: string, result: string | null): void {
  cachedChars += pattern.length;
  cache.set(pattern, result);
  for (const oldest of cache.keys()) {
    if (cachedChars <= CACHE_CHARS) break;
    cachedChars -= oldest.length;
    cache.delete(oldest);
  }
}

/**
 * Why RE2 would reject the pattern, or undefined when it compiles. Results are memoised (a
 * bounded cache): the same route is validated on every update.
 */
export function re2Error(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN) return `pattern is ${pattern.length} characters long, more than ${MAX_PATTERN}`;
  let result = cache.get(pattern);
  if (result === undefined) {
    result = compileError(pattern);
    remember(pattern, result);
  }
  return result ?? undefined;
}
