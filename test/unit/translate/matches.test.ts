import { describe, expect, it } from "vitest";
import { defaultMatch, normalizePrefix, translateMatch, translateMatches, translatePath } from "../../../src/translate/matches";

const ok = <T>(r: { ok: true; value: T } | { ok: false; message: string }): T => {
  if (!r.ok) throw new Error(`expected ok, got: ${r.message}`);
  return r.value;
};

describe("path matches", () => {
  it.each([
    // HTTPPathMatch defaults: type PathPrefix, value "/"
    [undefined, { type: "PathPrefix", value: "/" }],
    [{}, { type: "PathPrefix", value: "/" }],
    [{ value: "/foo" }, { type: "PathPrefix", value: "/foo" }],
    [{ type: "Exact", value: "/foo/" }, { type: "Exact", value: "/foo/" }],
    // PathPrefix: "a trailing / is ignored" (PathMatchPathPrefix)
    [{ type: "PathPrefix", value: "/foo/" }, { type: "PathPrefix", value: "/foo" }],
    [{ type: "PathPrefix", value: "/" }, { type: "PathPrefix", value: "/" }],
    [{ type: "RegularExpression", value: "/v[0-9]+/.*" }, { type: "RegularExpression", value: "/v[0-9]+/.*" }],
  ])("%j → %j", (path, expected) => {
    expect(ok(translatePath(path, "p"))).toEqual(expected);
  });

  it.each([
    ["relative path", { type: "Exact", value: "foo" }],
    ["double slash", { type: "PathPrefix", value: "/a//b" }],
    ["dot segment", { type: "PathPrefix", value: "/a/./b" }],
    ["dot-dot segment", { type: "Exact", value: "/a/../b" }],
    ["encoded slash", { type: "PathPrefix", value: "/a%2fb" }],
    ["encoded slash upper", { type: "PathPrefix", value: "/a%2Fb" }],
    ["fragment", { type: "Exact", value: "/a#b" }],
    ["trailing /..", { type: "Exact", value: "/a/.." }],
    ["trailing /.", { type: "Exact", value: "/a/." }],
    ["space", { type: "Exact", value: "/a b" }],
    ["unknown type", { type: "Prefix", value: "/" }],
    ["non-string value", { type: "Exact", value: 3 }],
    ["lookahead (not RE2)", { type: "RegularExpression", value: "/(?=a)" }],
    ["backreference (not RE2)", { type: "RegularExpression", value: "(a)\\1" }],
    ["not an object", "/foo"],
  ])("rejects %s", (_what, path) => {
    expect(translatePath(path, "p").ok).toBe(false);
  });

  it("keeps / when normalising prefixes and strips repeated trailing slashes", () => {
    expect(normalizePrefix("/")).toBe("/");
    expect(normalizePrefix("/abc/")).toBe("/abc");
    expect(normalizePrefix("/abc")).toBe("/abc");
  });
});

describe("header, query parameter and method matches", () => {
  it("lower-cases header names and keeps only the first entry per name (case-insensitive)", () => {
    const m = ok(
      translateMatch({ headers: [{ name: "Version", value: "one" }, { name: "version", value: "two" }, { name: "X-Other", type: "RegularExpression", value: "a.*" }] }, "m"),
    );
    expect(m.headers).toEqual([
      { name: "version", type: "Exact", value: "one" },
      { name: "x-other", type: "RegularExpression", value: "a.*" },
    ]);
  });

  it("treats query parameter names as exact strings, first entry per name wins", () => {
    const m = ok(translateMatch({ queryParams: [{ name: "a", value: "1" }, { name: "A", value: "2" }, { name: "a", value: "3" }] }, "m"));
    expect(m.queryParams).toEqual([
      { name: "a", type: "Exact", value: "1" },
      { name: "A", type: "Exact", value: "2" },
    ]);
  });

  it.each(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"])("accepts method %s", method => {
    expect(ok(translateMatch({ method }, "m")).method).toBe(method);
  });

  it.each([
    ["lower-case method", { method: "get" }],
    ["unknown method", { method: "FETCH" }],
    ["pseudo-header name", { headers: [{ name: ":path", value: "/" }] }],
    ["empty header value", { headers: [{ name: "a", value: "" }] }],
    ["header type Prefix", { headers: [{ name: "a", type: "Prefix", value: "x" }] }],
    ["invalid header regex", { headers: [{ name: "a", type: "RegularExpression", value: "(?<=x)" }] }],
    ["query name with space", { queryParams: [{ name: "a b", value: "x" }] }],
    ["17 headers", { headers: Array.from({ length: 17 }, (_, i) => ({ name: `h${i}`, value: "v" })) }],
    ["headers not a list", { headers: { name: "a", value: "b" } }],
  ])("rejects %s", (_what, match) => {
    expect(translateMatch(match, "m").ok).toBe(false);
  });

  it("gives a match without a method no method", () => {
    expect(ok(translateMatch({ path: { value: "/x" } }, "m"))).toEqual({ path: { type: "PathPrefix", value: "/x" }, headers: [], queryParams: [] });
  });
});

describe("the matches of a rule", () => {
  it("defaults to a PathPrefix / match when none are listed", () => {
    expect(ok(translateMatches(undefined, "ms"))).toEqual([defaultMatch()]);
    expect(ok(translateMatches([], "ms"))).toEqual([{ path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [] }]);
  });

  it("keeps every match in order", () => {
    const ms = ok(translateMatches([{ path: { type: "Exact", value: "/a" } }, { headers: [{ name: "v", value: "2" }] }], "ms"));
    expect(ms.map(m => m.path)).toEqual([
      { type: "Exact", value: "/a" },
      { type: "PathPrefix", value: "/" },
    ]);
    expect(ms[1].headers).toEqual([{ name: "v", type: "Exact", value: "2" }]);
  });

  it("rejects more than 64 matches and a non-list, naming the field", () => {
    const many = translateMatches(Array.from({ length: 65 }, () => ({})), "spec.rules[0].matches");
    expect(many).toEqual({ ok: false, message: "spec.rules[0].matches has 65 entries, more than 64" });
    expect(translateMatches("x", "ms").ok).toBe(false);
  });

  it("reports the path of the first bad match", () => {
    const r = translateMatches([{}, { path: { type: "Exact", value: "nope" } }], "spec.rules[2].matches");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^spec\.rules\[2\]\.matches\[1\]\.path\.value "nope" must start with \//);
  });
});
