/**
 * Every rendered resource encodes with the real Envoy protos exactly as written: no field the
 * proto does not declare (protobufjs would drop it silently), and decoding the bytes gives the
 * message back (less the proto3 default values, which the wire does not carry).
 */
import * as protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, messageType, strictProblems } from "../../../src/xds/encode";
import { renderGateway } from "../../../src/xds/render";
import { type GatewayResources, TypeUrl, messageName } from "../../../src/xds/types";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../../src/config";
import { storeFromObjects } from "../../../src/store/objects";
import { loadCase } from "../../golden/case";
import { translate } from "../../../src/translate";
import { gateway } from "./render-fixtures";

const GOLDEN = join(__dirname, "..", "..", "golden", "xds");

const FIELDS: Array<[keyof Omit<GatewayResources, "gateway">, TypeUrl]> = [
  ["listeners", TypeUrl.Listener],
  ["routes", TypeUrl.Route],
  ["clusters", TypeUrl.Cluster],
  ["endpoints", TypeUrl.Endpoint],
  ["secrets", TypeUrl.Secret],
];

/**
 * What survives the wire. protobufjs writes every field that is set, defaults included, so only
 * empty lists and maps vanish (they have no elements to write).
 */
function wireShape(type: protobuf.Type, value: Record<string, unknown>): Record<string, unknown> {
  if (type.fullName === ".google.protobuf.Any") {
    const url = String(value["@type"]);
    const inner = messageType(url.slice(url.lastIndexOf("/") + 1));
    const rest = { ...value };
    delete rest["@type"];
    return { "@type": url, ...wireShape(inner, rest) };
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const field = type.fields[key].resolve();
    const one = (item: unknown) => (field.resolvedType instanceof protobuf.Type ? wireShape(field.resolvedType, item as Record<string, unknown>) : item);
    if (field.map) {
      if (Object.keys(v as object).length > 0) out[key] = Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, one(x)]));
    } else if (field.repeated) {
      if ((v as unknown[]).length > 0) out[key] = (v as unknown[]).map(one);
    } else out[key] = one(v);
  }
  return out;
}

export function expectStrictRoundTrip(resources: GatewayResources): number {
  let count = 0;
  for (const [field, typeUrl] of FIELDS) {
    for (const message of resources[field]) {
      expect(strictProblems(messageName(typeUrl), message), `${field} ${String(message.name ?? message.clusterName)}`).toEqual([]);
      const decoded = decodeMessage(typeUrl, encodeMessage(typeUrl, message));
      expect(decoded).toEqual(wireShape(messageType(messageName(typeUrl)), message));
      count++;
    }
  }
  return count;
}

describe("strict encoding of rendered resources", () => {
  it("the full-feature fixture: zero problems, lossless round trip", () => {
    expect(expectStrictRoundTrip(renderGateway(gateway))).toBe(13);
  });

  it("the check is not vacuous: a misspelled or misplaced field is named with its path", () => {
    const listener = { ...renderGateway(gateway).listeners[0], filterChain: [] };
    expect(strictProblems("envoy.config.listener.v3.Listener", listener)).toEqual([
      "envoy.config.listener.v3.Listener.filterChain: not a field of envoy.config.listener.v3.Listener",
    ]);
    const route = { name: "r", virtualHosts: [{ name: "v", domains: ["*"], routes: [{ match: { prefix: "/", path: "/x" } }] }] };
    expect(strictProblems("envoy.config.route.v3.RouteConfiguration", route)).toEqual([
      "envoy.config.route.v3.RouteConfiguration.virtualHosts[0].routes[0].match.path: oneof pathSpecifier already set by prefix",
    ]);
    const cluster = { name: "c", transportSocket: { name: "t", typedConfig: { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext", snii: "x" } } };
    expect(strictProblems("envoy.config.cluster.v3.Cluster", cluster)).toHaveLength(1);
  });

  const inputs = readdirSync(GOLDEN).filter(f => f.endsWith(".in.yaml")).sort();
  for (const input of inputs) {
    it(`every resource rendered from golden input ${input}`, () => {
      // Cases that load the shared conformance inputs go through the golden suites' own loader.
      const { store } = storeFromObjects(loadCase(join(GOLDEN, input), input).objects.map(o => o.object));
      const { ir } = translate({ store, config: loadConfig({}) });
      expect(ir.gateways.length).toBeGreaterThan(0);
      // A Gateway whose every listener is invalid renders nothing; the case as a whole must render something.
      let rendered = 0;
      for (const gw of ir.gateways) rendered += expectStrictRoundTrip(renderGateway(gw));
      expect(rendered).toBeGreaterThan(0);
    });
  }
});
