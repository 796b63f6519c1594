/**
 * Certificates for the mTLS tests, made per test run: a CA, and signed by any CA (the controller's
 * too) a server certificate for 127.0.0.1 and localhost and client certificates with any common
 * name and URI SANs (or none). Keys come from Node's crypto; node-forge assembles and signs.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

export interface Pem {
  cert: string;
  key: string;
}

export interface Issuer {
  server(): Pem;
  /** A client certificate; `commonName` undefined gives a subject without one. */
  client(opts: { commonName?: string; uris?: string[]; dnsNames?: string[] }): Pem;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function certificate(subject: Array<{ name: string; value: string }>) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 30 * DAY_MS);
  cert.setSubject(subject);
  return { cert, key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

/** A new self-signed CA. */
export function createTestCA(name = "peg mTLS test CA"): Pem {
  const root = certificate([{ name: "commonName", value: name }]);
  root.cert.setIssuer(root.cert.subject.attributes);
  root.cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
  ]);
  root.cert.sign(forge.pki.privateKeyFromPem(root.key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(root.cert), key: root.key };
}

/** Issues certificates signed by `ca` (PEM certificate and PKCS#8 key). */
export function issuer(ca: Pem): Issuer {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const signer = forge.pki.privateKeyFromPem(ca.key);
  const leaf = (subject: Array<{ name: string; value: string }>, usage: "server" | "client", altNames: unknown[]): Pem => {
    const made = certificate(subject);
    made.cert.setIssuer(caCert.subject.attributes);
    const extensions: unknown[] = [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: usage === "server", clientAuth: usage === "client" },
    ];
    if (altNames.length > 0) extensions.push({ name: "subjectAltName", altNames });
    made.cert.setExtensions(extensions);
    made.cert.sign(signer, forge.md.sha256.create());
    return { cert: forge.pki.certificateToPem(made.cert), key: made.key };
  };
  return {
    server: () => leaf([{ name: "commonName", value: "localhost" }], "server", [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }]),
    client: ({ commonName, uris = [], dnsNames = [] }) =>
      leaf(
        commonName === undefined ? [{ name: "organizationName", value: "peg tests" }] : [{ name: "commonName", value: commonName }],
        "client",
        [...dnsNames.map(value => ({ type: 2, value })), ...uris.map(value => ({ type: 6, value }))],
      ),
  };
}
