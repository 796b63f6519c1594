/**
 * HTTPRouteFilter lists (rule level and backendRef level) → IR pieces.
 *
 * Rule level: RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite and CORS
 * at most once each, RequestMirror and ExtensionRef any number of times (spec). Invalid rules
 * (reported by the caller as Accepted=False or PartiallyInvalid, and dropped):
 *
 * - a filter type this API version does not define, or a type without its configuration:
 *   UnsupportedValue;
 * - RequestRedirect together with URLRewrite, or a filter that may appear once appearing twice:
 *   IncompatibleFilters;
 * - ReplacePrefixMatch in a rule with a match that is not PathPrefix: UnsupportedValue.
 *
 * ExtensionRef: this gateway has no extension filters, so every reference is unresolvable. As the
 * spec requires, the filter is not skipped: the rule answers HTTP 500, and the route gets
 * ResolvedRefs=False with reason InvalidKind (a reference to an unsupported kind).
 *
 * backendRef level: RequestHeaderModifier and ResponseHeaderModifier only (other types are
 * implementation-specific there and not supported: UnsupportedValue; an ExtensionRef makes that
 * backend's share of traffic fail, InvalidKind).
 */
import { isRecord, quote } from "../policy/report";
import type { CorsIR, ForwardActionIR, HeaderModifierIR, RedirectActionIR, RouteMatchIR } from "../ir/types";
import { translateCors } from "./cors";
import { translateHeaderModifier } from "./headers";
import { translateRedirect, translateRewrite } from "./redirect";

/** The CRD allows 16 filters per list. */
const MAX_FILTERS = 16;

const CONFIG_KEY: Record<string, string> = {
  RequestHeaderModifier: "requestHeaderModifier",
  ResponseHeaderModifier: "responseHeaderModifier",
  RequestRedirect: "requestRedirect",
  URLRewrite: "urlRewrite",
  RequestMirror: "requestMirror",
  ExtensionRef: "extensionRef",
  CORS: "cors",
};
const REPEATABLE = new Set(["RequestMirror", "ExtensionRef"]);

export interface RuleProblem {
  ok: false;
  reason: "UnsupportedValue" | "IncompatibleFilters";
  message: string;
}

export interface MirrorSpec {
  backendRef: unknown;
  field: string;
  /** 0..100, fractions allowed. */
  percent: number;
}

export interface RuleFilters {
  requestHeaders?: HeaderModifierIR;
  responseHeaders?: HeaderModifierIR;
  redirect?: RedirectActionIR;
  rewrite?: NonNullable<ForwardActionIR["rewrite"]>;
  cors?: CorsIR;
  mirrors: MirrorSpec[];
  /** One message per unresolvable ExtensionRef. */
  extensionRefs: string[];
}

const unsupported = (message: string): RuleProblem => ({ ok: false, reason: "UnsupportedValue", message });

function mirrorOf(config: unknown, field: string): MirrorSpec | RuleProblem {
  if (!isRecord(config)) return unsupported(`${field} must be an object with a backendRef`);
  const { percent, fraction } = config;
  if (percent !== undefined && fraction !== undefined) return unsupported(`${field}: set percent or fraction, not both`);
  let share = 100;
  if (percent !== undefined) {
    if (typeof percent !== "number" || !Number.isInteger(percent) || percent < 0 || percent > 100) return unsupported(`${field}.percent must be a whole number from 0 to 100`);
    share = percent;
  } else if (fraction !== undefined) {
    const num = isRecord(fraction) ? fraction.numerator : undefined;
    const den = isRecord(fraction) ? (fraction.denominator ?? 100) : undefined;
    if (typeof num !== "number" || typeof den !== "number" || !Number.isInteger(num) || !Number.isInteger(den) || num < 0 || den < 1 || num > den) {
      return unsupported(`${field}.fraction needs whole numbers with 0 <= numerator <= denominator and denominator >= 1`);
    }
    share = (num * 100) / den;
  }
  return { backendRef: config.backendRef, field: `${field}.backendRef`, percent: share };
}

function extensionMessage(config: unknown, field: string, effect: string): string {
  const ref = isRecord(config) ? config : {};
  const gk = `${typeof ref.group === "string" && ref.group ? `${ref.group}/` : ""}${typeof ref.kind === "string" ? ref.kind : "?"}`;
  return `${field}: ExtensionRef to ${gk} ${quote(ref.name)} cannot be resolved: this gateway supports no extension filters; ${effect} HTTP 500`;
}

