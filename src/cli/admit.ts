/**
 * What `kubectl apply` of the files would store, for the commands that read manifests: each
 * HTTPRoute and Backend goes through the admission webhooks' defaults and checks, with the
 * Services and ReferenceGrants of the files answering the lookups. `peg validate` reports every
 * verdict; `peg translate` and `peg serve` leave denied objects out (and report them), and give
 * objects without metadata.generation 1, as the API server gives every object it creates, so
 * conditions carry observedGeneration 1.
 */
import type { ReferenceGrant, Service } from "../apis";
import { type PolicyConfig, type PolicyLookup, type PolicyResult, defaultObject, formatViolation, validateObject } from "../policy";
import { inputKindOf } from "../store/objects";
import type { LoadedObject } from "./load";

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** metadata.namespace, or "default" when there is none (as `kubectl apply` fills it in). */
export const namespaceOf = (o: Obj): string => (isObj(o.metadata) && typeof o.metadata.namespace === "string" && o.metadata.namespace !== "" ? o.metadata.namespace : "default");
export const nameOf = (o: Obj): string => (isObj(o.metadata) && typeof o.metadata.name === "string" ? o.metadata.name : "?");

/** Lookups answered by the given objects, as a cluster holding just those objects would answer. */
export function fileLookup(objects: Obj[]): PolicyLookup {
  const services = new Map<string, Service>();
  const grants = new Map<string, ReferenceGrant[]>();
  for (const o of objects) {
    const kind = inputKindOf(o);
    if (kind === "Service") services.set(`${namespaceOf(o)}/${nameOf(o)}`, o as Service);
    if (kind === "ReferenceGrant") grants.set(namespaceOf(o), [...(grants.get(namespaceOf(o)) ?? []), o as ReferenceGrant]);
  }
  return {
    service: (ns, name) => services.get(`${ns}/${name}`),
    referenceGrants: ns => grants.get(ns) ?? [],
  };
}

/** One object through the mutating webhook (`defaulted`) and then the validating one. */
export async function admit(object: Obj, lookup: PolicyLookup, policy: PolicyConfig): Promise<PolicyResult & { defaulted: Obj }> {
  const defaulted = defaultObject(object) as Obj;
  return { defaulted, ...(await validateObject(defaulted, lookup, policy)) };
}

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
    const { defaulted, violations } = await admit(object, lookup, policy);
    if (violations.length > 0) denials.push({ file, object: describeObject(object), messages: violations.map(formatViolation) });
    else admitted.push({ file, original: object, stored: withGeneration(defaulted) });
  }
  return { admitted, denials };
}
