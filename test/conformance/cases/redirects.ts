/**
 * RequestRedirect: status codes, hostname, path (ReplaceFullPath / ReplacePrefixMatch), port and
 * scheme, alone and combined, on HTTP listeners on 80 and 8080 and an HTTPS listener on 443. All
 * requests are sent without following the redirect; an unset expected port means "the scheme's
 * default or none", an unset host means "whatever came back", an unset scheme the request's.
 */
import type { ConformanceCase, RequestCase } from "./types";
import { HTTPS_GW, INFRA, SAME, ns, ready } from "./helpers";

function redirect(gateway: string, path: string, code: number, to: { scheme?: string; host?: string; port?: string; path?: string }, more: Partial<RequestCase> = {}): RequestCase {
  return { gateway, path, ...more, expect: { status: [code], redirect: to, namespace: INFRA } };
}

const GW8080 = `${INFRA}/same-namespace-with-http-listener-on-8080`;
const tls = { scheme: "https" as const, host: "example.org", sni: "example.org" };

export const redirectCases: ConformanceCase[] = [
  {
    name: "HTTPRoute303Redirect",
    features: ["Gateway", "HTTPRoute", "HTTPRoute303RedirectStatusCode"],
    manifests: ["httproute-303-redirect.yaml"],
    steps: [{ status: ready(SAME, ns("303-redirect")), requests: [redirect(SAME, "/see-other", 303, { path: "/see-other" }, { method: "POST" })] }],
  },
  {
    name: "HTTPRoute307Redirect",
    features: ["Gateway", "HTTPRoute", "HTTPRoute307RedirectStatusCode"],
    manifests: ["httproute-307-redirect.yaml"],
    steps: [{ status: ready(SAME, ns("307-redirect")), requests: [redirect(SAME, "/temporary", 307, { path: "/temporary" })] }],
  },
  {
    name: "HTTPRoute308Redirect",
    features: ["Gateway", "HTTPRoute", "HTTPRoute308RedirectStatusCode"],
    manifests: ["httproute-308-redirect.yaml"],
    steps: [{ status: ready(SAME, ns("308-redirect")), requests: [redirect(SAME, "/permanent", 308, { path: "/permanent" })] }],
  },
  {
    name: "HTTPRouteRedirectHostAndStatus",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-redirect-host-and-status.yaml"],
    steps: [
      {
        status: ready(SAME, ns("redirect-host-and-status")),
        requests: [redirect(SAME, "/hostname-redirect", 302, { host: "example.org" }), redirect(SAME, "/host-and-status", 301, { host: "example.org" })],
      },
    ],
  },
  {
    name: "HTTPRouteRedirectPath",
    features: ["Gateway", "HTTPRoute", "HTTPRoutePathRedirect"],
    manifests: ["httproute-redirect-path.yaml"],
    steps: [
      {
        status: ready(SAME, ns("redirect-path")),
        requests: [
          redirect(SAME, "/original-prefix/lemon", 302, { path: "/replacement-prefix/lemon" }),
          redirect(SAME, "/full/path/original", 302, { path: "/full-path-replacement" }),
          redirect(SAME, "/path-and-host", 302, { host: "example.org", path: "/replacement-prefix" }),
          redirect(SAME, "/path-and-status", 301, { path: "/replacement-prefix" }),
          redirect(SAME, "/full-path-and-host", 302, { host: "example.org", path: "/replacement-full" }),
          redirect(SAME, "/full-path-and-status", 301, { path: "/replacement-full" }),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteRedirectPort",
    features: ["Gateway", "HTTPRoute", "HTTPRoutePortRedirect"],
    manifests: ["httproute-redirect-port.yaml"],
    steps: [
      {
        status: ready(SAME, ns("redirect-port")),
        requests: [
          redirect(SAME, "/port", 302, { port: "8083" }),
          redirect(SAME, "/port-and-host", 302, { host: "example.org", port: "8083" }),
          redirect(SAME, "/port-and-status", 301, { port: "8083" }),
          redirect(SAME, "/port-and-host-and-status", 302, { port: "8083", host: "example.org" }),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteRedirectScheme",
    features: ["Gateway", "HTTPRoute", "HTTPRouteSchemeRedirect"],
    manifests: ["httproute-redirect-scheme.yaml"],
    steps: [
      {
        status: ready(SAME, ns("redirect-scheme")),
        requests: [
          redirect(SAME, "/scheme", 302, { scheme: "https" }),
          redirect(SAME, "/scheme-and-host", 302, { host: "example.org", scheme: "https" }),
          redirect(SAME, "/scheme-and-status", 301, { scheme: "https" }),
          redirect(SAME, "/scheme-and-host-and-status", 302, { scheme: "https", host: "example.org" }),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteRedirectPortAndScheme",
    features: ["Gateway", "HTTPRoute", "HTTPRoutePortRedirect", "GatewayPort8080"],
    manifests: ["httproute-redirect-port-and-scheme.yaml"],
    steps: [
      {
        status: [
          ...ready(SAME, ns("http-route-for-listener-on-port-80")),
          ...ready(GW8080, ns("http-route-for-listener-on-port-8080")),
          ...ready(HTTPS_GW, ns("http-route-for-listener-on-port-443")),
        ],
        requests: [
          redirect(SAME, "/scheme-nil-and-port-nil", 302, { scheme: "http", host: "example.org" }),
          redirect(SAME, "/scheme-nil-and-port-80", 302, { scheme: "http", host: "example.org" }),
          redirect(SAME, "/scheme-nil-and-port-8080", 302, { scheme: "http", port: "8080", host: "example.org" }),
          redirect(SAME, "/scheme-https-and-port-nil", 302, { scheme: "https", host: "example.org" }),
          redirect(SAME, "/scheme-https-and-port-443", 302, { scheme: "https", host: "example.org" }),
          redirect(SAME, "/scheme-https-and-port-8443", 302, { scheme: "https", port: "8443", host: "example.org" }),
          redirect(GW8080, "/scheme-nil-and-port-nil", 302, { scheme: "http", port: "8080", host: "example.org" }),
          redirect(GW8080, "/scheme-nil-and-port-80", 302, { scheme: "http", host: "example.org" }),
          redirect(GW8080, "/scheme-https-and-port-nil", 302, { scheme: "https", host: "example.org" }),
          redirect(HTTPS_GW, "/scheme-nil-and-port-nil", 302, { scheme: "https", host: "example.org" }, tls),
          redirect(HTTPS_GW, "/scheme-nil-and-port-443", 302, { scheme: "https", host: "example.org" }, tls),
          redirect(HTTPS_GW, "/scheme-nil-and-port-8443", 302, { scheme: "https", port: "8443", host: "example.org" }, tls),
          redirect(HTTPS_GW, "/scheme-http-and-port-nil", 302, { scheme: "http", host: "example.org" }, tls),
          redirect(HTTPS_GW, "/scheme-http-and-port-80", 302, { scheme: "http", host: "example.org" }, tls),
          redirect(HTTPS_GW, "/scheme-http-and-port-8080", 302, { scheme: "http", port: "8080", host: "example.org" }, tls),
        ],
      },
    ],
  },
];
