/**
 * Config dumps: the admin *ConfigDump wrappers use the admin protos' own field names, resources
 * are canonical proto3 JSON (durations "1.5s", wrappers bare, enums by name) and private keys
 * are redacted.
 */
import { describe, expect, it } from "vitest";
import { configDump, durationJson, REDACTED } from "../../../src/xds/configdump";
import { strictProblems } from "../../../src/xds/encode";
import { renderGateway } from "../../../src/xds/render";
import { buildSnapshot } from "../../../src/xds/snapshot";
import { gateway, KEY_PEM } from "./render-fixtures";

type Obj = Record<string, any>;
const snapshot = buildSnapshot(renderGateway(gateway));

/** The dump with every embedded resource cut down to its @type, the rest of the wrapper kept. */
function skeleton(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(skeleton);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Obj;
  if (typeof obj["@type"] === "string" && !obj["@type"].includes("envoy.admin.")) return { "@type": obj["@type"] };
  return Object.fromEntries(Object.entries(obj).filter(([k]) => k !== "@type").map(([k, v]) => [k, skeleton(v)]));
}

describe("configDump", () => {
  const all = configDump(snapshot) as { configs: Obj[] };

  it("lists the five dumps in Envoy's order, each wrapper valid against the admin protos", () => {
    const types = all.configs.map(c => c["@type"]);
    expect(types).toEqual(["ListenersConfigDump", "RoutesConfigDump", "ClustersConfigDump", "EndpointsConfigDump", "SecretsConfigDump"].map(t => `type.googleapis.com/envoy.admin.v3.${t}`));
    for (const dump of all.configs) {
      const name = String(dump["@type"]).split("/")[1];
      expect(strictProblems(name, skeleton(dump)), name).toEqual([]);
    }
  });

  it("a single type is that dump alone", () => {
    expect(configDump(snapshot, "endpoint")["@type"]).toBe("type.googleapis.com/envoy.admin.v3.EndpointsConfigDump");
  });

  it("resources are proto3 JSON: durations as strings, wrappers as values, enums by name", () => {
    const clusters = all.configs[2].dynamicActiveClusters.map((c: Obj) => c.cluster);
    const dns = clusters.find((c: Obj) => c.name === "backend/default/httpbin/443");
    expect(dns.connectTimeout).toBe("10s");
    expect(dns.dnsRefreshRate).toBe("30s");
    expect(dns.type).toBe("STRICT_DNS");
    const route = all.configs[1].dynamicRouteConfigs.find((r: Obj) => r.routeConfig.name === "default/eg/80").routeConfig;
    const split = route.virtualHosts[0].routes.find((r: Obj) => r.name === "split");
    expect(split.route.weightedClusters.clusters[0].weight).toBe(3);
    expect(split.route.retryPolicy.perTryTimeout).toBe("2.500s");
    expect(route.validateClusters).toBe(false);
    expect(all.configs[2].dynamicActiveClusters[0].versionInfo).toMatch(/^[0-9a-f]{16}$/);
  });

  it("private keys are redacted, certificates are not", () => {
    const secret = all.configs[4].dynamicActiveSecrets.find((s: Obj) => s.name === "cert/default/tls").secret;
    expect(secret.tlsCertificate.privateKey).toEqual({ inlineString: REDACTED });
    expect(JSON.stringify(all)).not.toContain(KEY_PEM.split("\n")[1]);
    expect(secret.tlsCertificate.certificateChain.inlineString).toContain("BEGIN CERTIFICATE");
  });

  it("durations: 0, 3, 6 or 9 fractional digits", () => {
    expect(durationJson({ seconds: 30 })).toBe("30s");
    expect(durationJson({})).toBe("0s");
    expect(durationJson({ seconds: 1, nanos: 500_000_000 })).toBe("1.500s");
    expect(durationJson({ seconds: 0, nanos: 1_000 })).toBe("0.000001s");
    expect(durationJson({ seconds: 0, nanos: 1 })).toBe("0.000000001s");
  });
});
