import { describe, expect, it } from "vitest";
import { MAX_OBJECT_VALUES, countValues, sizeViolation, validateObject } from "../../../src/policy";
import { config } from "./helpers";

describe("countValues", () => {
  it("counts every object, list and scalar once", () => {
    expect(countValues(1)).toBe(1);
    expect(countValues({})).toBe(1);
    expect(countValues({ a: 1, b: [1, 2, { c: null }] })).toBe(7); // root, a, b, 1, 2, {c}, null
  });

  it("stops just past the limit instead of walking everything", () => {
    const big = Array.from({ length: 100_000 }, () => ({ x: 1 }));
    expect(countValues(big, 50)).toBe(51);
  });
});

describe("sizeViolation", () => {
  it("lets a large real-world HTTPRoute through (16 rules of 8 matches with headers and query params)", () => {
    const match = { path: { type: "PathPrefix", value: "/api" }, headers: [{ name: "x-a", value: "1" }, { name: "x-b", value: "2" }], queryParams: [{ name: "q", value: "1" }] };
    const rule = { matches: Array.from({ length: 8 }, () => match), backendRefs: [{ name: "a", port: 80 }, { name: "b", port: 80 }] };
    const route = { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "r" }, spec: { rules: Array.from({ length: 16 }, () => rule) } };
    expect(countValues(route)).toBeLessThan(MAX_OBJECT_VALUES);
    expect(sizeViolation(route)).toBeUndefined();
  });

  it("denies through validateObject what is over the bound, naming the object root", async () => {
    const endpoints = Array.from({ length: 5_000 }, () => ({ ip: { address: "192.0.2.1", port: 80 } }));
    const backend = { apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "Backend", metadata: { name: "b" }, spec: { endpoints } };
    const res = await validateObject(backend, { service: () => undefined }, config());
    expect(res.violations).toHaveLength(1);
    expect(res.violations[0].field).toBe("(root)");
    expect(res.violations[0].message).toMatch(/more than 10000 values/);
  });

  it("leaves kinds without rules alone, whatever their size", async () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, "v"])) };
    expect((await validateObject(cm, { service: () => undefined }, config())).violations).toEqual([]);
  });
});
