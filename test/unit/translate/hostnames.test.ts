import { describe, expect, it } from "vitest";
import {
  compareSpecificity,
  covers,
  effectiveHostnames,
  intersect,
  isValidHostname,
  routeHostnames,
} from "../../../src/translate/hostnames";

describe("hostname validity (the schemas' RFC 1123 pattern with an optional leading *.)", () => {
  it.each([
    ["example.com", true],
    ["*.example.com", true],
    ["a", true],
    ["*", false],
    ["foo.*.com", false],
    ["Example.com", false],
    ["-a.com", false],
    ["a..com", false],
    ["1.2.3.4", true], // the pattern allows it; IPs are excluded by a separate CEL rule on routes
    ["", false],
    [42, false],
  ])("%j → %s", (value, valid) => {
    expect(isValidHostname(value)).toBe(valid);
  });
});

describe("covers: every host q matches is matched by p", () => {
  it.each([
    ["*.example.com", "foo.example.com", true],
    ["*.example.com", "foo.bar.example.com", true], // the wildcard spans labels
    ["*.example.com", "example.com", false], // never the bare suffix
    ["*.example.com", "*.foo.example.com", true],
    ["*.foo.example.com", "*.example.com", false],
    ["*.example.com", "fooexample.com", false],
    ["foo.example.com", "*.example.com", false],
    ["foo.example.com", "foo.example.com", true],
    ["*", "anything.at.all", true],
    ["*", "*.example.com", true],
    ["*.example.com", "*", false],
  ])("covers(%s, %s) = %s", (p, q, want) => {
    expect(covers(p, q)).toBe(want);
  });
});

describe("intersect (HTTPRoute spec.hostnames examples)", () => {
  it.each([
    // A Listener with test.example.com matches routes with test.example.com or *.example.com.
    ["test.example.com", "test.example.com", "test.example.com"],
    ["test.example.com", "*.example.com", "test.example.com"],
    // A Listener with *.example.com matches *.example.com, test.example.com, foo.test.example.com ...
    ["*.example.com", "*.example.com", "*.example.com"],
    ["*.example.com", "test.example.com", "test.example.com"],
    ["*.example.com", "foo.test.example.com", "foo.test.example.com"],
    // ... but not example.com or test.example.net.
    ["*.example.com", "example.com", undefined],
    ["*.example.com", "test.example.net", undefined],
    // Wildcards narrow to the more specific one (listener isolation conformance comments).
    ["*.foo.example.com", "*.example.com", "*.foo.example.com"],
    ["abc.foo.example.com", "*.example.com", "abc.foo.example.com"],
    ["very.specific.com", "*.specific.com", "very.specific.com"],
  ])("%s ∩ %s = %s", (listener, route, want) => {
    expect(intersect(listener, route)).toBe(want);
    expect(intersect(route, listener)).toBe(want);
  });
});

describe("effectiveHostnames", () => {
  it("uses the listener hostname when the route has none, and * when neither has", () => {
    expect(effectiveHostnames("foo.com", routeHostnames(undefined))).toEqual(["foo.com"]);
    expect(effectiveHostnames(undefined, routeHostnames([]))).toEqual(["*"]);
  });

  it("keeps the route hostnames when the listener has none", () => {
    expect(effectiveHostnames(undefined, routeHostnames(["b.com", "*.a.com", "b.com"]))).toEqual(["b.com", "*.a.com"]);
  });

  it("drops route hostnames that do not match the listener (conformance: httproute-hostname-intersection)", () => {
    const route = routeHostnames(["non.matching.com", "wildcard.io", "foo.wildcard.io", "bar.wildcard.io", "foo.bar.wildcard.io"]);
    // Exact names have no order among themselves; code point order keeps the result deterministic.
    expect(effectiveHostnames("*.wildcard.io", route)).toEqual(["bar.wildcard.io", "foo.bar.wildcard.io", "foo.wildcard.io"]);
    expect(effectiveHostnames("very.specific.com", routeHostnames(["non.matching.com", "*.specific.com"]))).toEqual([
      "very.specific.com",
    ]);
  });

  it("is empty when nothing intersects, and for a route that gave only invalid hostnames", () => {
    expect(effectiveHostnames("*.wildcard.io", routeHostnames(["specific.but.wrong.com", "wildcard.io"]))).toEqual([]);
    expect(effectiveHostnames(undefined, routeHostnames(["Not_Valid"]))).toEqual([]);
  });
});

describe("compareSpecificity: exact, then wildcards with more labels, then *", () => {
  it("orders as the Gateway API listener precedence does", () => {
    const hosts = ["*", "*.example.com", "bar.com", "*.foo.example.com", "abc.foo.example.com"];
    expect([...hosts].sort(compareSpecificity)).toEqual(["abc.foo.example.com", "bar.com", "*.foo.example.com", "*.example.com", "*"]);
  });
});
