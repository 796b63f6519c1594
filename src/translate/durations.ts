/**
 * Gateway API durations (GEP-2257): one to four `<number><unit>` parts, each number of one to five
 * digits, units h, m, s and ms, e.g. "1h", "500ms", "1h2m3s". Converted to whole milliseconds.
 */

/** The CRD's pattern for Duration fields. */
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const PART = /([0-9]{1,5})(ms|h|m|s)/g;

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** Milliseconds of a Gateway API duration, or undefined when the text is not one. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== "string" || !DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, digits, unit] of text.matchAll(PART)) total += Number(digits) * UNIT_MS[unit];
  return total;
}
