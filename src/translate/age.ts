/**
 * The Gateway API's "oldest first, then alphabetical by namespace/name" ordering of objects that
 * compete (routes of equal precedence, conflicting policies). An object without a readable
 * creationTimestamp counts as the newest.
 */

/** Milliseconds since the epoch, or +Infinity when absent or unreadable. */
export function timeOf(createdAt: string): number {
  if (!createdAt) return Number.POSITIVE_INFINITY;
  const t = Date.parse(createdAt);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

/** Negative when the object created at `a` is older than the one created at `b`. */
export function compareTimes(a: string, b: string): number {
  if (a === b) return 0;
  const ta = timeOf(a);
  const tb = timeOf(b);
  return ta === tb ? 0 : ta < tb ? -1 : 1;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Oldest first, then by `key` (`namespace/name`). */
export function comparePolicyAge(a: { createdAt: string; key: string }, b: { createdAt: string; key: string }): number {
  return compareTimes(a.createdAt, b.createdAt) || compareStrings(a.key, b.key);
}
