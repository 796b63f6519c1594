/**
 * A bound on how large an object admission will look at. The CRDs cap list lengths, but the API
 * server runs mutating webhooks before it checks the schema, so a request can carry an object of
 * any shape up to the request size limit; copying such an object inside the webhook framework
 * takes time that grows faster than its size. Counting is linear and stops at the bound.
 */
import { ROOT, violation } from "./report";
import type { Violation } from "./types";

/**
 * Most values (objects, lists, strings, numbers ...) an object may hold. A large real HTTPRoute
 * (16 rules of 8 matches with a few headers each) holds about 2,000.
 */
export const MAX_OBJECT_VALUES = 10_000;

/** The number of values in `value`, counting stops once it passes `limit`. */
export function countValues(value: unknown, limit = MAX_OBJECT_VALUES): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const v = stack.pop();
    count++;
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === "object") {
      for (const key in v) {
        if (Object.prototype.hasOwnProperty.call(v, key)) stack.push((v as Record<string, unknown>)[key]);
      }
    }
  }
  return count;
}

/** The violation for an object over the bound (`count` as countValues returned it). */
export function oversizedViolation(count: number): Violation {
  return violation(
    ROOT,
    "InvalidObject",
    `the object holds ${count > MAX_OBJECT_VALUES ? "more than " : ""}${Math.min(count, MAX_OBJECT_VALUES)} values (fields, list entries); ` +
      `objects over ${MAX_OBJECT_VALUES} are refused: split the rules over several HTTPRoutes, or the endpoints over several Backends`,
  );
}

/** The violation when `obj` is over the bound, else undefined. */
export function sizeViolation(obj: unknown): Violation | undefined {
  const count = countValues(obj);
  return count > MAX_OBJECT_VALUES ? oversizedViolation(count) : undefined;
}
