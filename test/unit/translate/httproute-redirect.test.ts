import { describe, expect, it } from "vitest";
import type { RedirectActionIR, RouteIR } from "../../../src/ir/types";
import { translateHTTPRoute } from "../../../src/translate/httproute";
import { bindRouteToListener, isWellKnownPort } from "../../../src/translate/redirect";
import { INFRA, conformanceObjects, ctxOf, route } from "./route-fixtures";

/** scheme://host[:port] of the Location header a bound redirect produces (port left out when well known). */
function location(r: RouteIR): string {
  const a = r.action as RedirectActionIR;
  const scheme = a.scheme as string;
  const port = a.port as number;
  return `${scheme}://${a.hostname}${isWellKnownPort(scheme, port) ? "" : `:${port}`}`;
}

function redirectRoute(requestRedirect: Record<string, unknown>): RouteIR {
  const t = translateHTTPRoute(ctxOf([]), route({ rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { hostname: "example.org", ...requestRedirect } }] }] }));
  return t.routes[0].ir;
}

describe("bindRouteToListener: the RequestRedirect port rules", () => {
  it.each([
    // port set: that port
    [{ port: 8083 }, { port: 80, protocol: "HTTP" }, "http", 8083],
    [{ scheme: "https", port: 8443 }, { port: 80, protocol: "HTTP" }, "https", 8443],
    // port unset, scheme set: the scheme's well-known port
    [{ scheme: "https" }, { port: 8080, protocol: "HTTP" }, "https", 443],
    [{ scheme: "http" }, { port: 8443, protocol: "HTTPS" }, "http", 80],
    // port and scheme unset: the listener's port and protocol
    [{}, { port: 8080, protocol: "HTTP" }, "http", 8080],
    [{}, { port: 443, protocol: "HTTPS" }, "https", 443],
  ] as const)("%j on %j → %s port %i", (config, listener, scheme, port) => {
    const bound = bindRouteToListener(redirectRoute(config), listener);
    expect(bound.action).toMatchObject({ kind: "redirect", scheme, port });
  });

  it.each([
    // A scheme's well-known port on a listener on its own well-known port: no port in Location
    // (the spec: do not add 80 for http or 443 for https; Envoy strips the old default port itself).
    [{ scheme: "https" }, { port: 80, protocol: "HTTP" }, true],
    [{}, { port: 80, protocol: "HTTP" }, true],
    [{ scheme: "http" }, { port: 443, protocol: "HTTPS" }, true],
    [{ port: 443, scheme: "https" }, { port: 80, protocol: "HTTP" }, true],
    // On another listener port the port is written out, so the request's Host port (e.g. :8080)
    // cannot leak into a redirect to another scheme.
    [{ scheme: "https" }, { port: 8080, protocol: "HTTP" }, false],
    [{}, { port: 8080, protocol: "HTTP" }, false],
    // A port that is not the scheme's well-known one is always written.
    [{ port: 8443, scheme: "https" }, { port: 80, protocol: "HTTP" }, false],
  ] as const)("%j on %j: Location without a port is %s", (config, listener, omit) => {
    const action = bindRouteToListener(redirectRoute(config), listener).action as RedirectActionIR;
    expect(action.omitPort === true).toBe(omit);
  });

  it("leaves routes that are not redirects untouched (same object) and never modifies its input", () => {
    const ctx = ctxOf([]);
    const forward = translateHTTPRoute(ctx, route({ rules: [{}] })).routes[0].ir;
    expect(bindRouteToListener(forward, { port: 80, protocol: "HTTP" })).toBe(forward);
    const r = redirectRoute({});
    const before = JSON.stringify(r);
    bindRouteToListener(r, { port: 8080, protocol: "HTTP" });
    expect(JSON.stringify(r)).toBe(before);
  });
});

describe("httproute-redirect-port-and-scheme: Location scheme, host and port as the suite expects", () => {
  const ctx = ctxOf(conformanceObjects("base", "httproute-redirect-port-and-scheme"));
  const listeners: Record<string, { port: number; protocol: "HTTP" | "HTTPS" }> = {
    "http-route-for-listener-on-port-80": { port: 80, protocol: "HTTP" },
    "http-route-for-listener-on-port-8080": { port: 8080, protocol: "HTTP" },
    "http-route-for-listener-on-port-443": { port: 443, protocol: "HTTPS" },
  };
  const locations = new Map<string, string>();
  for (const [name, listener] of Object.entries(listeners)) {
    const r = ctx.store.get("HTTPRoute", INFRA, name);
    for (const ranked of translateHTTPRoute(ctx, r as never).routes) {
      locations.set(`${listener.port}${ranked.ir.match.path.value}`, location(bindRouteToListener(ranked.ir, listener)));
    }
  }

  it.each([
    ["80/scheme-nil-and-port-nil", "http://example.org"],
    ["80/scheme-nil-and-port-80", "http://example.org"],
    ["80/scheme-nil-and-port-8080", "http://example.org:8080"],
    ["80/scheme-https-and-port-nil", "https://example.org"],
    ["80/scheme-https-and-port-443", "https://example.org"],
    ["80/scheme-https-and-port-8443", "https://example.org:8443"],
    ["8080/scheme-nil-and-port-nil", "http://example.org:8080"],
    ["8080/scheme-nil-and-port-80", "http://example.org"],
    ["8080/scheme-https-and-port-nil", "https://example.org"],
    ["443/scheme-nil-and-port-nil", "https://example.org"],
    ["443/scheme-nil-and-port-443", "https://example.org"],
    ["443/scheme-nil-and-port-8443", "https://example.org:8443"],
    ["443/scheme-http-and-port-nil", "http://example.org"],
    ["443/scheme-http-and-port-80", "http://example.org"],
    ["443/scheme-http-and-port-8080", "http://example.org:8080"],
  ])("%s → %s", (key, expected) => {
    expect(locations.get(key)).toBe(expected);
  });
});
