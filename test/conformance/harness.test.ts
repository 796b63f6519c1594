/**
 * The conformance harness itself: the suite's world (placeholders, generations, EndpointSlices
 * as the EndpointSlice controller would write them for the suite's Services), the echo backend
 * model, the status checks and the response comparison (the suite's rules: default status 200,
 * redirect defaults, header joining, ±0.05 weights). Each check is shown to fail when it should.
 */
import { describe, expect, it } from "vitest";
import type { StatusReport } from "../../src/ir/status";
import { endpointSlicesFor, goDurationMs } from "./harness/backends";
import { CLASS_NAME, CONTROLLER_NAME, buildWorld, keyOf, mutate, storeObjects } from "./harness/world";
import { checkStatus } from "./harness/status";
import { compareBranch, toSimRequest, type HttpContext } from "./harness/http";
import type { RequestCase } from "./cases/types";
import type { SimResponse } from "./simulator/types";

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const world = buildWorld(["httproute-service-types.yaml"]);
const find = (kind: string, name: string) => world.objects.find(o => o.kind === kind && keyOf(o) === name) as Any;

describe("the suite's world", () => {
  it("fills the GatewayClass placeholder with a class of ours", () => {
    expect(find("Gateway", "gateway-conformance-infra/same-namespace").spec.gatewayClassName).toBe(CLASS_NAME);
    expect(find("GatewayClass", CLASS_NAME).spec.controllerName).toBe(CONTROLLER_NAME);
    expect(find("Gateway", "gateway-conformance-infra/same-namespace").metadata.generation).toBe(1);
  });

  it("writes the EndpointSlice of infra-backend-v1 as the controller would: its pod, target ports, app protocols", () => {
    const slice = endpointSlicesFor(world.objects, world.pods).find(s => s.metadata?.labels?.["kubernetes.io/service-name"] === "infra-backend-v1") as Any;
    const pod = world.pods.find(p => p.deployment === "infra-backend-v1");
    expect(slice.endpoints).toEqual([expect.objectContaining({ addresses: [pod?.ip], conditions: { ready: true, serving: true, terminating: false } })]);
    expect(slice.ports).toEqual([
      { name: "first-port", port: 3000, protocol: "TCP" },
      { name: "second-port", port: 3001, protocol: "TCP", appProtocol: "kubernetes.io/h2c" },
      { name: "third-port", port: 3000, protocol: "TCP", appProtocol: "kubernetes.io/ws" },
    ]);
  });

  it("writes no EndpointSlice for a Service without selector, and fills the manual ones of HTTPRouteServiceTypes", () => {
    const all = storeObjects(world) as Any[];
    const slices = all.filter(o => o.kind === "EndpointSlice");
    expect(slices.filter(s => s.metadata.labels["kubernetes.io/service-name"] === "manual-endpointslices").map(s => s.metadata.name)).toEqual(["manual-endpointslices-ip4", "manual-endpointslices-ip6"]);
    const ip4 = slices.find(s => s.metadata.name === "manual-endpointslices-ip4");
    expect(ip4.endpoints[0].addresses).toEqual([world.pods.find(p => p.deployment === "infra-backend-v1")?.ip]);
    expect(slices.find(s => s.metadata.name === "manual-endpointslices-ip6").endpoints ?? []).toEqual([]);
  });

  it("bumps the generation of a changed object and deletes one without a change", () => {
    const changed = mutate(world, [{ kind: "HTTPRoute", name: "gateway-conformance-infra/service-types", change: o => (o.spec.rules = []) }]);
    expect((changed.objects.find(o => keyOf(o) === "gateway-conformance-infra/service-types" && o.kind === "HTTPRoute") as Any).metadata.generation).toBe(2);
    const deleted = mutate(world, [{ kind: "HTTPRoute", name: "gateway-conformance-infra/service-types" }]);
    expect(deleted.objects.some(o => o.kind === "HTTPRoute")).toBe(false);
    expect(() => mutate(world, [{ kind: "HTTPRoute", name: "nope/nope" }])).toThrow(/no such object/);
  });
});

describe("the echo backend model", () => {
  const pod = world.pods.find(p => p.deployment === "infra-backend-v1")!;
  const call = (path: string, extra: Record<string, unknown> = {}) =>
    world.backends.handle({ cluster: "c", endpoint: { address: pod.ip, port: 3000 }, protocol: "http1", attempt: 1, request: { method: "GET", authority: "h", path, scheme: "http", headers: [] }, ...extra });

  it("parses the suite's delay durations", () => {
    expect([goDurationMs("1s"), goDurationMs("500ms"), goDurationMs("1.5s"), goDurationMs("1m2s")]).toEqual([1000, 500, 1500, 62000]);
  });

  it("reports the request it got and sets the headers asked for", () => {
    const reply = world.backends.handle({
      cluster: "c",
      endpoint: { address: pod.ip, port: 3000 },
      protocol: "http1",
      attempt: 1,
      request: { method: "GET", authority: "h", path: "/x?y=1", scheme: "http", headers: [["x-echo-set-header", "A:1,B:2"]] },
    }) as Any;
    expect(JSON.parse(reply.body)).toMatchObject({ path: "/x?y=1", host: "h", method: "GET", namespace: "gateway-conformance-infra", pod: pod.name });
    expect(reply.headers).toEqual([["content-type", "application/json"], ["a", "1"], ["b", "2"]]);
  });

  it("fails the first attempts of a retry simulation, then succeeds", () => {
    const path = "/r?responseCode=503&succeedAfter=2";
    expect([1, 2, 3].map(attempt => (call(path, { attempt }) as Any).status)).toEqual([503, 503, 200]);
  });

  it("refuses ports it does not listen on and answers plain HTTP on its TLS port with 400", () => {
    expect(call("/", { endpoint: { address: pod.ip, port: 9999 } }).kind).toBe("connect-failure");
    const tlsPod = world.pods.find(p => p.deployment === "tls-backend")!;
    expect((call("/", { endpoint: { address: tlsPod.ip, port: 8443 } }) as Any).status).toBe(400);
    expect(world.backends.certificate({ address: tlsPod.ip, port: 8443 })?.dnsNames).toContain("abc.example.com");
    expect(world.backends.certificate({ address: pod.ip, port: 3000 })).toBeUndefined();
  });
});

