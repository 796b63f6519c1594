/**
 * Streams bound to the Gateway their client certificate names, over real gRPC with mTLS: the
 * server takes its TLS material as PEM text (as the watcher passes it), the CA and the Gateway
 * certificates are made by the controller's own code, and variants (URI only, common name only,
 * URI and common name disagreeing, neither) are signed by the same CA in the test.
 */
import * as grpc from "@grpc/grpc-js";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clientTLSSource } from "../../../src/controller/xdsmaterial";
import { createCA, issue, type KeyPair } from "../../../src/controller/xdstls";
import { prometheusText } from "../../../src/xds/server/metrics";
import type { SnapshotCache } from "../../../src/xds/cache";
import type { XdsServer } from "../../../src/xds/server";
import { createTestCA, issuer, type Issuer, type Pem } from "./certs";
import { type Response, TestClient, TypeUrl, basicResources, secret, snapshotOf, startServer, until } from "./helpers";

const A = "default/a";
const B = "default/b";
let ca: KeyPair;
let sign: Issuer;
let gatewayA: Pem;

beforeAll(() => {
  ca = createCA(Date.now());
  sign = issuer(ca);
  const { cert, key } = clientTLSSource(ca, Date.now)({ namespace: "default", name: "a" }, undefined);
  gatewayA = { cert, key };
});

let server: XdsServer | undefined;
let cache: SnapshotCache;
let logs: string[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop(200);
  server = undefined;
});

function resourcesOf(gateway: string) {
  return { ...basicResources({ clusters: [`${gateway}/c`] }), [TypeUrl.Secret]: [secret(`${gateway}-cert`)] };
}

/** A server with snapshots for A and B; mTLS unless `mode` says otherwise. */
async function serve(mode: "mtls" | "tls" | "plaintext" = "mtls"): Promise<number> {
  const serverPem = issue(ca, { commonName: "localhost", dnsNames: ["localhost"], usage: "server", nowMs: Date.now() });
  const tls = mode === "plaintext" ? undefined : { cert: serverPem.cert, key: serverPem.key, clientCa: mode === "mtls" ? ca.cert : undefined };
  const started = await startServer({ tls });
  server = started.server;
  logs = started.logs;
  cache = started.cache;
  cache.set(snapshotOf(A, resourcesOf(A)));
  cache.set(snapshotOf(B, resourcesOf(B)));
  return started.port;
}

function client(port: number, pem?: Pem, trust = ca.cert): TestClient {
  const creds = trust === "" ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(Buffer.from(trust), pem ? Buffer.from(pem.key) : null, pem ? Buffer.from(pem.cert) : null);
  const c = new TestClient(port, creds, { "grpc.ssl_target_name_override": "localhost" });
  clients.push(c);
  return c;
}

interface Outcome {
  /** The gRPC status name the stream ended with, or "ok" when it got a response. */
  status: string;
  details: string;
  received: Response[];
}

/**
 * Opens a stream and asks, as `node`, for every Cluster and for the Gateway's Secret. Resolves
 * with the first response, or with the status the stream ends with.
 */
async function ask(c: TestClient, variant: "sotw" | "delta", node: Record<string, string>, secretName: string): Promise<Outcome> {
  const s = variant === "sotw" ? c.sotw() : c.delta();
  const names = variant === "sotw" ? { resourceNames: [secretName] } : { resourceNamesSubscribe: [secretName] };
  s.send({ node, typeUrl: TypeUrl.Cluster });
  s.send({ node, typeUrl: TypeUrl.Secret, ...names });
  await until(() => s.received.length > 0 || s.error !== undefined, "a response or the stream's end", 20_000);
  if (s.error === undefined) {
    await until(() => s.received.length >= 2, "both responses");
    s.close();
    return { status: "ok", details: "", received: s.received };
  }
  const err = s.error as grpc.ServiceError;
  return { status: grpc.status[err.code], details: err.details, received: s.received };
}

const namesOf = (o: Outcome) => o.received.flatMap(r => r.resources.map(x => x.name)).sort();

