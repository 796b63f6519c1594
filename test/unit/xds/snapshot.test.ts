/**
 * Snapshots: strict encoding, content versions, and the consistency rules (every EDS cluster has
 * an assignment, every RDS name a route configuration, every SDS name a secret).
 */
import { describe, expect, it } from "vitest";
import { renderGateway } from "../../../src/xds/render";
import { SnapshotError, buildSnapshot } from "../../../src/xds/snapshot";
import { TypeUrl, type GatewayResources } from "../../../src/xds/types";
import { decodeMessage } from "../../../src/xds/encode";
import { gateway } from "./render-fixtures";

const resources = (): GatewayResources => renderGateway(gateway);

function errorOf(fn: () => unknown): SnapshotError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SnapshotError) return err;
    throw err;
  }
  throw new Error("expected a SnapshotError");
}

describe("buildSnapshot", () => {
  it("holds every resource by type and name, bytes decoding to the message", () => {
    const snap = buildSnapshot(resources());
    expect(snap.gateway).toBe("default/eg");
    expect([...snap.resources.get(TypeUrl.Cluster)!.keys()]).toEqual([
      "backend/default/httpbin/443",
      "backend/default/ips/8443",
      "backend/default/sock/0",
      "service/default/grpc/9000",
      "service/default/web/8080",
    ]);
    expect([...snap.resources.get(TypeUrl.Endpoint)!.keys()]).toEqual(["service/default/grpc/9000", "service/default/web/8080"]);
    const listener = snap.resources.get(TypeUrl.Listener)!.get("default/eg/80")!;
    expect(decodeMessage(TypeUrl.Listener, listener.bytes).name).toBe("default/eg/80");
    expect(listener.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it("the same content has the same versions; a change moves the resource's and the snapshot's version only", () => {
    const a = buildSnapshot(resources());
    const b = buildSnapshot(resources());
    expect(b.version).toBe(a.version);
    const changed = resources();
    changed.clusters = changed.clusters.map(c => (c.name === "service/default/web/8080" ? { ...c, connectTimeout: { seconds: 3 } } : c));
    const c = buildSnapshot(changed);
    expect(c.version).not.toBe(a.version);
    const versions = (s: typeof a, name: string) => s.resources.get(TypeUrl.Cluster)!.get(name)!.version;
    expect(versions(c, "service/default/web/8080")).not.toBe(versions(a, "service/default/web/8080"));
    expect(versions(c, "service/default/grpc/9000")).toBe(versions(a, "service/default/grpc/9000"));
  });

  it("an EDS cluster without its ClusterLoadAssignment is refused, naming the cluster", () => {
    const r = resources();
    r.endpoints = r.endpoints.filter(e => e.clusterName !== "service/default/grpc/9000");
    const err = errorOf(() => buildSnapshot(r));
    expect(err.resource).toBe("Cluster service/default/grpc/9000");
    expect(err.message).toContain("ClusterLoadAssignment");
  });

  it("a listener naming a missing route configuration is refused", () => {
    const r = resources();
    r.routes = r.routes.filter(rc => rc.name !== "default/eg/443");
    const err = errorOf(() => buildSnapshot(r));
    expect(err.resource).toBe("Listener default/eg/443");
    expect(err.message).toContain("default/eg/443");
  });

  it("a missing SDS secret is refused for listeners and clusters", () => {
    const r = resources();
    r.secrets = r.secrets.filter(s => s.name !== "cert/default/tls");
    expect(errorOf(() => buildSnapshot(r)).resource).toBe("Listener default/eg/443");
    const r2 = resources();
    r2.secrets = r2.secrets.filter(s => s.name !== "ca/default/api-ca");
    expect(errorOf(() => buildSnapshot(r2)).resource).toBe("Cluster backend/default/ips/8443");
  });

  it("an unencodable resource is refused with its name and the proto problem", () => {
    const r = resources();
    r.clusters = [...r.clusters, { name: "bad", conectTimeout: { seconds: 1 } }];
    const err = errorOf(() => buildSnapshot(r));
    expect(err.resource).toBe("Cluster bad");
    expect(err.message).toContain("conectTimeout: not a field");
  });

  it("two resources of a type with one name are refused", () => {
    const r = resources();
    r.secrets = [...r.secrets, r.secrets[0]];
    expect(errorOf(() => buildSnapshot(r)).message).toContain("defined twice");
  });
});