/** Applies one filter of a known type; returns a problem or undefined. */
function apply(out: RuleFilters, type: string, config: unknown, field: string): RuleProblem | undefined {
  const got =
    type === "RequestHeaderModifier" || type === "ResponseHeaderModifier"
      ? translateHeaderModifier(config, field)
      : type === "RequestRedirect"
        ? translateRedirect(config, field)
        : type === "URLRewrite"
          ? translateRewrite(config, field)
          : type === "CORS"
            ? translateCors(config, field)
            : undefined;
  if (type === "RequestMirror") {
    const m = mirrorOf(config, field);
    if ("ok" in m) return m;
    out.mirrors.push(m);
    return undefined;
  }
  if (type === "ExtensionRef") {
    out.extensionRefs.push(extensionMessage(config, field, "requests to this rule get"));
    return undefined;
  }
  if (!got) return unsupported(`${field}: filter type ${quote(type)} is not supported`);
  if (!got.ok) return unsupported(got.message);
  if (type === "RequestHeaderModifier") out.requestHeaders = got.value as HeaderModifierIR;
  else if (type === "ResponseHeaderModifier") out.responseHeaders = got.value as HeaderModifierIR;
  else if (type === "RequestRedirect") out.redirect = got.value as RedirectActionIR;
  else if (type === "URLRewrite") out.rewrite = got.value as NonNullable<ForwardActionIR["rewrite"]>;
  else out.cors = got.value as CorsIR;
  return undefined;
}

function prefixOnly(out: RuleFilters, matches: readonly RouteMatchIR[], field: string): RuleProblem | undefined {
  const usesPrefix = out.redirect?.path?.type === "ReplacePrefixMatch" || out.rewrite?.path?.type === "ReplacePrefixMatch";
  if (!usesPrefix || matches.every(m => m.path.type === "PathPrefix")) return undefined;
  return unsupported(`${field}: ReplacePrefixMatch needs every match of the rule to be a PathPrefix match`);
}

/** The filters of a rule, given the rule's translated matches. */
export function translateRuleFilters(filters: unknown, field: string, matches: readonly RouteMatchIR[]): { ok: true; value: RuleFilters } | RuleProblem {
  const out: RuleFilters = { mirrors: [], extensionRefs: [] };
  if (filters === undefined || filters === null) return { ok: true, value: out };
  if (!Array.isArray(filters)) return unsupported(`${field} must be a list`);
  if (filters.length > MAX_FILTERS) return unsupported(`${field} has ${filters.length} entries, more than ${MAX_FILTERS}`);
  const seen = new Set<string>();
  for (let i = 0; i < filters.length; i++) {
    const at = `${field}[${i}]`;
    const filter: unknown = filters[i];
    if (!isRecord(filter)) return unsupported(`${at} must be an object`);
    const type = filter.type;
    if (typeof type !== "string" || !(type in CONFIG_KEY)) return unsupported(`${at}.type ${quote(type)} is not a filter type this gateway supports`);
    if (seen.has(type) && !REPEATABLE.has(type)) return { ok: false, reason: "IncompatibleFilters", message: `${at}: ${type} may appear only once in a rule` };
    seen.add(type);
    const problem = apply(out, type, filter[CONFIG_KEY[type]], `${at}.${CONFIG_KEY[type]}`);
    if (problem) return problem;
  }
  if (out.redirect && out.rewrite) return { ok: false, reason: "IncompatibleFilters", message: `${field}: RequestRedirect and URLRewrite cannot be combined in one rule` };
  const prefix = prefixOnly(out, matches, field);
  return prefix ?? { ok: true, value: out };
}

export interface BackendFilters {
  requestHeaders?: HeaderModifierIR;
  responseHeaders?: HeaderModifierIR;
  /** Set when an ExtensionRef makes this backend unusable. */
  extensionRef?: string;
}

/** The filters of one backendRef: header modifiers only. */
export function translateBackendFilters(filters: unknown, field: string): { ok: true; value: BackendFilters } | RuleProblem {
  const out: BackendFilters = {};
  if (filters === undefined || filters === null) return { ok: true, value: out };
  if (!Array.isArray(filters) || filters.length > MAX_FILTERS) return unsupported(`${field} must be a list of at most ${MAX_FILTERS} filters`);
  for (let i = 0; i < filters.length; i++) {
    const at = `${field}[${i}]`;
    const filter: unknown = filters[i];
    const type = isRecord(filter) ? filter.type : undefined;
    if (!isRecord(filter) || typeof type !== "string") return unsupported(`${at} must be an object with a type`);
    if (type === "ExtensionRef") {
      out.extensionRef ??= extensionMessage(filter.extensionRef, `${at}.extensionRef`, "this backend's share of requests gets");
      continue;
    }
    if (type !== "RequestHeaderModifier" && type !== "ResponseHeaderModifier") {
      return unsupported(`${at}: filter type ${quote(type)} is not supported on a backendRef (use it on the rule)`);
    }
    const key = type === "RequestHeaderModifier" ? "requestHeaders" : "responseHeaders";
    if (out[key]) return { ok: false, reason: "IncompatibleFilters", message: `${at}: ${type} may appear only once on a backendRef` };
    const got = translateHeaderModifier(filter[CONFIG_KEY[type]], `${at}.${CONFIG_KEY[type]}`);
    if (!got.ok) return unsupported(got.message);
    out[key] = got.value;
  }
  return { ok: true, value: out };
}
