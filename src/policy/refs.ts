/**
 * HTTPRoute backendRefs at admission: an ExternalName Service is denied; everything the Gateway
 * API conformance suite expects to be accepted with a ResolvedRefs=False condition (unknown kinds,
 * missing Services, cross-namespace references without a ReferenceGrant, failed lookups) becomes
 * a warning instead.
 */
import type { ReferenceGrant, Service } from "../apis";
import { isRecord, quote, violation } from "./report";
import type { PolicyLookup, Violation } from "./types";

/** A backendRef found in a route, with its field path. */
export interface RefSite {
  field: string;
  ref: Record<string, unknown>;
}

const ROUTE_GROUP = "gateway.networking.k8s.io";
const BACKEND_GROUP = "gateway.envoyproxy.io";

/**
 * The violation for a backendRef that resolves to an ExternalName Service, or undefined for any
 * other Service. `field` is the backendRef's path, e.g. `spec.rules[0].backendRefs[0]`.
 */
export function externalNameViolation(field: string, svc: Service): Violation | undefined {
  if (!isRecord(svc) || !isRecord(svc.spec) || svc.spec.type !== "ExternalName") return undefined;
  const meta = isRecord(svc.metadata) ? svc.metadata : {};
  const id = `${typeof meta.namespace === "string" ? meta.namespace : "default"}/${typeof meta.name === "string" ? meta.name : "?"}`;
  const target = typeof svc.spec.externalName === "string" ? ` for ${quote(svc.spec.externalName)}` : "";
  return violation(
    field,
    "UnsupportedValue",
    `${field}: Service ${id} is of type ExternalName, which is not supported (Gateway API implementations ` +
      "should not support ExternalName Services: they let a route reach any name the cluster resolves, CVE-2021-25740); " +
      `use a Backend (gateway.envoyproxy.io/v1alpha1) with an fqdn endpoint${target} instead`,
  );
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

type Lookup<T> = { value?: T; error?: string };

/** Memoises lookups per key for one admission call; a throwing or rejecting lookup becomes an error. */
type Memo<T> = (key: string, load: () => Promise<T> | T) => Promise<Lookup<T>>;

function memo<T>(): Memo<T> {
  const seen = new Map<string, Promise<Lookup<T>>>();
  return (key, load) => {
    let hit = seen.get(key);
    if (!hit) {
      hit = Promise.resolve()
        .then(load)
        .then(
          value => ({ value }),
          err => ({ error: errorText(err) }),
        );
      seen.set(key, hit);
    }
    return hit;
  };
}

function grantAllows(grants: unknown, fromNs: string, group: string, kind: string, name: string): boolean {
  if (!Array.isArray(grants)) return false;
  return grants.some((grant: ReferenceGrant) => {
    const spec = isRecord(grant) ? grant.spec : undefined;
    if (!isRecord(spec) || !Array.isArray(spec.from) || !Array.isArray(spec.to)) return false;
    const fromOk = spec.from.some(
      f => isRecord(f) && (f.group ?? "") === ROUTE_GROUP && f.kind === "HTTPRoute" && f.namespace === fromNs,
    );
    return fromOk && spec.to.some(t => isRecord(t) && (t.group ?? "") === group && t.kind === kind && (!t.name || t.name === name));
  });
}

interface Outcome {
  violations: Violation[];
  warnings: string[];
}

/** Checks every backendRef site in order; lookups run concurrently and once per Service. */
export async function resolveRefs(sites: RefSite[], routeNs: string, lookup: PolicyLookup): Promise<Outcome> {
  const hasLookup = isRecord(lookup) && typeof lookup.service === "function";
  const services = memo<Service | undefined>();
  const grants = memo<ReferenceGrant[] | undefined>();
  const outcomes = await Promise.all(sites.map(site => checkSite(site, routeNs, hasLookup, services, grants, lookup)));
  return {
    violations: outcomes.flatMap(o => o.violations),
    warnings: outcomes.flatMap(o => o.warnings),
  };
}

async function checkSite(
  site: RefSite,
  routeNs: string,
  hasLookup: boolean,
  services: Memo<Service | undefined>,
  grants: Memo<ReferenceGrant[] | undefined>,
  lookup: PolicyLookup,
): Promise<Outcome> {
  const { field, ref } = site;
  const out: Outcome = { violations: [], warnings: [] };
  if (typeof ref.name !== "string") return out; // reported by the shape check
  const group = typeof ref.group === "string" ? ref.group : "";
  const kind = typeof ref.kind === "string" ? ref.kind : "Service";
  const ns = typeof ref.namespace === "string" && ref.namespace !== "" ? ref.namespace : routeNs;
  const isService = group === "" && kind === "Service";
  if (!isService && !(group === BACKEND_GROUP && kind === "Backend")) {
    const gk = group === "" ? kind : `${group}/${kind}`;
    out.warnings.push(
      `${field}: kind ${gk} is not supported (use a Service, or a Backend of ${BACKEND_GROUP}); the route will report ResolvedRefs=False (InvalidKind)`,
    );
    return out;
  }
  const label = `${kind} ${ns}/${ref.name}`;
  if (ns !== routeNs && hasLookup && typeof lookup.referenceGrants === "function") {
    const found = await grants(ns, () => lookup.referenceGrants?.(ns));
    if (found.error) out.warnings.push(`${field}: ReferenceGrants in ${ns} could not be read (${found.error}); the reference to ${label} was not checked`);
    else if (!grantAllows(found.value, routeNs, group, kind, ref.name)) {
      out.warnings.push(
        `${field}: ${label} is in another namespace and no ReferenceGrant in ${ns} allows HTTPRoutes from ${routeNs} to refer to it; ` +
          "the route will report ResolvedRefs=False (RefNotPermitted)",
      );
    }
  }
  if (!isService) return out;
  if (!hasLookup) {
    out.warnings.push(`${field}: ${label} could not be looked up; it was not checked for type ExternalName`);
    return out;
  }
  const name = ref.name;
  const svc = await services(JSON.stringify([ns, name]), () => lookup.service(ns, name));
  if (svc.error) {
    out.warnings.push(`${field}: ${label} could not be looked up (${svc.error}); it was not checked for type ExternalName`);
  } else if (svc.value === undefined || svc.value === null) {
    out.warnings.push(`${field}: ${label} not found; the route will report ResolvedRefs=False (BackendNotFound)`);
  } else {
    const denied = externalNameViolation(field, svc.value);
    if (denied) out.violations.push(denied);
  }
  return out;
}
