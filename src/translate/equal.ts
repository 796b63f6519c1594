/**
 * Structural equality of plain data (IR, models, conditions), strict enough that one value can
 * stand for the other anywhere: the same keys in the same order, equal values. Lets incremental
 * translation hand back an earlier object when a recomputation gives the same content, so later
 * stages can reuse their work by identity.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlain(a) || !isPlain(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return false;
    if (!sameData((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]])) return false;
  }
  return true;
}

/** Only plain objects are compared by content (a Map or a class instance only equals itself). */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `next`, or `previous` when they hold the same data (so identity is kept). */
export function keepSame<T>(previous: T | undefined, next: T): T {
  return previous !== undefined && sameData(previous, next) ? previous : next;
}
