/**
 * Self-signed certificate authorities and leaf certificates for tests: the API server's serving
 * certificate, client certificates, and webhook servers' certificates. Keys come from Node's crypto
 * (fast, native); node-forge only assembles and signs the X.509 certificates.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

export interface KeyPair {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (PKCS#8). */
  key: string;
}

export interface CertificateAuthority extends KeyPair {
  /** Issues a leaf certificate signed by this CA. */
  issue(opts: LeafOptions): KeyPair;
}

export interface LeafOptions {
  commonName: string;
  /** DNS names for the subjectAltName extension. */
  dnsNames?: string[];
  /** IP addresses for the subjectAltName extension. */
  ips?: string[];
  /** Organisations (Kubernetes reads them as groups of a client certificate). */
  organizations?: string[];
  /** Server (default) or client certificate. */
  usage?: "server" | "client";
}

function newKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function baseCertificate(publicKeyPem: string, days: number) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  // A positive serial number: force the high bit off.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString("hex");
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + days * 24 * 60 * 60 * 1000);
  return cert;
}

function subject(commonName: string, organizations: string[] = []) {
  return [{ name: "commonName", value: commonName }, ...organizations.map((o) => ({ name: "organizationName", value: o }))];
}

/** Creates a new self-signed certificate authority. */
export function createCA(commonName = "test-ca"): CertificateAuthority {
  const keys = newKeyPair();
  const cert = baseCertificate(keys.publicKeyPem, 3650);
  const attrs = subject(commonName);
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  const caKey = forge.pki.privateKeyFromPem(keys.privateKeyPem);
  cert.sign(caKey, forge.md.sha256.create());
  const caCert = cert;
  return {
    cert: forge.pki.certificateToPem(caCert),
    key: keys.privateKeyPem,
    issue: (opts) => issueLeaf(caCert, caKey, opts),
  };
}

function issueLeaf(caCert: unknown, caKey: unknown, opts: LeafOptions): KeyPair {
  const keys = newKeyPair();
  const cert = baseCertificate(keys.publicKeyPem, 365);
  cert.setSubject(subject(opts.commonName, opts.organizations));
  cert.setIssuer((caCert as { subject: { attributes: unknown } }).subject.attributes);
  const altNames = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(opts.ips ?? []).map((ip) => ({ type: 7, ip })),
  ];
  const client = opts.usage === "client";
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: !client, clientAuth: client },
    ...(altNames.length > 0 ? [{ name: "subjectAltName", altNames }] : []),
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privateKeyPem };
}
