/**
 * Pepr's beforeHook for the admission server: it sees each AdmissionReview request before Pepr
 * copies the object for the bindings. That copy takes time growing faster than the object, and
 * the API server sends objects to mutating webhooks before checking them against the CRD schema,
 * so one huge object could stall an admission pod for minutes. An object over the policy's size
 * bound is replaced, for the bindings only, by a stand-in that keeps its identity and a digest of
 * its spec; the Validate binding denies it with the policy's message, the Mutate bindings leave it
 * alone. Counting is linear and stops at the bound.
 */
import { createHash } from "node:crypto";
import { countValues, MAX_OBJECT_VALUES } from "../src/policy";

/** The field of a stand-in that carries what the bindings need to know about the original. */
export const OVERSIZED = "__pegOversized";

export interface OversizedMark {
  /** countValues of the original (at least MAX_OBJECT_VALUES + 1). */
  values: number;
  /** sha256 of the original's spec as sent, to tell whether an UPDATE changed it. */
  specDigest: string;
}

type Obj = Record<string, unknown>;

function standIn(obj: Obj, values: number): Obj {
  const meta = (obj.metadata && typeof obj.metadata === "object" ? obj.metadata : {}) as Obj;
  const mark: OversizedMark = {
    values,
    specDigest: createHash("sha256").update(JSON.stringify(obj.spec ?? null)).digest("hex"),
  };
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid },
    [OVERSIZED]: mark,
  };
}

/** Replaces object and oldObject of an admission request by stand-ins, each when it is too large. */
export function guardOversized(request: object): void {
  try {
    const fields = request as Obj;
    for (const field of ["object", "oldObject"]) {
      const obj = fields[field];
      if (!obj || typeof obj !== "object" || Array.isArray(obj)) continue;
      const count = countValues(obj);
      if (count > MAX_OBJECT_VALUES) fields[field] = standIn(obj as Obj, count);
    }
  } catch {
    // never let the guard itself fail a request: the bindings still see the original
  }
}

/** The mark of a stand-in, or undefined for an ordinary object. */
export function oversizedMark(obj: unknown): OversizedMark | undefined {
  if (!obj || typeof obj !== "object") return undefined;
  const mark = (obj as Obj)[OVERSIZED];
  return mark && typeof mark === "object" ? (mark as OversizedMark) : undefined;
}

/** The options this module gives PeprModule (pepr.ts; the admission tests start the module alike). */
export const moduleOptions = { beforeHook: guardOversized };
