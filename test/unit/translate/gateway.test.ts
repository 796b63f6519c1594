import { describe, expect, it } from "vitest";
import { cond, entry, gateway, gatewayClass, gatewayIR, gatewayStatus, http, pathRoute, run, sr } from "./helpers";

describe("GatewayClass", () => {
  it("ours: Accepted and SupportedVersion, with observedGeneration", () => {
    const result = run([gatewayClass("peg", {}, 3)]);
    const e = entry(result, "GatewayClass", "peg");
    if (e?.status.kind !== "conditions") throw new Error("no class status");
    expect(e.generation).toBe(3);
    expect(e.status.conditions.map(c => [c.type, c.status, c.reason, c.observedGeneration])).toEqual([
      ["Accepted", "True", "Accepted", 3],
      ["SupportedVersion", "True", "SupportedVersion", 3],
    ]);
  });

  it("a class with parametersRef is not accepted (InvalidParameters), nor are its Gateways", () => {
    const result = run([gatewayClass("peg", { parametersRef: { group: "x.io", kind: "Params", name: "p" } }), gateway("eg", [http("http")])]);
    const e = entry(result, "GatewayClass", "peg");
    if (e?.status.kind !== "conditions") throw new Error("no class status");
    expect(sr(e.status.conditions, "Accepted")).toBe("False/InvalidParameters");
    expect(sr(gatewayStatus(result).conditions, "Accepted")).toBe("False/Invalid");
    expect(sr(gatewayStatus(result).listeners[0].conditions, "Programmed")).toBe("False/Invalid");
    expect(result.ir.gateways).toEqual([]);
  });

  it("classes of other controllers, their Gateways and routes get nothing: no status, no IR", () => {
    const other = { ...gatewayClass("other"), spec: { controllerName: "example.com/other" } };
    const gw = { ...gateway("eg", [http("http")]), spec: { gatewayClassName: "other", listeners: [http("http")] } };
    const result = run([other, gw, pathRoute("r", [{ name: "eg" }], "/")]);
    expect(result.status).toEqual([]);
    expect(result.ir.gateways).toEqual([]);
  });

  it("a Gateway naming a class that does not exist is ignored", () => {
    const result = run([gatewayClass(), { ...gateway("eg", []), spec: { gatewayClassName: "missing", listeners: [http("http")] } }]);
    expect(entry(result, "Gateway", "default/eg")).toBeUndefined();
  });
});

describe("Gateway", () => {
  it("accepted and programmed, conditions carrying the Gateway's generation", () => {
    const result = run([gatewayClass(), gateway("eg", [http("http")], { generation: 7 })]);
    const status = gatewayStatus(result);
    expect(status.conditions.map(c => `${c.type}=${c.status}/${c.reason}@${c.observedGeneration}`)).toEqual([
      "Accepted=True/Accepted@7",
      "Programmed=True/Programmed@7",
    ]);
    for (const c of status.listeners[0].conditions) expect(c.observedGeneration).toBe(7);
  });

  it("infrastructure labels and annotations and static addresses go into the IR and status", () => {
    const spec = {
      infrastructure: { labels: { key2: "value2" }, annotations: { key1: "value1" } },
      addresses: [{ value: "10.0.0.1" }, { type: "Hostname", value: "gw.example.com" }, { type: "IPAddress" }],
    };
    const result = run([gatewayClass(), gateway("eg", [http("http", 8080)], { spec })]);
    const ir = gatewayIR(result);
    expect(ir.infrastructure).toEqual({ labels: { key2: "value2" }, annotations: { key1: "value1" } });
    expect(ir.addresses).toEqual(["10.0.0.1", "gw.example.com"]);
    expect(gatewayStatus(result).addresses).toEqual([
      { type: "IPAddress", value: "10.0.0.1" },
      { type: "Hostname", value: "gw.example.com" },
    ]);
    expect(sr(gatewayStatus(result).conditions, "Accepted")).toBe("True/Accepted");
  });

  it.each([
    [[{ type: "test/fake-invalid-type", value: "fake address teehee!" }]],
    [[{ type: "NamedAddress", value: "my-address" }]],
    [[{ type: "IPAddress", value: "999.1.1.1" }]],
    [[{ type: "Hostname", value: "Not A Hostname" }]],
  ])("address %j is UnsupportedAddress (conformance: GatewayStaticAddresses)", addresses => {
    const result = run([gatewayClass(), gateway("eg", [http("http", 8080)], { spec: { addresses } })]);
    expect(sr(gatewayStatus(result).conditions, "Accepted")).toBe("False/UnsupportedAddress");
    expect(result.ir.gateways).toEqual([]);
  });

  it("infrastructure.parametersRef is InvalidParameters (conformance: GatewayInvalidParametersRef)", () => {
    const spec = { infrastructure: { parametersRef: { group: "invalid.io", kind: "InvalidParameters", name: "invalid" } } };
    const result = run([gatewayClass(), gateway("eg", [http("http")], { spec })]);
    expect(sr(gatewayStatus(result).conditions, "Accepted")).toBe("False/InvalidParameters");
  });

  it("a listener name used twice: the later one is ignored and the Gateway says ListenersNotValid", () => {
    const result = run([gatewayClass(), gateway("eg", [http("http"), http("http", 8080)])]);
    expect(gatewayStatus(result).listeners.map(l => l.name)).toEqual(["http"]);
    expect(cond(gatewayStatus(result).conditions, "Accepted")).toMatchObject({ status: "True", reason: "ListenersNotValid" });
    expect(gatewayIR(result).listeners.map(l => l.port)).toEqual([80]);
  });

  it("a Gateway without listeners is not accepted", () => {
    const result = run([gatewayClass(), gateway("eg", [])]);
    expect(sr(gatewayStatus(result).conditions, "Accepted")).toBe("False/ListenersNotValid");
  });

  it("Gateways come out sorted by key, one Envoy listener per port", () => {
    const result = run([gatewayClass(), gateway("b", [http("x", 8080), http("y", 80, { hostname: "y.com" }), http("z", 80, { hostname: "z.com" })]), gateway("a", [http("x")])]);
    expect(result.ir.gateways.map(g => g.key)).toEqual(["default/a", "default/b"]);
    expect(gatewayIR(result, "default/b").listeners.map(l => l.name)).toEqual(["default/b/80", "default/b/8080"]);
  });
});
