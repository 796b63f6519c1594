import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { caStillGood, createCA, issue, stillGood, xdsServiceNames } from "../../../src/controller/xdstls";
import { clientTLSSource, reconcileServerMaterial, xdsService } from "../../../src/controller/xdsmaterial";
import { watcherOptions } from "../../../src/controller/options";
import { certificateGateway } from "../../../src/xds/server/identity";

const NOW = Date.parse("2026-06-01T00:00:00Z");
const DAY = 24 * 60 * 60 * 1000;
const ca = createCA(NOW);
const names = xdsServiceNames("pepr-envoy-gateway-xds", "pepr-system", "cluster.local");
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("xDS certificates", () => {
  it("issues a server certificate for the xDS Service names, chained to the CA", () => {
    const server = issue(ca, { commonName: names[0], dnsNames: names, usage: "server", nowMs: NOW });
    const x = new X509Certificate(server.cert);
    expect(x.checkIssued(new X509Certificate(ca.cert))).toBe(true);
    expect(x.checkHost("pepr-envoy-gateway-xds.pepr-system.svc.cluster.local")).toBeDefined();
    expect(x.keyUsage ?? []).toContain("1.3.6.1.5.5.7.3.1");
    expect(stillGood(server, ca, names[0], NOW, names)).toBe(true);
    expect(stillGood(server, ca, names[0], NOW, ["other.example"])).toBe(false);
    expect(stillGood(server, ca, names[0], NOW + 340 * DAY, names)).toBe(false);
  });

  it("rejects a certificate from another CA or with someone else's key", () => {
    const other = createCA(NOW);
    const leaf = issue(other, { commonName: "a/b", usage: "client", nowMs: NOW });
    expect(stillGood(leaf, ca, "a/b", NOW)).toBe(false);
    const mine = issue(ca, { commonName: "a/b", usage: "client", nowMs: NOW });
    expect(stillGood({ cert: mine.cert, key: leaf.key }, ca, "a/b", NOW)).toBe(false);
    expect(stillGood({ cert: "garbage", key: "x" }, ca, "a/b", NOW)).toBe(false);
    expect(caStillGood(ca, NOW)).toBe(true);
    expect(caStillGood({ cert: ca.cert, key: other.key }, NOW)).toBe(false);
    expect(caStillGood(undefined, NOW)).toBe(false);
  });
});

describe("server material", () => {
  it("generates when absent, keeps what is good, renews the server certificate from the same CA", () => {
    const first = reconcileServerMaterial(undefined, { serviceNames: names, nowMs: NOW });
    expect(first.write).toBe(true);
    const m = first.material;
    const stored = { metadata: { name: "s" }, data: { "ca.crt": b64(m.ca.cert), "ca.key": b64(m.ca.key), "tls.crt": b64(m.server.cert), "tls.key": b64(m.server.key) } };
    const again = reconcileServerMaterial(stored, { serviceNames: names, nowMs: NOW + DAY });
    expect(again.write).toBe(false);
    expect(again.material).toEqual(m);
    const later = reconcileServerMaterial(stored, { serviceNames: names, nowMs: NOW + 350 * DAY });
    expect(later.write).toBe(true);
    expect(later.material.ca).toEqual(m.ca);
    expect(later.material.server.cert).not.toBe(m.server.cert);
  });

  it("the xDS Service selects the watcher pod on port 18000", () => {
    const svc = xdsService(watcherOptions({})) as unknown as { metadata: { namespace: string }; spec: { selector: Record<string, string>; ports: Array<{ port: number }> } };
    expect(svc.metadata.namespace).toBe("pepr-system");
    expect(svc.spec.selector).toEqual({ app: "pepr-envoy-gateway-watcher", "pepr.dev/controller": "watcher" });
    expect(svc.spec.ports[0].port).toBe(18000);
  });
});

describe("client certificates per Gateway", () => {
  it("reuses the certificate in the Gateway's Secret, else the one issued before, else issues", () => {
    const source = clientTLSSource(ca, () => NOW);
    const first = source({ namespace: "a", name: "eg" }, undefined);
    expect(new X509Certificate(first.cert).subject).toContain("CN=a/eg");
    expect(source({ namespace: "a", name: "eg" }, undefined)).toEqual(first);
    const secret = { metadata: { name: "s" }, data: { "ca.crt": b64(ca.cert), "tls.crt": b64(first.cert), "tls.key": b64(first.key) } };
    const restarted = clientTLSSource(ca, () => NOW);
    expect(restarted({ namespace: "a", name: "eg" }, secret)).toEqual(first);
    // A Secret for another Gateway's name is not reused.
    expect(restarted({ namespace: "a", name: "other" }, secret).cert).not.toBe(first.cert);
  });

  it("names the Gateway by a URI SAN and by the common name, as the xDS server reads them", () => {
    const issued = clientTLSSource(ca, () => NOW)({ namespace: "team-a", name: "edge.v2" }, undefined);
    const x = new X509Certificate(issued.cert);
    expect(x.subjectAltName).toBe("URI:peg://gateway/team-a/edge.v2");
    expect(x.subject.split("\n")).toContain("CN=team-a/edge.v2");
    expect(x.keyUsage ?? []).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(certificateGateway(x.toLegacyObject())).toEqual({ gateway: "team-a/edge.v2", by: "uri" });
  });

  it("keeps a certificate issued with the common name only: the server still reads its Gateway", () => {
    const old = issue(ca, { commonName: "a/eg", usage: "client", nowMs: NOW });
    expect(new X509Certificate(old.cert).subjectAltName).toBeUndefined();
    const secret = { metadata: { name: "s" }, data: { "ca.crt": b64(ca.cert), "tls.crt": b64(old.cert), "tls.key": b64(old.key) } };
    expect(clientTLSSource(ca, () => NOW)({ namespace: "a", name: "eg" }, secret).cert).toBe(old.cert);
    expect(certificateGateway(new X509Certificate(old.cert).toLegacyObject())).toEqual({ gateway: "a/eg", by: "cn" });
  });
});

describe("watcherOptions", () => {
  it("defaults, and ignores invalid values", () => {
    const o = watcherOptions({});
    expect(o).toMatchObject({ xdsPort: 18000, xdsNamespace: "pepr-system", provision: true, resyncMs: 600_000 });
    expect(o.dataplane.serviceType).toBe("LoadBalancer");
    const p = watcherOptions({ PEG_XDS_PORT: "70000", PEG_ENVOY_SERVICE_TYPE: "Weird", PEG_PROVISION: "false", PEG_RESYNC_SECONDS: "0", PEG_XDS_NAMESPACE: "Bad_NS" });
    expect(p).toMatchObject({ xdsPort: 18000, provision: false, resyncMs: 0, xdsNamespace: "pepr-system" });
    expect(p.dataplane.serviceType).toBe("LoadBalancer");
    expect(watcherOptions({ PEG_ENVOY_SERVICE_TYPE: "ClusterIP" }).dataplane.serviceType).toBe("ClusterIP");
  });
});
