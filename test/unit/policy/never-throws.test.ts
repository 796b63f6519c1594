import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_REPORTED_VIOLATIONS,
  type PolicyLookup,
  type PolicyResult,
  checkBackendEndpoint,
  defaultBackend,
  defaultHTTPRoute,
  validateBackend,
  validateHTTPRoute,
  validateObject,
} from "../../../src/policy";
import { config } from "./helpers";

const REASONS = ["InvalidAddress", "InvalidHostname", "UnsupportedValue", "InvalidRegex", "InvalidObject"];

function wellFormed(r: PolicyResult): void {
  expect(Array.isArray(r.violations)).toBe(true);
  expect(r.violations.length).toBeLessThanOrEqual(MAX_REPORTED_VIOLATIONS + 1);
  for (const v of r.violations) {
    expect(typeof v.field).toBe("string");
    expect(typeof v.message).toBe("string");
    expect(REASONS).toContain(v.reason);
  }
  expect(r.warnings.every(w => typeof w === "string")).toBe(true);
}

/** A lookup that answers with arbitrary values, throws, or rejects, chosen by the generated seed. */
function chaoticLookup(answer: unknown, mode: number): PolicyLookup {
  return {
    service: () => {
      if (mode === 1) throw new Error("boom");
      if (mode === 2) return Promise.reject(answer);
      return answer as never;
    },
    referenceGrants: () => answer as never,
  };
}

// Objects shaped like the policy's inputs, with arbitrary values where fields are expected.
const junk = fc.anything({ maxDepth: 2 });
const backendLike = fc.record({
  apiVersion: fc.constant("gateway.envoyproxy.io/v1alpha1"),
  kind: fc.constant("Backend"),
  spec: fc.oneof(junk, fc.record({ endpoints: fc.oneof(junk, fc.array(fc.oneof(junk, fc.record({ fqdn: junk, ip: junk, unix: junk }, { requiredKeys: [] })), { maxLength: 4 })) })),
});
const routeLike = fc.record({
  apiVersion: fc.constant("gateway.networking.k8s.io/v1"),
  kind: fc.constant("HTTPRoute"),
  metadata: junk,
  spec: fc.oneof(
    junk,
    fc.record({
      rules: fc.oneof(
        junk,
        fc.array(
          fc.record(
            {
              matches: fc.oneof(junk, fc.array(fc.record({ path: junk, headers: junk, queryParams: junk }, { requiredKeys: [] }), { maxLength: 2 })),
              backendRefs: fc.oneof(junk, fc.array(fc.oneof(junk, fc.record({ name: junk, namespace: junk, kind: junk, group: junk, filters: junk }, { requiredKeys: [] })), { maxLength: 3 })),
              filters: fc.oneof(junk, fc.array(fc.record({ requestMirror: fc.oneof(junk, fc.record({ backendRef: junk })) }, { requiredKeys: [] }), { maxLength: 2 })),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      ),
    }),
  ),
});

describe("the policy never throws", () => {
  it("validateBackend and checkBackendEndpoint on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), backendLike), fc.integer({ min: 0, max: 63 }), (obj, i) => {
        wellFormed(validateBackend(obj, config()));
        expect(Array.isArray(checkBackendEndpoint(obj, i, config()))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("validateHTTPRoute and validateObject on arbitrary JSON with arbitrary lookups", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), routeLike, backendLike), junk, fc.integer({ min: 0, max: 2 }), async (obj, answer, mode) => {
        const lookup = chaoticLookup(answer, mode);
        wellFormed(await validateHTTPRoute(obj, lookup, config()));
        wellFormed(await validateObject(obj, lookup, config()));
      }),
      { numRuns: 400 },
    );
  });

  it("defaultBackend and defaultHTTPRoute on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), routeLike, backendLike), obj => {
        defaultBackend(obj as never);
        defaultHTTPRoute(obj as never);
      }),
      { numRuns: 400 },
    );
  });

  it("survives objects whose getters throw", async () => {
    const hostile = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      get spec(): unknown {
        throw new Error("getter");
      },
    };
    const r = await validateObject(hostile, chaoticLookup(undefined, 0), config());
    expect(r.violations.map(v => v.reason)).toEqual(["InvalidObject"]);
    const b = validateBackend({ get spec(): unknown { throw new Error("getter"); } }, config());
    expect(b.violations.map(v => v.reason)).toEqual(["InvalidObject"]);
  });
});