describe("mTLS: a stream gets only the Gateway its client certificate names", () => {
  it("serves the certificate's Gateway, SotW and delta, its Secrets included", async () => {
    const port = await serve();
    for (const variant of ["sotw", "delta"] as const) {
      const got = await ask(client(port, gatewayA), variant, { id: "default/a/envoy-1", cluster: A }, `${A}-cert`);
      expect(got.status).toBe("ok");
      expect(namesOf(got)).toEqual([`${A}-cert`, `${A}/c`]);
    }
    // A node that names no Gateway is served its certificate's.
    const anonymous = await ask(client(port, gatewayA), "delta", { id: "app" }, `${A}-cert`);
    expect(namesOf(anonymous)).toEqual([`${A}-cert`, `${A}/c`]);
    expect(server?.metrics.deniedStreams.size).toBe(0);
  });

  it("refuses a node asking for another Gateway with PERMISSION_DENIED: none of its resources, one log line, counted", async () => {
    const port = await serve();
    const outcomes = [
      await ask(client(port, gatewayA), "sotw", { id: "default/b/envoy-1", cluster: B }, `${B}-cert`),
      await ask(client(port, gatewayA), "delta", { id: "default/b/envoy-2", cluster: B }, `${B}-cert`),
      // node.id names B when node.cluster names nothing (the node rule).
      await ask(client(port, gatewayA), "delta", { id: "default/b/envoy-3" }, `${B}-cert`),
    ];
    for (const o of outcomes) {
      expect(o.status).toBe("PERMISSION_DENIED");
      expect(o.details).toContain("asks for Gateway default/b, but its client certificate is for Gateway default/a");
      expect(o.received).toEqual([]);
    }
    expect(logs.filter(l => l.includes("refused"))).toHaveLength(1);
    expect(server?.metrics.deniedStreams.get(A)).toBe(3);
    expect(prometheusText(server!.metrics, cache.stats())).toContain('peg_xds_denied_streams_total{certificate_gateway="default/a"} 3');
    await until(() => server?.openStreams().total === 0, "refused streams to be forgotten");
    // The connection is not spoiled: the same client still gets its own Gateway.
    const own = await ask(clients[0], "sotw", { id: "default/a/envoy-1", cluster: A }, `${A}-cert`);
    expect(namesOf(own)).toEqual([`${A}-cert`, `${A}/c`]);
  });

  it("reads the URI SAN first and the common name as a fallback", async () => {
    const port = await serve();
    const uriOnly = sign.client({ uris: ["peg://gateway/default/b"] });
    const cnOnly = sign.client({ commonName: B });
    const disagree = sign.client({ commonName: A, uris: ["peg://gateway/default/b"] });
    for (const pem of [uriOnly, cnOnly, disagree]) {
      const got = await ask(client(port, pem), "delta", { id: "x", cluster: B }, `${B}-cert`);
      expect(namesOf(got)).toEqual([`${B}-cert`, `${B}/c`]);
    }
    const denied = await ask(client(port, disagree), "sotw", { id: "x", cluster: A }, `${A}-cert`);
    expect([denied.status, denied.received]).toEqual(["PERMISSION_DENIED", []]);
  });

  it("is not fooled by a URI spelled inside another name", async () => {
    const port = await serve();
    const sneaky = sign.client({ commonName: A, dnsNames: ["x, URI:peg://gateway/default/b"] });
    const denied = await ask(client(port, sneaky), "delta", { id: "x", cluster: B }, `${B}-cert`);
    expect([denied.status, denied.received]).toEqual(["PERMISSION_DENIED", []]);
    const own = await ask(client(port, sneaky), "delta", { id: "x", cluster: A }, `${A}-cert`);
    expect(namesOf(own)).toEqual([`${A}-cert`, `${A}/c`]);
  });

  it("refuses every stream of a certificate that names no Gateway, or names it badly", async () => {
    const port = await serve();
    const cases: Array<[Pem, string]> = [
      [sign.client({ commonName: "envoy" }), 'its common name "envoy" is not <namespace>/<name>'],
      [sign.client({}), "it has no common name"],
      [sign.client({ commonName: A, uris: ["peg://gateway/default/A_B"] }), 'its URI "peg://gateway/default/A_B" is not'],
      [sign.client({ uris: ["peg://gateway/default/a", "peg://gateway/default/b"] }), "its URIs name several Gateways (default/a, default/b)"],
    ];
    for (const [pem, problem] of cases) {
      const got = await ask(client(port, pem), "delta", { id: "x", cluster: A }, `${A}-cert`);
      expect(got.status).toBe("PERMISSION_DENIED");
      expect(got.details).toContain(`the client certificate names no Gateway: ${problem}`);
      expect(got.received).toEqual([]);
    }
    expect(server?.metrics.deniedStreams.get("")).toBe(4);
  });

  it("refuses a certificate from another CA, or none, at the handshake", async () => {
    const port = await serve();
    const stranger = issuer(createTestCA("another CA")).client({ commonName: A, uris: ["peg://gateway/default/a"] });
    for (const pem of [stranger, undefined]) {
      const got = await ask(client(port, pem), "delta", { id: "x", cluster: A }, `${A}-cert`);
      expect([got.status, got.received]).toEqual(["UNAVAILABLE", []]);
    }
  });
});

describe("without client certificates the node rule alone decides", () => {
  it("plaintext: a node gets the Gateway it names", async () => {
    const port = await serve("plaintext");
    for (const gw of [A, B]) {
      const got = await ask(client(port, undefined, ""), "sotw", { id: "n", cluster: gw }, `${gw}-cert`);
      expect(namesOf(got)).toEqual([`${gw}-cert`, `${gw}/c`]);
    }
  });

  it("TLS without a client CA: the same", async () => {
    const port = await serve("tls");
    const got = await ask(client(port), "delta", { id: "n", cluster: B }, `${B}-cert`);
    expect(namesOf(got)).toEqual([`${B}-cert`, `${B}/c`]);
    expect(server?.metrics.deniedStreams.size).toBe(0);
  });
});
