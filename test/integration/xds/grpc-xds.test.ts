/**
 * The real proxyless xDS client (@grpc/grpc-js-xds, state of the world) against our server, with
 * snapshots of hand-written Envoy messages: calls to xds:///www.example.com reach loopback gRPC
 * backends through the API listener we synthesise, the RouteConfiguration, Clusters and
 * ClusterLoadAssignments. Manifest-driven tests (through `peg serve`) live in their own file.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SnapshotCache } from "../../../src/xds/cache";
import { XdsServer } from "../../../src/xds/server";
import { type Backend, XdsWhoClient, startBackend } from "./backends";
import { TypeUrl, assignment, edsCluster, httpListener, routeConfig, snapshotOf, until, type RouteSpec } from "./helpers";
import type { EnvoyMessage } from "../../../src/xds/types";

let blue: Backend;
let green: Backend;
let spare: Backend;
let cache: SnapshotCache;
let server: XdsServer;
let port: number;

interface World {
  main?: RouteSpec;
  endpoints?: { blue?: Backend; green?: Backend };
  extraRoutes?: EnvoyMessage[];
}

function publish(w: World = {}): void {
  const eps = { blue: w.endpoints?.blue ?? blue, green: w.endpoints?.green ?? green };
  const rc = routeConfig("default/eg/80", [
    {
      name: "www",
      domains: ["www.example.com"],
      routes: [{ prefix: "/", headers: [{ name: "x-tenant", exact: "green" }], cluster: "green" }, w.main ?? { prefix: "/", cluster: "blue" }],
    },
  ]);
  if (w.extraRoutes) ((rc.virtualHosts as Array<{ routes: EnvoyMessage[] }>)[0].routes).unshift(...w.extraRoutes);
  cache.set(
    snapshotOf("default/eg", {
      [TypeUrl.Cluster]: [edsCluster("blue"), edsCluster("green")],
      [TypeUrl.Endpoint]: [assignment("blue", [["127.0.0.1", eps.blue.port]]), assignment("green", [["127.0.0.1", eps.green.port]])],
      [TypeUrl.Listener]: [httpListener("default/eg/80", 80, "default/eg/80")],
      [TypeUrl.Route]: [rc],
    }),
  );
}

async function startXds(atPort = 0): Promise<number> {
  server = new XdsServer({ cache });
  return server.listen(`127.0.0.1:${atPort}`);
}

beforeAll(async () => {
  [blue, green, spare] = await Promise.all([startBackend("blue"), startBackend("green"), startBackend("spare")]);
});

afterAll(async () => {
  await Promise.all([blue, green, spare].map(b => b.stop()));
});

// A fresh cache and server per test, so that metrics count this test's client only.
beforeEach(async () => {
  cache = new SnapshotCache();
  publish();
  port = await startXds();
});

afterEach(async () => {
  await server.stop(500);
});

describe("grpc-js-xds client against the xDS server", () => {
  it("routes calls through the gateway's routes, by header, with weights, and follows updates", async () => {
    const client = new XdsWhoClient("xds:///www.example.com", port);
    expect(await client.who()).toBe("blue");
    expect(await client.who({ "x-tenant": "green" })).toBe("green");

    publish({ main: { prefix: "/", weighted: [["blue", 1], ["green", 3]] } });
    await client.until("green");
    const tally = await client.tally(200);
    expect(Object.keys(tally).sort()).toEqual(["blue", "green"]);
    expect(tally.green).toBeGreaterThan(tally.blue);

    publish({ main: { prefix: "/", cluster: "green" } });
    await client.untilOnly("green", 40);

    // An EDS-only change: the "blue" cluster now points at the spare backend.
    publish({ endpoints: { blue: spare } });
    await client.until("spare");
    expect(await client.tally(20)).toEqual({ spare: 20 });
    client.close();
  });

  it("keeps the last good config after a NACK, and the server does not resend it", async () => {
    publish();
    const client = new XdsWhoClient("xds:///www.example.com", port, { id: "grpc-nack", cluster: "default/eg" });
    await client.until("blue");
    const rdsPushesBefore = server.metrics.pushes.get(`sotw|${TypeUrl.Route}`) ?? 0;
    // A redirect is valid Envoy configuration, but gRPC clients reject route actions other than route.
    publish({ main: { prefix: "/", cluster: "green" }, extraRoutes: [{ match: { prefix: "/never" }, redirect: { hostRedirect: "elsewhere.example.com" } }] });
    await until(() => server.metrics.nackCount() >= 1, "the client to NACK the route table");
    const nack = [...server.metrics.nacks.values()].find(n => n.typeUrl === TypeUrl.Route);
    expect(nack?.message).toContain("redirect");
    expect(await client.tally(10)).toEqual({ blue: 10 });
    // An EDS-only change is still applied; the rejected route table was not sent again.
    publish({ main: { prefix: "/", cluster: "green" }, extraRoutes: [{ match: { prefix: "/never" }, redirect: { hostRedirect: "elsewhere.example.com" } }], endpoints: { blue: spare } });
    await client.until("spare");
    const rdsPushes = (server.metrics.pushes.get(`sotw|${TypeUrl.Route}`) ?? 0) - rdsPushesBefore;
    expect(rdsPushes).toBe(1);
    expect(server.metrics.nackCount()).toBe(1);
    client.close();
  });

  it("reconnects after a server restart and takes updates from the new server", async () => {
    publish();
    const client = new XdsWhoClient("xds:///www.example.com", port, { id: "grpc-restart", cluster: "default/eg" });
    await client.until("blue");
    await server.stop(200);
    expect(await client.who()).toBe("blue"); // cached configuration keeps working
    await startXds(port);
    publish({ main: { prefix: "/", cluster: "green" } });
    await client.until("green");
    await until(() => server.metrics.streams.sotw >= 1, "the client to reconnect");
    client.close();
  });
});