describe("status checks", () => {
  const gw = "gateway-conformance-infra/same-namespace";
  const route = "gateway-conformance-infra/service-types";
  const cond = (type: string, status: "True" | "False", reason: string, observedGeneration = 1) => ({ type, status, reason, message: "", observedGeneration });
  const report = (parentRef: Record<string, unknown>, gen = 1): StatusReport => [
    {
      ref: { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "gateway-conformance-infra", name: "same-namespace" },
      generation: 1,
      status: { kind: "gateway", conditions: [cond("Accepted", "True", "Accepted")], addresses: [], listeners: [{ name: "http", supportedKinds: [], attachedRoutes: 1, conditions: [cond("Accepted", "True", "Accepted"), cond("ResolvedRefs", "True", "ResolvedRefs"), cond("Programmed", "True", "Programmed")] }] },
    },
    {
      ref: { group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "gateway-conformance-infra", name: "service-types" },
      generation: 1,
      status: { kind: "parents", parents: [{ parentRef: { name: "same-namespace", ...parentRef }, controllerName: CONTROLLER_NAME, conditions: [cond("Accepted", "True", "Accepted", gen)] }] },
    },
  ];
  const accepted = { type: "routesAccepted" as const, gateway: gw, routes: [route] };

  it("accepts a parent with group and kind written out", () => {
    expect(checkStatus({ report: report({ group: "gateway.networking.k8s.io", kind: "Gateway" }), objects: world.objects }, accepted)).toEqual([]);
  });

  it("rejects a parentRef without group, as the suite compares it field by field", () => {
    expect(checkStatus({ report: report({ kind: "Gateway" }), objects: world.objects }, accepted)).toHaveLength(1);
  });

  it("rejects conditions of an older generation", () => {
    const problems = checkStatus({ report: report({ group: "gateway.networking.k8s.io", kind: "Gateway" }, 0), objects: world.objects }, accepted);
    expect(problems.join()).toMatch(/observedGeneration 0/);
  });

  it("counts attached routes for gatewayZeroRoutes", () => {
    expect(checkStatus({ report: report({}), objects: world.objects }, { type: "gatewayZeroRoutes", gateway: gw })).toHaveLength(1);
  });
});

describe("response comparison", () => {
  const ctx: HttpContext = { objects: world.objects, report: [], snapshots: new Map(), backends: world.backends };
  const rc = (expect: RequestCase["expect"], more: Partial<RequestCase> = {}): RequestCase => ({ gateway: "gateway-conformance-infra/same-namespace", path: "/a?q=1", ...more, expect });
  const response = (status: number, headers: Array<[string, string]>, body?: string): SimResponse => ({ status, headers, body, source: body ? "upstream" : "envoy", reason: "test", mirrors: [] });
  const compare = (r: RequestCase, res: SimResponse) => compareBranch(ctx, r, toSimRequest(ctx, r), res);

  it("sends to the Gateway's first listener port with the stand-in address as Host", () => {
    expect(toSimRequest(ctx, rc({}))).toMatchObject({ port: 80, authority: "192.0.2.10", method: "GET" });
  });

  it("expects 200 by default", () => {
    expect(compare(rc({}), response(404, []))).toHaveLength(1);
  });

  it("accepts a redirect without port for the scheme's default and checks host and path", () => {
    const r = rc({ status: [302], redirect: { host: "example.org" } });
    expect(compare(r, response(302, [["location", "http://example.org/a?q=1"]]))).toEqual([]);
    expect(compare(r, response(302, [["location", "http://example.org:80/a"]]))).toEqual([]);
    expect(compare(r, response(302, [["location", "http://example.org:8080/a"]]))).toHaveLength(1);
    expect(compare(r, response(302, [["location", "http://example.com/b"]]))).toHaveLength(2);
  });

  it("compares response headers joined with commas, and absent ones", () => {
    const r = rc({ status: [204], responseHeaders: { "X-A": "1,2" }, absentResponseHeaders: ["X-B"] });
    expect(compare(r, response(204, [["x-a", "1"], ["x-a", "2"]]))).toEqual([]);
    expect(compare(r, response(204, [["x-a", "1"], ["x-b", "v"]]))).toHaveLength(2);
  });

  it("requires a 200 naming a backend to come from that backend", () => {
    const pod = world.pods.find(p => p.deployment === "infra-backend-v2")!;
    const body = JSON.stringify({ path: "/a?q=1", host: "192.0.2.10", method: "GET", proto: "HTTP/1.1", headers: {}, namespace: pod.namespace, pod: pod.name });
    const ok = response(200, [["content-type", "application/json"]], body);
    expect(compare(rc({ backend: "infra-backend-v2", namespace: "gateway-conformance-infra" }), ok)).toEqual([]);
    expect(compare(rc({ backend: "infra-backend-v1", namespace: "gateway-conformance-infra" }), ok)).toHaveLength(1);
    expect(compare(rc({ backend: "infra-backend-v2", namespace: "gateway-conformance-infra" }), response(200, []))).toHaveLength(1);
  });
});
