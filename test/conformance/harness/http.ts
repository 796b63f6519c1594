/**
 * The suite's HTTP requests replayed through the simulator, and its response comparison:
 *
 * - the request goes to the Gateway's address (its first status address, else a documentation
 *   address standing in for the load balancer) on the port of its first listener, unless the case
 *   says otherwise; without an explicit Host, the Host header is that address, with the port only
 *   when it is not the scheme's default (as the suite computes it); an HTTPS client trusts only the
 *   certificate of tls-validity-checks-certificate, as the suite's TLS requests do;
 * - method defaults to GET, expected status to 200; a 200 must come from the echo backend, whose
 *   report of the request (path with query, host, method, headers, namespace, pod, TLS server
 *   name) is compared with the expected request (by default the request as sent); header values
 *   are compared joined with ","; redirects are compared on scheme, host, port (unset means the
 *   scheme's default or none) and path;
 * - weighted routes give several possible answers: every one must satisfy the expectation, and
 *   the traffic split is compared with ±0.05 tolerance like the suite's distribution check.
 */
import type { KubeObject } from "../../../src/apis";
import type { StatusReport } from "../../../src/ir/status";
import type { Snapshot } from "../../../src/xds/types";
import { type SimBranch, type SimRequest, type SimResponse, configFromSnapshot, simulate } from "../simulator";
import type { Header } from "../simulator/types";
import type { RequestCase, ResponseExpectation } from "../cases/types";
import type { Captured, EchoBackends } from "./backends";
import { PKI, keyOf } from "./world";

export const STANDIN_ADDRESS = "192.0.2.10";
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface HttpContext {
  objects: readonly KubeObject[];
  report: StatusReport;
  snapshots: ReadonlyMap<string, Snapshot>;
  backends: EchoBackends;
}

function gatewayAddress(ctx: HttpContext, gateway: string): string {
  const [namespace, name] = gateway.split("/");
  const e = ctx.report.find(r => r.ref.kind === "Gateway" && r.ref.namespace === namespace && r.ref.name === name);
  const addresses = e && e.status.kind === "gateway" ? e.status.addresses : [];
  return addresses[0]?.value ?? STANDIN_ADDRESS;
}

export function toSimRequest(ctx: HttpContext, rc: RequestCase): SimRequest {
  const scheme = rc.scheme ?? "http";
  const gw = ctx.objects.find(o => o.kind === "Gateway" && keyOf(o) === rc.gateway) as Any;
  if (!gw) throw new Error(`no Gateway ${rc.gateway} in the manifests`);
  const defaultPort = scheme === "https" ? 443 : 80;
  const port = rc.port ?? (rc.portless ? defaultPort : gw.spec.listeners[0].port);
  const address = gatewayAddress(ctx, rc.gateway);
  const authority = rc.host ?? (port === defaultPort ? address : `${address}:${port}`);
  const headers: Header[] = Object.entries(rc.headers ?? {});
  const echoSet = Object.entries(rc.backendSetResponseHeaders ?? {}).map(([n, v]) => `${n}:${v}`);
  if (echoSet.length > 0) headers.push(["X-Echo-Set-Header", echoSet.join(",")]);
  return {
    port,
    scheme,
    sni: rc.sni,
    clientTrustsPem: scheme === "https" ? PKI.listenerCert() : undefined,
    protocol: rc.h2c ? "h2c" : "http1",
    method: rc.method ?? "GET",
    authority,
    path: rc.path,
    headers,
    upgrade: rc.websocket ? "websocket" : undefined,
  };
}

function captured(response: SimResponse): Captured | undefined {
  if (response.source !== "upstream" || !response.body) return undefined;
  const ct = response.headers.find(([n]) => n === "content-type")?.[1];
  if (ct !== "application/json") return undefined;
  return JSON.parse(response.body) as Captured;
}

function headerMap(headers: Record<string, string[]> | Header[]): Map<string, string> {
  const out = new Map<string, string[]>();
  const entries: Array<[string, string]> = Array.isArray(headers) ? headers : Object.entries(headers).flatMap(([n, vs]) => vs.map(v => [n, v] as [string, string]));
  for (const [n, v] of entries) out.set(n.toLowerCase(), [...(out.get(n.toLowerCase()) ?? []), v]);
  return new Map([...out].map(([n, vs]) => [n, vs.join(",")]));
}

