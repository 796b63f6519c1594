import { describe, expect, it } from "vitest";
import type { StatusEntry } from "../../../src/ir/status";
import { gateway, gatewayClass, http, https, pathRoute, run, tlsSecret } from "./helpers";

function conditionsOf(e: StatusEntry) {
  switch (e.status.kind) {
    case "conditions":
      return e.status.conditions;
    case "gateway":
      return [...e.status.conditions, ...e.status.listeners.flatMap(l => l.conditions)];
    case "parents":
      return e.status.parents.flatMap(p => p.conditions);
    case "ancestors":
      return e.status.ancestors.flatMap(p => p.conditions);
  }
}

const world = [
  gatewayClass("peg", {}, 2),
  gateway("eg", [http("http"), https("https", "cert", { hostname: "a.example.test" }), { name: "bad", port: 9, protocol: "UDP" }], { generation: 5 }),
  tlsSecret("cert"),
  pathRoute("ok", [{ name: "eg" }], "/", {}, { generation: 4 }),
  pathRoute("bad", [{ name: "eg", sectionName: "nope" }], "/", {}, { generation: 9 }),
];

describe("status report shape", () => {
  const result = run(world);

  it("every condition carries its object's metadata.generation", () => {
    expect(result.status.length).toBe(4);
    for (const e of result.status) for (const c of conditionsOf(e)) expect(c.observedGeneration).toBe(e.generation);
    expect(result.status.map(e => e.generation)).toEqual([5, 2, 9, 4]);
  });

  it("is sorted by group, kind, namespace and name", () => {
    expect(result.status.map(e => `${e.ref.kind}/${e.ref.namespace ?? ""}/${e.ref.name}`)).toEqual([
      "Gateway/default/eg",
      "GatewayClass//peg",
      "HTTPRoute/default/bad",
      "HTTPRoute/default/ok",
    ]);
  });

  it("Gateway: Accepted and Programmed, and per listener Accepted, Conflicted, Programmed, ResolvedRefs", () => {
    const gw = result.status[0];
    if (gw.status.kind !== "gateway") throw new Error("not a gateway");
    expect(gw.status.conditions.map(c => c.type)).toEqual(["Accepted", "Programmed"]);
    expect(gw.status.listeners.map(l => l.name)).toEqual(["http", "https", "bad"]);
    for (const l of gw.status.listeners) expect(l.conditions.map(c => c.type)).toEqual(["Accepted", "Conflicted", "Programmed", "ResolvedRefs"]);
    expect(gw.status.listeners.map(l => l.attachedRoutes)).toEqual([1, 1, 0]);
  });

  it("HTTPRoute parents: Accepted then ResolvedRefs, with the controller name", () => {
    for (const e of result.status.filter(x => x.ref.kind === "HTTPRoute")) {
      if (e.status.kind !== "parents") throw new Error("not a route");
      expect(e.status.parents).toHaveLength(1);
      expect(e.status.parents[0].conditions.map(c => c.type)).toEqual(["Accepted", "ResolvedRefs"]);
      expect(e.status.parents[0].controllerName).toBe("pepr.dev/envoy-gateway");
    }
  });

  it("messages are non-empty and reasons are CamelCase words", () => {
    for (const e of result.status) {
      for (const c of conditionsOf(e)) {
        expect(c.message.length).toBeGreaterThan(0);
        expect(c.reason).toMatch(/^[A-Z][A-Za-z]+$/);
      }
    }
  });
});
