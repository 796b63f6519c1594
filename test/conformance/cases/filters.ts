/**
 * URLRewrite (hostname, ReplacePrefixMatch, ReplaceFullPath), RequestHeaderModifier at rule and
 * backendRef level, ResponseHeaderModifier: what the backend must receive, or what the client
 * must get back, as the upstream tests assert.
 */
import type { ConformanceCase, RequestCase } from "./types";
import { SAME, ns, ready, to } from "./helpers";

const v1 = "infra-backend-v1";
const v2 = "infra-backend-v2";

/** A request whose backend must receive `path` and `headers` (and not `absent`). */
function received(path: string, sent: Record<string, string> | undefined, backend: string, want: { path: string; host?: string; headers?: Record<string, string>; absent?: string[] }, host?: string): RequestCase {
  return to(SAME, path, backend, { host, headers: sent }, { request: { path: want.path, host: want.host, headers: want.headers, absentHeaders: want.absent } });
}

const MODIFY_SENT = { "X-Header-Remove": "remove-val", "X-Header-Add-Append": "append-val-1", "X-Header-Set": "set-val" };
const MODIFY_WANT = { "X-Header-Add": "header-val-1", "X-Header-Add-Append": "append-val-1,header-val-2", "X-Header-Set": "set-overwrites-values" };

/** The request header modifier cases, shared by the rule-level and backendRef-level tests. */
const requestHeaderCases: RequestCase[] = [
  received("/set", { "Some-Other-Header": "val" }, v1, { path: "/set", headers: { "Some-Other-Header": "val", "X-Header-Set": "set-overwrites-values" } }),
  received("/set", { "Some-Other-Header": "val", "X-Header-Set": "some-other-value" }, v1, { path: "/set", headers: { "Some-Other-Header": "val", "X-Header-Set": "set-overwrites-values" } }),
  received("/add", { "Some-Other-Header": "val" }, v1, { path: "/add", headers: { "Some-Other-Header": "val", "X-Header-Add": "add-appends-values" } }),
  received("/add", { "Some-Other-Header": "val", "X-Header-Add": "some-other-value" }, v1, { path: "/add", headers: { "Some-Other-Header": "val", "X-Header-Add": "some-other-value,add-appends-values" } }),
  received("/remove", { "X-Header-Remove": "val" }, v1, { path: "/remove", absent: ["X-Header-Remove"] }),
  received(
    "/multiple",
    { "X-Header-Set-2": "set-val-2", "X-Header-Add-2": "add-val-2", "X-Header-Remove-2": "remove-val-2", "Another-Header": "another-header-val" },
    v1,
    {
      path: "/multiple",
      headers: { "X-Header-Set-1": "header-set-1", "X-Header-Set-2": "header-set-2", "X-Header-Add-1": "header-add-1", "X-Header-Add-2": "add-val-2,header-add-2", "X-Header-Add-3": "header-add-3", "Another-Header": "another-header-val" },
      absent: ["X-Header-Remove-1", "X-Header-Remove-2"],
    },
  ),
  received(
    "/case-insensitivity",
    { "x-header-set": "original-val-set", "x-header-add": "original-val-add", "x-header-remove": "original-val-remove", "Another-Header": "another-header-val" },
    v1,
    { path: "/case-insensitivity", headers: { "X-Header-Set": "header-set", "X-Header-Add": "original-val-add,header-add", "Another-Header": "another-header-val" }, absent: ["x-header-remove", "X-Header-Remove"] },
  ),
];

/** A request whose response must carry `headers` (and not `absent`) when the backend sets `backendSets`. */
function answered(path: string, backendSets: Record<string, string>, headers: Record<string, string>, absent?: string[]): RequestCase {
  return to(SAME, path, v1, { backendSetResponseHeaders: backendSets }, { responseHeaders: headers, absentResponseHeaders: absent });
}