function parseLocation(location: string): { scheme: string; host: string; port: string; path: string } {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d*))?([^?#]*)/.exec(location);
  if (!m) return { scheme: "", host: "", port: "", path: location };
  return { scheme: m[1], host: m[2].replace(/^\[|\]$/g, ""), port: m[3] ?? "", path: m[4] };
}

function compareRedirect(rc: RequestCase, req: SimRequest, want: NonNullable<ResponseExpectation["redirect"]>, response: SimResponse): string[] {
  const location = response.headers.find(([n]) => n === "location")?.[1];
  if (!location) return ["redirect without a Location header"];
  const got = parseLocation(location);
  const problems: string[] = [];
  const host = want.host ?? got.host;
  const scheme = want.scheme ?? req.scheme;
  const path = want.path ?? rc.path.split("?")[0];
  if (host !== got.host) problems.push(`redirect host ${JSON.stringify(got.host)}, expected ${JSON.stringify(host)}`);
  if (want.port === undefined) {
    const ok = got.port === "" || (got.scheme.toLowerCase() === "http" && got.port === "80") || (got.scheme.toLowerCase() === "https" && got.port === "443");
    if (!ok && ["http", "https"].includes(got.scheme.toLowerCase())) problems.push(`redirect port ${JSON.stringify(got.port)}, expected the ${got.scheme} default or none`);
  } else if (want.port !== got.port) problems.push(`redirect port ${JSON.stringify(got.port)}, expected ${JSON.stringify(want.port)}`);
  if (scheme !== got.scheme) problems.push(`redirect scheme ${JSON.stringify(got.scheme)}, expected ${JSON.stringify(scheme)}`);
  if (path !== got.path) problems.push(`redirect path ${JSON.stringify(got.path)}, expected ${JSON.stringify(path)} (Location ${location})`);
  return problems;
}

function norm(value: string, ignoreWhitespace: boolean | undefined): string {
  return ignoreWhitespace ? value.replace(/\s+/g, "") : value;
}

function compareResponseHeaders(want: ResponseExpectation, response: SimResponse): string[] {
  const problems: string[] = [];
  const got = headerMap(response.headers);
  for (const [name, value] of Object.entries(want.responseHeaders ?? {})) {
    const actual = got.get(name.toLowerCase());
    if (actual === undefined) problems.push(`response header ${name} missing (expected ${JSON.stringify(value)})`);
    else if (norm(actual, want.ignoreWhitespace) !== norm(value, want.ignoreWhitespace)) problems.push(`response header ${name} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
  }
  for (const [name, valid] of Object.entries(want.validHeaderValues ?? {})) {
    const actual = got.get(name.toLowerCase());
    if (actual === undefined) problems.push(`response header ${name} missing (expected one of ${JSON.stringify(valid)})`);
    else if (!valid.some(v => norm(v, want.ignoreWhitespace) === norm(actual, want.ignoreWhitespace))) problems.push(`response header ${name} is ${JSON.stringify(actual)}, expected one of ${JSON.stringify(valid)}`);
  }
  for (const name of want.absentResponseHeaders ?? []) {
    if (got.has(name.toLowerCase())) problems.push(`response header ${name} should be absent, is ${JSON.stringify(got.get(name.toLowerCase()))}`);
  }
  return problems;
}

function compareCaptured(rc: RequestCase, req: SimRequest, want: ResponseExpectation, cap: Captured | undefined): string[] {
  const expected = want.request ?? { host: rc.host, path: rc.path, method: rc.method, headers: rc.headers };
  // A 200 that Envoy produced itself (no echo report) can only satisfy an expectation that names no backend.
  if (!cap) return want.namespace || want.backend ? [`expected the echo backend ${want.namespace ?? ""}/${want.backend ?? ""} to answer, but Envoy answered itself`] : [];
  const problems: string[] = [];
  if (expected.host && expected.host !== cap.host) problems.push(`backend saw host ${JSON.stringify(cap.host)}, expected ${JSON.stringify(expected.host)}`);
  if ((expected.path ?? "") !== cap.path) problems.push(`backend saw path ${JSON.stringify(cap.path)}, expected ${JSON.stringify(expected.path ?? "")}`);
  if ((expected.method || "GET") !== cap.method) problems.push(`backend saw method ${cap.method}, expected ${expected.method || "GET"}`);
  if ((want.namespace ?? "") !== cap.namespace) problems.push(`served by namespace ${JSON.stringify(cap.namespace)}, expected ${JSON.stringify(want.namespace ?? "")}`);
  if (!cap.pod.startsWith(want.backend ?? "")) problems.push(`served by pod ${cap.pod}, expected ${want.backend}`);
  const got = headerMap(cap.headers);
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const actual = got.get(name.toLowerCase());
    if (actual === undefined) problems.push(`backend did not get header ${name} (expected ${JSON.stringify(value)})`);
    else if (actual !== value) problems.push(`backend got ${name}: ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
  }
  for (const name of (want.request as Any)?.absentHeaders ?? []) {
    if (got.has(name.toLowerCase())) problems.push(`backend got header ${name}: ${JSON.stringify(got.get(name.toLowerCase()))}, expected it absent`);
  }
  const sni = (want.request as Any)?.sni;
  if (sni !== undefined && cap.sni !== sni) problems.push(`backend saw TLS server name ${JSON.stringify(cap.sni)}, expected ${JSON.stringify(sni)}`);
  return problems;
}

function compareMirrors(ctx: HttpContext, rc: RequestCase, want: NonNullable<ResponseExpectation["mirroredTo"]>, response: SimResponse): string[] {
  return want.flatMap(m => {
    const hit = response.mirrors.find(x => {
      const pod = ctx.backends.podAt(x.endpoint);
      return pod && pod.deployment.startsWith(m.name) && pod.namespace === m.namespace && x.request.path === rc.path;
    });
    if (!hit) return [`no mirror of ${rc.path} to ${m.namespace}/${m.name} (mirrors: ${JSON.stringify(response.mirrors.map(x => [x.cluster, x.percent, x.endpoint]))})`];
    const percent = m.percent ?? 100;
    return Math.abs(hit.percent - percent) > percent * 0.05 ? [`mirror to ${m.name} gets ${hit.percent}% of requests, expected ${percent}%`] : [];
  });
}

/** Compares one possible answer with the expectation (the suite's CompareRequest). */
export function compareBranch(ctx: HttpContext, rc: RequestCase, req: SimRequest, response: SimResponse): string[] {
  const want = rc.expect;
  const statuses = want.status ?? [200];
  const where = `[${response.reason}${response.route ? ` via ${response.route}` : ""}]`;
  if (want.failure) {
    const cap = captured(response);
    const succeeded = response.status === 200 && cap !== undefined && cap.namespace === (want.namespace ?? "");
    return succeeded ? [`expected the request to fail, but ${cap?.pod} answered 200 ${where}`] : [];
  }
  if (want.websocket) {
    const pod = ctx.backends.podAt(response.upstream?.endpoint);
    const ok = response.status === 101 && pod !== undefined && pod.deployment === want.backend && pod.namespace === want.namespace;
    return ok ? [] : [`expected a WebSocket connection to ${want.namespace}/${want.backend}, got status ${response.status} ${where}`];
  }
  const timeouts = (s: number) => s === 504;
  if (!statuses.includes(response.status) && !(timeouts(response.status) && statuses.some(timeouts))) {
    return [`status ${response.status}, expected ${statuses.join(" or ")} ${where}`];
  }
  const problems: string[] = [];
  if (response.status === 200) problems.push(...compareCaptured(rc, req, want, captured(response)));
  else if ([300, 301, 302, 303, 304, 305, 307, 308].includes(response.status) && want.redirect) problems.push(...compareRedirect(rc, req, want.redirect, response));
  problems.push(...compareResponseHeaders(want, response));
  if (want.mirroredTo) problems.push(...compareMirrors(ctx, rc, want.mirroredTo, response));
  if (want.backendFromHeader) {
    const cap = captured(response);
    const named = cap ? headerMap(cap.headers).get(want.backendFromHeader.toLowerCase()) : undefined;
    if (!cap || !named || !cap.pod.startsWith(named)) problems.push(`header ${want.backendFromHeader} says ${named}, but pod ${cap?.pod} answered`);
  }
  return problems.map(p => `${p} ${where}`);
}

function compareWeights(ctx: HttpContext, want: Record<string, number>, branches: readonly SimBranch[]): string[] {
  const total = branches.reduce((s, b) => s + b.weight, 0);
  const seen = new Map<string, number>();
  for (const b of branches) {
    const pod = ctx.backends.podAt(b.response.upstream?.endpoint)?.deployment ?? `(${b.response.reason})`;
    seen.set(pod, (seen.get(pod) ?? 0) + b.weight / total);
  }
  const problems: string[] = [];
  for (const [backend, share] of seen) if (!(backend in want)) problems.push(`${backend} gets ${share.toFixed(3)} of the traffic, expected none`);
  for (const [backend, share] of Object.entries(want)) {
    const got = seen.get(backend) ?? 0;
    if (Math.abs(got - share) > 0.05) problems.push(`${backend} gets ${got.toFixed(3)} of the traffic, expected ${share}`);
  }
  return problems;
}

/** Replays one request; returns every mismatch. */
export function replay(ctx: HttpContext, rc: RequestCase): string[] {
  const snapshot = ctx.snapshots.get(rc.gateway);
  if (!snapshot) return [`no xDS snapshot for Gateway ${rc.gateway}`];
  const req = toSimRequest(ctx, rc);
  const result = simulate(configFromSnapshot(snapshot), req, ctx.backends);
  const problems = result.branches.flatMap(b => compareBranch(ctx, rc, req, b.response).map(p => (result.branches.length > 1 ? `weight ${b.weight}: ${p}` : p)));
  if (rc.expect.weights) problems.push(...compareWeights(ctx, rc.expect.weights, result.branches));
  return problems;
}
