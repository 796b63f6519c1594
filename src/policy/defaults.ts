/**
 * Mutation defaults: make explicit what the CRDs default, so the stored object, `kubectl get -o
 * yaml` and the translator all see the same values. Each function returns a new object, never
 * changes its input, is idempotent, and leaves malformed parts as they are for validation.
 *
 * HTTPRoute (v1.6.1 standard CRD): parentRefs group gateway.networking.k8s.io and kind Gateway;
 * rules default to one rule; a rule's matches default to a PathPrefix "/" match; a match's path
 * defaults to PathPrefix "/", its type to PathPrefix and value to "/"; header and query parameter
 * matches default to type Exact; backendRefs to group "", kind Service, weight 1; requestMirror
 * backendRefs to group "", kind Service, fraction denominator 100; requestRedirect statusCode 302;
 * cors maxAge 5.
 * Backend (crds/backend.yaml): type Endpoints, tls.insecureSkipVerify false, and fqdn hostnames
 * lowercased without a trailing dot.
 */
import type { Backend, HTTPRoute } from "../apis";
import { isDnsSyntax, normaliseHostname } from "./hostname";
import { isRecord } from "./report";

type Obj = Record<string, unknown>;

/** A deep copy; falls back to a shallow one for values structuredClone cannot copy. */
function copy<T>(obj: T): T {
  try {
    return structuredClone(obj);
  } catch {
    return (isRecord(obj) ? { ...obj } : obj) as T;
  }
}

function setDefault(target: Obj, key: string, value: unknown): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

function each(list: unknown, fn: (item: Obj) => void): void {
  if (Array.isArray(list)) for (const item of list) if (isRecord(item)) fn(item);
}

/** Rewrites a hostname only when the result is well-formed; anything else is left for validation. */
function normalisedOrSame(hostname: string): string {
  if (hostname.length > 254) return hostname;
  const normal = normaliseHostname(hostname);
  return isDnsSyntax(normal) ? normal : hostname;
}

export function defaultBackend(obj: Backend): Backend {
  const out = copy(obj);
  const spec = isRecord(out) ? (out as Obj).spec : undefined;
  if (!isRecord(spec)) return out;
  setDefault(spec, "type", "Endpoints");
  if (isRecord(spec.tls)) setDefault(spec.tls, "insecureSkipVerify", false);
  each(spec.endpoints, ep => {
    const fqdn = ep.fqdn;
    if (isRecord(fqdn) && typeof fqdn.hostname === "string") fqdn.hostname = normalisedOrSame(fqdn.hostname);
  });
  return out;
}

const defaultMatch = (): Obj => ({ path: { type: "PathPrefix", value: "/" } });

function defaultServiceRef(ref: Obj): void {
  setDefault(ref, "group", "");
  setDefault(ref, "kind", "Service");
}

function defaultFilters(filters: unknown): void {
  each(filters, filter => {
    const mirror = filter.requestMirror;
    if (isRecord(mirror)) {
      if (isRecord(mirror.backendRef)) defaultServiceRef(mirror.backendRef);
      if (isRecord(mirror.fraction)) setDefault(mirror.fraction, "denominator", 100);
    }
    if (isRecord(filter.requestRedirect)) setDefault(filter.requestRedirect, "statusCode", 302);
    if (isRecord(filter.cors)) setDefault(filter.cors, "maxAge", 5);
  });
}

function defaultMatches(match: Obj): void {
  if (match.path === undefined || match.path === null) match.path = { type: "PathPrefix", value: "/" };
  else if (isRecord(match.path)) {
    setDefault(match.path, "type", "PathPrefix");
    setDefault(match.path, "value", "/");
  }
  each(match.headers, h => setDefault(h, "type", "Exact"));
  each(match.queryParams, q => setDefault(q, "type", "Exact"));
}

function defaultRule(rule: Obj): void {
  setDefault(rule, "matches", [defaultMatch()]);
  each(rule.matches, defaultMatches);
  defaultFilters(rule.filters);
  each(rule.backendRefs, ref => {
    defaultServiceRef(ref);
    setDefault(ref, "weight", 1);
    defaultFilters(ref.filters);
  });
}

export function defaultHTTPRoute(obj: HTTPRoute): HTTPRoute {
  const out = copy(obj);
  const spec = isRecord(out) ? (out as Obj).spec : undefined;
  if (!isRecord(spec)) return out;
  each(spec.parentRefs, ref => {
    setDefault(ref, "group", "gateway.networking.k8s.io");
    setDefault(ref, "kind", "Gateway");
  });
  setDefault(spec, "rules", [{ matches: [defaultMatch()] }]);
  each(spec.rules, defaultRule);
  return out;
}
