import { describe, expect, it } from "vitest";
import { parseDuration } from "../../../src/translate/durations";
import { DEFAULT_RETRY_ATTEMPTS, translateRetry, translateTimeouts } from "../../../src/translate/timeouts";

describe("Gateway API durations (GEP-2257)", () => {
  it.each([
    ["0s", 0],
    ["1s", 1_000],
    ["500ms", 500],
    ["1h", 3_600_000],
    ["1m", 60_000],
    ["1h2m", 3_720_000],
    ["1h2m3s4ms", 3_723_004],
    ["2m500ms", 120_500],
    ["99999ms", 99_999],
  ])("%s = %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "1", "1d", "1.5s", "-1s", "100000s", "1h2m3s4ms5s", " 1s", "1S", "ms", 5, null])("rejects %j", text => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("rule timeouts", () => {
  it("maps request and backendRequest to milliseconds", () => {
    expect(translateTimeouts({ request: "10s", backendRequest: "2s" }, "t")).toEqual({ ok: true, value: { timeoutMs: 10_000, backendTimeoutMs: 2_000 } });
    expect(translateTimeouts(undefined, "t")).toEqual({ ok: true, value: {} });
  });

  it("allows any backendRequest under a disabled (0s) request timeout, refuses one longer than the request timeout", () => {
    expect(translateTimeouts({ request: "0s", backendRequest: "1h" }, "t")).toEqual({ ok: true, value: { timeoutMs: 0, backendTimeoutMs: 3_600_000 } });
    expect(translateTimeouts({ request: "1s", backendRequest: "2s" }, "t")).toEqual({ ok: false, message: "t.backendRequest cannot be longer than t.request" });
  });

  it("names the field of a malformed duration", () => {
    expect(translateTimeouts({ backendRequest: "5 seconds" }, "spec.rules[0].timeouts")).toEqual({
      ok: false,
      message: 'spec.rules[0].timeouts.backendRequest "5 seconds" is not a Gateway API duration (e.g. 500ms, 10s, 1h2m)',
    });
  });
});

describe("rule retries", () => {
  it("keeps attempts, codes (sorted, unique) and backoff", () => {
    expect(translateRetry({ attempts: 3, codes: [503, 500, 503], backoff: "100ms" }, "r")).toEqual({ ok: true, value: { attempts: 3, codes: [500, 503], backoffMs: 100 } });
  });

  it("retries twice when attempts is not set", () => {
    expect(translateRetry({ codes: [500] }, "r")).toEqual({ ok: true, value: { attempts: DEFAULT_RETRY_ATTEMPTS, codes: [500] } });
    expect(DEFAULT_RETRY_ATTEMPTS).toBe(2);
  });

  it.each([{ attempts: 0 }, { attempts: 1.5 }, { codes: [399] }, { codes: [600] }, { codes: "500" }, { backoff: "soon" }, "x"])("refuses %j", retry => {
    expect(translateRetry(retry, "r").ok).toBe(false);
  });
});
