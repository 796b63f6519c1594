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

/**
 * `next`, with every part that holds the same data as the corresponding part of `previous`
 * replaced by that part of `previous` (structural sharing): unchanged parts keep their identity,
 * so later stages can reuse their work by reference. Array elements correspond by position, or
 * by `name` when the lengths differ. `next` itself is not modified.
 */
export function share<T>(previous: T, next: T): T {
  if (previous === next || typeof previous !== "object" || typeof next !== "object" || previous === null || next === null) return next;
  if (Array.isArray(previous) && Array.isArray(next)) return shareArray(previous, next) as T;
  if (Array.isArray(previous) || Array.isArray(next) || !isPlain(previous) || !isPlain(next)) return next;
  const prev = previous as Record<string, unknown>;
  const keys = Object.keys(next);
  const prevKeys = Object.keys(prev);
  let same = keys.length === prevKeys.length;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = share(prev[key], (next as Record<string, unknown>)[key]);
    if (same && (prevKeys[i] !== key || value !== prev[key])) same = false;
    out[key] = value;
  }
  return same ? previous : (out as T);
}

function shareArray(previous: readonly unknown[], next: readonly unknown[]): unknown[] {
  let counterpart = (i: number): unknown => previous[i];
  if (previous.length !== next.length) {
    const byName = new Map<unknown, unknown>();
    for (const p of previous) if (p && typeof p === "object" && "name" in p) byName.set((p as { name: unknown }).name, p);
    counterpart = i => (next[i] && typeof next[i] === "object" ? byName.get((next[i] as { name?: unknown }).name) : undefined);
  }
  let same = previous.length === next.length;
  const out = next.map((x, i) => {
    const y = share(counterpart(i), x);
    if (y !== previous[i]) same = false;
    return y;
  });
  return same ? (previous as unknown[]) : out;
}
