/**
 * What `kubectl apply` of the files would store, for the commands that translate them (`peg
 * translate`, `peg serve`): each HTTPRoute and Backend goes through the admission webhooks'
 * defaults and checks (denied objects are left out and reported), with the Services and
 * ReferenceGrants of the files answering the lookups; objects without metadata.generation get 1,
 * as the API server gives every object it creates, so conditions carry observedGeneration 1.
 */
import { inputKindOf } from "../store/objects";
import { type PolicyConfig, defaultBackend, defaultHTTPRoute, formatViolation, validateObject } from "../policy";
import type { LoadedObject } from "./load";
import { fileLookup } from "./validate";

type Obj = Record<string, unknown>;

export interface Admitted {
  file: string;
  /** As written in the file. */
  original: Obj;
  /** As the API server would store it. */
  stored: Obj;
}

export interface Denial {
  file: string;
  /** e.g. `Backend default/evil`. */
  object: string;
  /** Every violation, formatted as the webhook's denial message formats it. */
  messages: string[];
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function describeObject(o: Obj): string {
  const meta = isObj(o.metadata) ? o.metadata : {};
  return `${String(o.kind)} ${meta.namespace ? `${String(meta.namespace)}/` : ""}${String(meta.name)}`;
}

function withGeneration(o: Obj): Obj {
  const meta = isObj(o.metadata) ? o.metadata : undefined;
  if (!meta || typeof meta.generation === "number") return o;
  return { ...o, metadata: { ...meta, generation: 1 } };
}

/** Admission over the loaded objects, in their order. */
export async function admitObjects(objects: LoadedObject[], policy: PolicyConfig): Promise<{ admitted: Admitted[]; denials: Denial[] }> {
  const lookup = fileLookup(objects.map(o => o.object));
  const admitted: Admitted[] = [];
  const denials: Denial[] = [];
  for (const { file, object } of objects) {
    const kind = inputKindOf(object);
    const defaulted = kind === "HTTPRoute" ? defaultHTTPRoute(object as never) : kind === "Backend" ? defaultBackend(object as never) : object;
    const { violations } = await validateObject(defaulted, lookup, policy);
    if (violations.length > 0) denials.push({ file, object: describeObject(object), messages: violations.map(formatViolation) });
    else admitted.push({ file, original: object, stored: withGeneration(defaulted as Obj) });
  }
  return { admitted, denials };
}
