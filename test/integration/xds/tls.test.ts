/**
 * The xDS port with TLS and with mTLS (certificates from files). The fixtures are a test CA (its
 * key discarded), a server certificate for 127.0.0.1, a client certificate it signed (common name
 * `envoy`, which names no Gateway), and a client certificate signed by another CA; all valid for a
 * century.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { type XdsServer, requiresClientCertificate, serverCredentials } from "../../../src/xds/server";
import { NODE, TestClient, TypeUrl, basicResources, snapshotOf, startServer, until } from "./helpers";

const dir = join(__dirname, "fixtures/tls");
const file = (name: string) => join(dir, name);
const read = (name: string) => readFileSync(file(name));

let server: XdsServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop(200);
});

async function serve(clientCa: boolean): Promise<number> {
  const started = await startServer({ tls: { certFile: file("server.crt"), keyFile: file("server.key"), clientCaFile: clientCa ? file("ca.crt") : undefined } });
  server = started.server;
  started.cache.set(snapshotOf("default/eg", basicResources()));
  return started.port;
}

function client(port: number, creds: grpc.ChannelCredentials): TestClient {
  // The certificate names 127.0.0.1 and localhost; TLS server names are host names, not addresses.
  const c = new TestClient(port, creds, { "grpc.ssl_target_name_override": "localhost" });
  clients.push(c);
  return c;
}

async function outcome(c: TestClient): Promise<string> {
  const s = c.delta();
  s.send({ node: NODE, typeUrl: TypeUrl.Cluster });
  const result = await Promise.race([
    s.next(20_000).then(r => `ok:${r.resources.length}`),
    until(() => s.error !== undefined, "the stream to fail", 20_000).then(() => `error:${grpc.status[(s.error as grpc.ServiceError).code]}`),
  ]);
  s.close();
  return result;
}

describe("xDS over TLS", () => {
  it("serves TLS clients that trust the server's CA", async () => {
    const port = await serve(false);
    expect(await outcome(client(port, grpc.credentials.createSsl(read("ca.crt"))))).toBe("ok:2");
    expect(await outcome(client(port, grpc.credentials.createInsecure()))).toBe("error:UNAVAILABLE");
  });

  it("with a client CA, requires a client certificate it signed (mTLS)", async () => {
    const port = await serve(true);
    // Signed by the CA, but its common name ("envoy") names no Gateway: past the handshake, refused
    // by the server (identity.test.ts has certificates that name Gateways).
    expect(await outcome(client(port, grpc.credentials.createSsl(read("ca.crt"), read("client.key"), read("client.crt"))))).toBe("error:PERMISSION_DENIED");
    expect(await outcome(client(port, grpc.credentials.createSsl(read("ca.crt"))))).toBe("error:UNAVAILABLE");
    expect(await outcome(client(port, grpc.credentials.createSsl(read("ca.crt"), read("stranger.key"), read("stranger.crt"))))).toBe("error:UNAVAILABLE");
  });

  it("takes each part as PEM text or a file, and says which part is missing", () => {
    expect(() => serverCredentials({ key: read("server.key").toString() })).toThrow("xDS TLS: the server certificate is missing");
    expect(() => serverCredentials({ cert: read("server.crt").toString(), keyFile: file("server.key"), clientCa: read("ca.crt").toString() })).not.toThrow();
    expect(requiresClientCertificate({ certFile: "c", keyFile: "k", clientCaFile: "ca" })).toBe(true);
    expect(requiresClientCertificate({ cert: "c", key: "k" })).toBe(false);
    expect(requiresClientCertificate(undefined)).toBe(false);
  });
});
