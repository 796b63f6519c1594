/**
 * The CORS filter → CorsIR. Origins, methods and headers are kept as written (origins may hold
 * `*` wildcards, methods may be `*`); render turns them into Envoy's CORS policy. When maxAge is
 * not set, the spec asks for `Access-Control-Max-Age: 5`, so the IR carries 5.
 */
import { isRecord } from "../policy/report";
import type { CorsIR } from "../ir/types";
import type { Checked } from "./matches";

export const DEFAULT_CORS_MAX_AGE = 5;
/** The CRD allows up to 64 origins and headers, and 9 methods (plus `*`). */
const MAX_ITEMS = 64;

function strings(value: unknown, field: string): Checked<string[]> {
  if (value === undefined || value === null) return { ok: true, value: [] };
  if (!Array.isArray(value) || value.length > MAX_ITEMS || !value.every(v => typeof v === "string" && v !== "")) {
    return { ok: false, message: `${field} must be a list of at most ${MAX_ITEMS} non-empty strings` };
  }
  return { ok: true, value: [...new Set(value as string[])] };
}

export function translateCors(config: unknown, field: string): Checked<CorsIR> {
  if (!isRecord(config)) return { ok: false, message: `${field} must be an object` };
  const allowOrigins = strings(config.allowOrigins, `${field}.allowOrigins`);
  if (!allowOrigins.ok) return allowOrigins;
  const allowMethods = strings(config.allowMethods, `${field}.allowMethods`);
  if (!allowMethods.ok) return allowMethods;
  const allowHeaders = strings(config.allowHeaders, `${field}.allowHeaders`);
  if (!allowHeaders.ok) return allowHeaders;
  const exposeHeaders = strings(config.exposeHeaders, `${field}.exposeHeaders`);
  if (!exposeHeaders.ok) return exposeHeaders;
  const maxAge = config.maxAge ?? DEFAULT_CORS_MAX_AGE;
  if (typeof maxAge !== "number" || !Number.isInteger(maxAge) || maxAge < 1 || maxAge > 2_147_483_647) {
    return { ok: false, message: `${field}.maxAge must be a positive whole number of seconds` };
  }
  const allowCredentials = config.allowCredentials ?? false;
  if (typeof allowCredentials !== "boolean") return { ok: false, message: `${field}.allowCredentials must be true or false` };
  return {
    ok: true,
    value: {
      allowOrigins: allowOrigins.value,
      allowMethods: allowMethods.value,
      allowHeaders: allowHeaders.value,
      exposeHeaders: exposeHeaders.value,
      maxAgeSeconds: maxAge,
      allowCredentials,
    },
  };
}
