import { describe, expect, it } from "vitest";
import type { RouteMatchIR } from "../../../src/ir/types";
import { translateBackendFilters, translateRuleFilters } from "../../../src/translate/filters";
import { defaultMatch } from "../../../src/translate/matches";

const prefix: RouteMatchIR[] = [defaultMatch()];
const exact: RouteMatchIR[] = [{ path: { type: "Exact", value: "/a" }, headers: [], queryParams: [] }];

function filters(list: unknown, matches: RouteMatchIR[] = prefix) {
  const r = translateRuleFilters(list, "spec.rules[0].filters", matches);
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}: ${r.message}`);
  return r.value;
}

function problem(list: unknown, matches: RouteMatchIR[] = prefix) {
  const r = translateRuleFilters(list, "spec.rules[0].filters", matches);
  if (r.ok) throw new Error("expected a problem");
  return r;
}

describe("header modifiers", () => {
  it("keeps set, add and remove; a second set of the same name in another case is dropped", () => {
    const f = filters([
      {
        type: "RequestHeaderModifier",
        requestHeaderModifier: {
          set: [{ name: "X-Header-Set", value: "set-overwrites-values" }, { name: "x-header-set", value: "ignored" }],
          add: [{ name: "X-Header-Add", value: "a" }, { name: "X-Header-Add", value: "b" }],
          remove: ["X-Header-Remove", "x-header-remove"],
        },
      },
      { type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ name: "X-Resp", value: "1" }] } },
    ]);
    expect(f.requestHeaders).toEqual({
      set: [{ name: "X-Header-Set", value: "set-overwrites-values" }],
      add: [{ name: "X-Header-Add", value: "a" }, { name: "X-Header-Add", value: "b" }],
      remove: ["X-Header-Remove"],
    });
    expect(f.responseHeaders).toEqual({ set: [{ name: "X-Resp", value: "1" }], add: [], remove: [] });
  });

  it.each([
    ["a pseudo-header", { set: [{ name: ":authority", value: "x" }] }],
    ["a name with a space", { add: [{ name: "a b", value: "x" }] }],
    ["a value that is not a string", { set: [{ name: "a", value: 1 }] }],
    ["remove not a list", { remove: "a" }],
    ["17 entries", { add: Array.from({ length: 17 }, (_, i) => ({ name: `h${i}`, value: "v" })) }],
  ])("rejects %s (UnsupportedValue)", (_what, config) => {
    expect(problem([{ type: "RequestHeaderModifier", requestHeaderModifier: config }]).reason).toBe("UnsupportedValue");
  });
});

describe("RequestRedirect and URLRewrite", () => {
  it("defaults the status code to 302 and keeps scheme, hostname, port and path", () => {
    expect(filters([{ type: "RequestRedirect", requestRedirect: {} }]).redirect).toEqual({ kind: "redirect", statusCode: 302 });
    const f = filters([
      { type: "RequestRedirect", requestRedirect: { scheme: "https", hostname: "example.org", port: 8443, statusCode: 301, path: { type: "ReplaceFullPath", replaceFullPath: "/new" } } },
    ]);
    expect(f.redirect).toEqual({ kind: "redirect", scheme: "https", hostname: "example.org", port: 8443, statusCode: 301, path: { type: "ReplaceFullPath", value: "/new" } });
  });

  it.each([301, 302, 303, 307, 308])("accepts status code %i", code => {
    expect(filters([{ type: "RequestRedirect", requestRedirect: { statusCode: code } }]).redirect?.statusCode).toBe(code);
  });

  it.each([
    ["status 304", { statusCode: 304 }],
    ["scheme ftp", { scheme: "ftp" }],
    ["a hostname with a port", { hostname: "example.org:80" }],
    ["a wildcard hostname", { hostname: "*.example.org" }],
    ["port 0", { port: 0 }],
    ["a path type without its value", { path: { type: "ReplaceFullPath" } }],
    ["an unknown path type", { path: { type: "ReplaceRegex", replaceFullPath: "/" } }],
  ])("rejects a redirect with %s (UnsupportedValue)", (_what, config) => {
    expect(problem([{ type: "RequestRedirect", requestRedirect: config }]).reason).toBe("UnsupportedValue");
  });

  it("keeps a URL rewrite of hostname and prefix", () => {
    const f = filters([{ type: "URLRewrite", urlRewrite: { hostname: "www.httpbin.org", path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/xyz" } } }]);
    expect(f.rewrite).toEqual({ hostname: "www.httpbin.org", path: { type: "ReplacePrefixMatch", value: "/xyz" } });
  });

  it("refuses ReplacePrefixMatch when a match of the rule is not a PathPrefix match", () => {
    const rewrite = [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/x" } } }];
    expect(problem(rewrite, exact).reason).toBe("UnsupportedValue");
    const redirect = [{ type: "RequestRedirect", requestRedirect: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/x" } } }];
    expect(problem(redirect, [...prefix, ...exact]).message).toMatch(/ReplacePrefixMatch needs every match/);
    // ReplaceFullPath is fine with any match type
    expect(filters([{ type: "URLRewrite", urlRewrite: { path: { type: "ReplaceFullPath", replaceFullPath: "/x" } } }], exact).rewrite?.path?.type).toBe("ReplaceFullPath");
  });
});

describe("incompatible and unsupported filters", () => {
  it("refuses RequestRedirect with URLRewrite (IncompatibleFilters)", () => {
    const p = problem([
      { type: "RequestRedirect", requestRedirect: { scheme: "https" } },
      { type: "URLRewrite", urlRewrite: { hostname: "a.example" } },
    ]);
    expect(p.reason).toBe("IncompatibleFilters");
  });

  it.each(["RequestHeaderModifier", "ResponseHeaderModifier", "URLRewrite", "CORS"])("refuses %s twice in a rule (IncompatibleFilters)", type => {
    const key = { RequestHeaderModifier: "requestHeaderModifier", ResponseHeaderModifier: "responseHeaderModifier", URLRewrite: "urlRewrite", CORS: "cors" }[type] as string;
    expect(problem([{ type, [key]: {} }, { type, [key]: {} }]).reason).toBe("IncompatibleFilters");
  });

  it.each([["an unknown type", { type: "RateLimit" }], ["a type without its configuration", { type: "URLRewrite" }], ["no type", {}], ["a string", "RequestMirror"]])(
    "refuses %s (UnsupportedValue)",
    (_what, filter) => {
      expect(problem([filter]).reason).toBe("UnsupportedValue");
    },
  );

  it("turns an ExtensionRef into an unresolvable reference, not a rule problem", () => {
    const f = filters([{ type: "ExtensionRef", extensionRef: { group: "example.net", kind: "MyFilter", name: "f" } }, { type: "ExtensionRef", extensionRef: { group: "", kind: "X", name: "g" } }]);
    expect(f.extensionRefs).toHaveLength(2);
    expect(f.extensionRefs[0]).toMatch(/^spec\.rules\[0\]\.filters\[0\]\.extensionRef: ExtensionRef to example\.net\/MyFilter "f" cannot be resolved/);
  });
});

describe("RequestMirror", () => {
  it.each([
    [{}, 100],
    [{ percent: 20 }, 20],
    [{ percent: 0 }, 0],
    [{ fraction: { numerator: 25, denominator: 50 } }, 50],
    [{ fraction: { numerator: 1 } }, 1], // denominator defaults to 100
    [{ fraction: { numerator: 1, denominator: 3 } }, 100 / 3],
  ])("mirrors %j as %d percent", (share, percent) => {
    const f = filters([{ type: "RequestMirror", requestMirror: { backendRef: { name: "m", port: 8080 }, ...share } }]);
    expect(f.mirrors).toEqual([{ backendRef: { name: "m", port: 8080 }, field: "spec.rules[0].filters[0].requestMirror.backendRef", percent }]);
  });

  it("allows several mirrors", () => {
    const f = filters([
      { type: "RequestMirror", requestMirror: { backendRef: { name: "a", port: 1 } } },
      { type: "RequestMirror", requestMirror: { backendRef: { name: "b", port: 2 } } },
    ]);
    expect(f.mirrors.map(m => (m.backendRef as { name: string }).name)).toEqual(["a", "b"]);
  });

  it.each([
    ["percent and fraction", { percent: 1, fraction: { numerator: 1 } }],
    ["percent over 100", { percent: 101 }],
    ["numerator over denominator", { fraction: { numerator: 3, denominator: 2 } }],
    ["denominator 0", { fraction: { numerator: 0, denominator: 0 } }],
  ])("refuses %s", (_what, share) => {
    expect(problem([{ type: "RequestMirror", requestMirror: { backendRef: { name: "m", port: 1 }, ...share } }]).reason).toBe("UnsupportedValue");
  });
});

describe("CORS", () => {
  it("keeps the conformance configuration and defaults maxAge to 5 seconds", () => {
    const f = filters([
      {
        type: "CORS",
        cors: {
          allowOrigins: ["https://www.foo.com", "https://*.bar.com"],
          allowMethods: ["GET", "OPTIONS"],
          allowHeaders: ["x-header-1", "x-header-2"],
          exposeHeaders: ["x-header-3", "x-header-4"],
          allowCredentials: true,
          maxAge: 3600,
        },
      },
    ]);
    expect(f.cors).toEqual({
      allowOrigins: ["https://www.foo.com", "https://*.bar.com"],
      allowMethods: ["GET", "OPTIONS"],
      allowHeaders: ["x-header-1", "x-header-2"],
      exposeHeaders: ["x-header-3", "x-header-4"],
      maxAgeSeconds: 3600,
      allowCredentials: true,
    });
    expect(filters([{ type: "CORS", cors: { allowOrigins: ["*"] } }]).cors).toEqual({
      allowOrigins: ["*"],
      allowMethods: [],
      allowHeaders: [],
      exposeHeaders: [],
      maxAgeSeconds: 5,
      allowCredentials: false,
    });
  });

  it.each([{ maxAge: 0 }, { allowCredentials: "yes" }, { allowOrigins: "*" }])("refuses %j", cors => {
    expect(problem([{ type: "CORS", cors }]).reason).toBe("UnsupportedValue");
  });
});

describe("backendRef filters", () => {
  it("keeps request and response header modifiers", () => {
    const r = translateBackendFilters(
      [
        { type: "RequestHeaderModifier", requestHeaderModifier: { add: [{ name: "X-Backend", value: "v1" }] } },
        { type: "ResponseHeaderModifier", responseHeaderModifier: { remove: ["Server"] } },
      ],
      "f",
    );
    expect(r).toEqual({
      ok: true,
      value: { requestHeaders: { set: [], add: [{ name: "X-Backend", value: "v1" }], remove: [] }, responseHeaders: { set: [], add: [], remove: ["Server"] } },
    });
  });

  it("refuses other filter types there, and notes an ExtensionRef", () => {
    expect(translateBackendFilters([{ type: "URLRewrite", urlRewrite: {} }], "f")).toMatchObject({ ok: false, reason: "UnsupportedValue" });
    const ext = translateBackendFilters([{ type: "ExtensionRef", extensionRef: { group: "x.io", kind: "K", name: "n" } }], "f");
    expect(ext.ok && ext.value.extensionRef).toMatch(/cannot be resolved/);
  });
});
