/**
 * The admission server's beforeHook: objects over the policy's size bound reach the bindings as
 * stand-ins (so Pepr never copies them), ordinary objects reach them untouched.
 */
import { describe, expect, it } from "vitest";
import { OVERSIZED, guardOversized, oversizedMark } from "../../../capabilities/guard";

type Obj = Record<string, unknown>;

const route = (headers: number, hostname = "www.example.com"): Obj => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: "web", namespace: "default", uid: "u1", annotations: { a: "b" } },
  spec: { hostnames: [hostname], rules: [{ matches: [{ headers: Array.from({ length: headers }, (_, i) => ({ name: `h${i}`, value: "v" })) }] }] },
});

describe("guardOversized", () => {
  it("leaves ordinary objects as they are (the same object, not a copy)", () => {
    const object = route(10);
    const request: Obj = { operation: "CREATE", object, oldObject: null };
    guardOversized(request);
    expect(request.object).toBe(object);
    expect(request.oldObject).toBeNull();
  });

  it("replaces an object over the bound by a stand-in keeping its identity and a digest of its spec", () => {
    const request: Obj = { operation: "CREATE", object: route(5_000) };
    guardOversized(request);
    const standIn = request.object as Obj;
    expect(standIn.spec).toBeUndefined();
    expect(standIn.metadata).toEqual({ name: "web", namespace: "default", uid: "u1" });
    expect(standIn.kind).toBe("HTTPRoute");
    const mark = oversizedMark(standIn);
    expect(mark?.values).toBeGreaterThan(10_000);
    expect(mark?.specDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(OVERSIZED in standIn).toBe(true);
  });

  it("replaces object and oldObject independently; equal specs give equal digests", () => {
    const request: Obj = { operation: "UPDATE", object: route(5_000), oldObject: route(5_000) };
    guardOversized(request);
    expect(oversizedMark(request.object)?.specDigest).toBe(oversizedMark(request.oldObject)?.specDigest);

    const changed: Obj = { operation: "UPDATE", object: route(5_000, "other.example.com"), oldObject: route(5_000) };
    guardOversized(changed);
    expect(oversizedMark(changed.object)?.specDigest).not.toBe(oversizedMark(changed.oldObject)?.specDigest);

    const shrinking: Obj = { operation: "UPDATE", object: route(3), oldObject: route(5_000) };
    guardOversized(shrinking);
    expect(oversizedMark(shrinking.object)).toBeUndefined();
    expect(oversizedMark(shrinking.oldObject)).toBeDefined();
  });

  it("never throws, whatever the request holds", () => {
    for (const request of [{}, { object: 5 }, { object: [1, 2] }, { object: null, oldObject: "x" }]) {
      expect(() => guardOversized(request)).not.toThrow();
    }
  });
});
