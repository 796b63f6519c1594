/**
 * Rule timeouts and retries.
 *
 * - timeouts.request → the route timeout (ForwardActionIR.timeoutMs), timeouts.backendRequest →
 *   the per-try timeout (backendTimeoutMs); "0s" disables a timeout (0 in the IR). A
 *   backendRequest longer than a non-zero request timeout is invalid (as the CRD says).
 * - retry (experimental channel): attempts → retries after the first try, codes → retriable
 *   status codes (400-599), backoff → the base interval. Without attempts, 2 retries (Envoy
 *   Gateway's default). Invalid values make the rule invalid (UnsupportedValue).
 */
import { isRecord, quote } from "../policy/report";
import type { ForwardActionIR } from "../ir/types";
import { parseDuration } from "./durations";
import type { Checked } from "./matches";

export const DEFAULT_RETRY_ATTEMPTS = 2;
const MAX_CODES = 64;

export interface RuleTimeouts {
  timeoutMs?: number;
  backendTimeoutMs?: number;
}

function duration(value: unknown, field: string): Checked<number | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  const ms = parseDuration(value);
  if (ms === undefined) return { ok: false, message: `${field} ${quote(value)} is not a Gateway API duration (e.g. 500ms, 10s, 1h2m)` };
  return { ok: true, value: ms };
}

export function translateTimeouts(timeouts: unknown, field: string): Checked<RuleTimeouts> {
  if (timeouts === undefined || timeouts === null) return { ok: true, value: {} };
  if (!isRecord(timeouts)) return { ok: false, message: `${field} must be an object` };
  const request = duration(timeouts.request, `${field}.request`);
  if (!request.ok) return request;
  const backend = duration(timeouts.backendRequest, `${field}.backendRequest`);
  if (!backend.ok) return backend;
  if (request.value !== undefined && request.value !== 0 && backend.value !== undefined && backend.value > request.value) {
    return { ok: false, message: `${field}.backendRequest cannot be longer than ${field}.request` };
  }
  const out: RuleTimeouts = {};
  if (request.value !== undefined) out.timeoutMs = request.value;
  if (backend.value !== undefined) out.backendTimeoutMs = backend.value;
  return { ok: true, value: out };
}

export function translateRetry(retry: unknown, field: string): Checked<ForwardActionIR["retry"]> {
  if (retry === undefined || retry === null) return { ok: true, value: undefined };
  if (!isRecord(retry)) return { ok: false, message: `${field} must be an object` };
  const attempts = retry.attempts ?? DEFAULT_RETRY_ATTEMPTS;
  if (typeof attempts !== "number" || !Number.isInteger(attempts) || attempts < 1 || attempts > 1_000) {
    return { ok: false, message: `${field}.attempts must be a whole number from 1 to 1000` };
  }
  const codes = retry.codes ?? [];
  if (!Array.isArray(codes) || codes.length > MAX_CODES || !codes.every(c => typeof c === "number" && Number.isInteger(c) && c >= 400 && c <= 599)) {
    return { ok: false, message: `${field}.codes must be a list of HTTP status codes from 400 to 599` };
  }
  const backoff = duration(retry.backoff, `${field}.backoff`);
  if (!backoff.ok) return backoff;
  const out: NonNullable<ForwardActionIR["retry"]> = { attempts, codes: [...new Set(codes as number[])].sort((a, b) => a - b) };
  if (backoff.value !== undefined) out.backoffMs = backoff.value;
  return { ok: true, value: out };
}
