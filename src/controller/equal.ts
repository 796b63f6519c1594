/** Structural equality of JSON values (objects, arrays, strings, numbers, booleans, null). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao).filter(k => ao[k] !== undefined);
  if (keys.length !== Object.keys(bo).filter(k => bo[k] !== undefined).length) return false;
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/**
 * Orders two resourceVersions when both are decimal integers (what kube-apiserver hands out in
 * practice): negative when `a` is older. Undefined when they cannot be compared; callers then treat
 * a different version as newer.
 */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a === b) return 0;
  if (!/^\d{1,15}$/.test(a) || !/^\d{1,15}$/.test(b)) return undefined;
  return Number(a) - Number(b);
}