export const filterCases: ConformanceCase[] = [
  {
    name: "HTTPRouteRewriteHost",
    features: ["Gateway", "HTTPRoute", "HTTPRouteHostRewrite"],
    manifests: ["httproute-rewrite-host.yaml"],
    steps: [
      {
        status: ready(SAME, ns("rewrite-host")),
        requests: [
          received("/one", undefined, v1, { path: "/one", host: "one.example.org" }, "rewrite.example"),
          received("/two", undefined, v2, { path: "/two", host: "example.org" }, "rewrite.example"),
          received("/rewrite-host-and-modify-headers", { "X-Header-Remove": "remove-val", "X-Header-Add-Append": "append-val-1" }, v2, { path: "/rewrite-host-and-modify-headers", host: "test.example.org", headers: MODIFY_WANT, absent: ["X-Header-Remove"] }, "rewrite.example"),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteRewritePath",
    features: ["Gateway", "HTTPRoute", "HTTPRoutePathRewrite"],
    manifests: ["httproute-rewrite-path.yaml"],
    steps: [
      {
        status: ready(SAME, ns("rewrite-path")),
        requests: [
          received("/prefix/one/two", undefined, v1, { path: "/one/two" }),
          received("/strip-prefix/three", undefined, v1, { path: "/three" }),
          received("/strip-prefix", undefined, v1, { path: "/" }),
          received("/full/one/two", undefined, v1, { path: "/one" }),
          received("/full/rewrite-path-and-modify-headers/test", MODIFY_SENT, v1, { path: "/test", headers: MODIFY_WANT, absent: ["X-Header-Remove"] }),
          received("/prefix/rewrite-path-and-modify-headers/one", MODIFY_SENT, v1, { path: "/prefix/one", headers: MODIFY_WANT, absent: ["X-Header-Remove"] }),
        ],
      },
    ],
  },
  {
    name: "HTTPRouteRequestHeaderModifier",
    features: ["Gateway", "HTTPRoute"],
    manifests: ["httproute-request-header-modifier.yaml"],
    steps: [{ status: ready(SAME, ns("request-header-modifier")), requests: requestHeaderCases }],
  },
  {
    name: "HTTPRouteBackendRequestHeaderModifier",
    features: ["Gateway", "HTTPRoute", "HTTPRouteBackendRequestHeaderModification"],
    manifests: ["httproute-request-header-modifier-backend.yaml"],
    steps: [{ status: ready(SAME, ns("request-header-modifier")), requests: requestHeaderCases }],
    notReplayed: "the upstream test reuses HTTPRouteRequestHeaderModifier's cases with this manifest (its Go text was read from the mesh variant)",
  },
  {
    name: "HTTPRouteResponseHeaderModifier",
    features: ["Gateway", "HTTPRoute", "HTTPRouteResponseHeaderModification"],
    manifests: ["httproute-response-header-modifier.yaml"],
    steps: [
      {
        status: ready(SAME, ns("response-header-modifier")),
        requests: [
          answered("/set", { "Some-Other-Header": "val" }, { "Some-Other-Header": "val", "X-Header-Set": "set-overwrites-values" }),
          answered("/set", { "Some-Other-Header": "val", "X-Header-Set": "some-other-value" }, { "Some-Other-Header": "val", "X-Header-Set": "set-overwrites-values" }),
          answered("/add", { "Some-Other-Header": "val" }, { "Some-Other-Header": "val", "X-Header-Add": "add-appends-values" }),
          answered("/add", { "Some-Other-Header": "val", "X-Header-Add": "some-other-value" }, { "Some-Other-Header": "val", "X-Header-Add": "some-other-value,add-appends-values" }),
          answered("/remove", { "X-Header-Remove": "val" }, {}, ["X-Header-Remove"]),
          answered(
            "/multiple",
            { "X-Header-Set-2": "set-val-2", "X-Header-Add-2": "add-val-2", "X-Header-Remove-2": "remove-val-2", "Another-Header": "another-header-val" },
            { "X-Header-Set-1": "header-set-1", "X-Header-Set-2": "header-set-2", "X-Header-Add-1": "header-add-1", "X-Header-Add-2": "add-val-2,header-add-2", "X-Header-Add-3": "header-add-3", "Another-Header": "another-header-val" },
            ["X-Header-Remove-1", "X-Header-Remove-2"],
          ),
          answered(
            "/case-insensitivity",
            { "x-header-set": "original-val-set", "x-header-add": "original-val-add", "x-header-remove": "original-val-remove", "Another-Header": "another-header-val" },
            { "X-Header-Set": "header-set", "X-Header-Add": "original-val-add,header-add", "Another-Header": "another-header-val" },
            ["x-header-remove", "X-Header-Remove"],
          ),
        ],
      },
    ],
    notReplayed: "the v1.6.1 manifest also exercises mixed-case header names and /response-and-request-header-modifiers; the assertions for those were not available to transcribe",
  },
];
