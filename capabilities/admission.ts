/**
 * Admission handlers behind the capability's Mutate and Validate bindings. They adapt Pepr's
 * request wrappers to the pure policy in src/policy and read the API for the lookups the policy
 * needs (the Service behind a backendRef, the ReferenceGrants of a namespace).
 *
 * Nothing here throws on user input: a throw inside Validate becomes a 500 "Action failed", and
 * inside Mutate a rejection (onError: reject). Failed lookups become admission warnings.
 */
import { K8s, Log, a, kind, type PeprMutateRequest, type PeprValidateRequest } from "pepr";
import { oversizedMark } from "./guard";
import { GVK, type Backend, type HTTPRoute, type ReferenceGrant, type Service } from "../src/apis";
import { loadConfig, type Config } from "../src/config";
import {
  defaultBackend,
  defaultHTTPRoute,
  defaultObject,
  denialMessage,
  oversizedViolation,
  policyConfigProblems,
  validateObject,
  type PolicyLookup,
} from "../src/policy";

type Obj = a.GenericKind;
type ValidateResponse = ReturnType<PeprValidateRequest<Obj>["Approve"]>;

/** What the bindings select: the served version each webhook rule names, and its resource. */
export const BACKEND = { ...GVK.Backend, plural: "backends" };
export const HTTPROUTE = { ...GVK.HTTPRoute, plural: "httproutes" };
const REFERENCE_GRANT = { ...GVK.ReferenceGrant, plural: "referencegrants" };

/** A lookup that takes longer than this becomes a warning, well inside the webhook timeout. */
let lookupTimeoutMs = 3_000;

/** For tests: shortens the lookup timeout. */
export function setLookupTimeout(ms: number): void {
  lookupTimeoutMs = ms;
}

let config: Config | undefined;

/** The configuration, read from the environment on first use (never at import: `pepr build` imports this). */
function currentConfig(): Config {
  if (!config) {
    config = loadConfig(process.env);
    for (const problem of policyConfigProblems(config.policy)) Log.warn(`envoy-gateway configuration: ${problem}`);
  }
  return config;
}

function statusOf(err: unknown): number | undefined {
  return typeof err === "object" && err !== null && typeof (err as { status?: unknown }).status === "number"
    ? (err as { status: number }).status
    : undefined;
}

/** kubernetes-fluent-client rejects with the HTTP response; turn it into a short Error. */
function apiError(err: unknown): Error {
  if (err instanceof Error) return err;
  const status = statusOf(err);
  const data = typeof err === "object" && err !== null ? (err as { data?: { message?: unknown } }).data : undefined;
  const detail = typeof data?.message === "string" ? data.message : (err as { statusText?: string })?.statusText;
  return new Error(status ? `API server answered ${status}${detail ? `: ${detail}` : ""}` : String(err));
}

function within<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${lookupTimeoutMs} ms`)), lookupTimeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function getService(namespace: string, name: string): Promise<Service | undefined> {
  try {
    return (await within("reading the Service", K8s(kind.Service).InNamespace(namespace).Get(name))) as Service;
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw apiError(err);
  }
}

async function listReferenceGrants(namespace: string): Promise<ReferenceGrant[]> {
  try {
    const list = await within(
      "listing ReferenceGrants",
      K8s(a.GenericKind, { kindOverride: REFERENCE_GRANT }).InNamespace(namespace).Get(),
    );
    return (list.items ?? []) as ReferenceGrant[];
  } catch (err) {
    throw apiError(err);
  }
}

/** Lookups through the API server, as the admission pods make them. */
export const apiLookup: PolicyLookup = { service: getService, referenceGrants: listReferenceGrants };

/** Runs a defaulting function; on any failure the object is left as it was, for validation to judge. */
function applyDefaults<T>(req: PeprMutateRequest<Obj>, fn: (obj: T) => T): void {
  if (oversizedMark(req.Raw)) return; // a stand-in for an object too large to look at: Validate denies it
  try {
    req.Raw = fn(req.Raw as T) as Obj;
  } catch (err) {
    Log.warn(`envoy-gateway: defaulting skipped: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Mutate: Backend defaults (type, insecureSkipVerify) and normalised fqdn hostnames. */
export function mutateBackend(req: PeprMutateRequest<Obj>): void {
  applyDefaults<Backend>(req, defaultBackend);
}

/** Mutate: HTTPRoute defaults the CRD leaves implicit (ref group/kind, weight 1, PathPrefix "/"). */
export function mutateHTTPRoute(req: PeprMutateRequest<Obj>): void {
  applyDefaults<HTTPRoute>(req, defaultHTTPRoute);
}

/** JSON with object keys sorted, so key order (the API server sorts, defaults append) does not matter. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}

/** An object as the mutating webhook leaves it (a stored one may predate the webhook). */
function defaulted(obj: Obj): Obj {
  try {
    return defaultObject(obj) as Obj;
  } catch {
    return obj; // compare as stored
  }
}

/**
 * An UPDATE that leaves the spec as it was (labels, annotations, finalizers) is not blocked by
 * rules the stored object already broke: denying it would only stop its owner from cleaning it up
 * (e.g. removing a finalizer). The violations are still returned as warnings.
 */
function ratchets(req: PeprValidateRequest<Obj>): boolean {
  if (req.Request.operation !== "UPDATE") return false;
  const old = req.OldResource as Obj | undefined | null;
  if (!old || typeof old !== "object") return false;
  try {
    return canonical(defaulted(old).spec) === canonical(defaulted(req.Raw).spec);
  } catch {
    return false;
  }
}

/**
 * Validate for a stand-in of an object too large to look at (see ./guard): denied, unless an
 * UPDATE leaves the spec of an equally large stored object as it was (the ratchet below).
 */
function validateOversized(req: PeprValidateRequest<Obj>): ValidateResponse | undefined {
  const mark = oversizedMark(req.Raw);
  if (!mark) return undefined;
  const message = denialMessage([oversizedViolation(mark.values)]);
  const old = req.Request.operation === "UPDATE" ? oversizedMark(req.OldResource) : undefined;
  if (old && old.specDigest === mark.specDigest) return req.Approve([`allowed because the spec did not change, but: ${message}`]);
  return req.Deny(message, 422);
}

/** Validate: the policy's verdict; violations deny with one message naming every field. */
export async function validateRequest(req: PeprValidateRequest<Obj>): Promise<ValidateResponse> {
  try {
    const oversized = validateOversized(req);
    if (oversized) return oversized;
    const { violations, warnings } = await validateObject(req.Raw, apiLookup, currentConfig().policy);
    if (violations.length === 0) return req.Approve(warnings.length > 0 ? warnings : undefined);
    const message = denialMessage(violations);
    if (ratchets(req)) return req.Approve([...warnings, `allowed because the spec did not change, but: ${message}`]);
    return req.Deny(message, 422, warnings.length > 0 ? warnings : undefined);
  } catch (err) {
    // validateObject never rejects; this is a last guard so a bug is a clear denial, not a 500.
    Log.error(`envoy-gateway: validation failed: ${err instanceof Error ? err.stack : String(err)}`);
    return req.Deny("the object could not be checked by the envoy-gateway admission policy; try again or contact the operator", 422);
  }
}
