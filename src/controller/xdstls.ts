/**
 * The xDS mTLS material: a CA, the xDS server's certificate (DNS names of the xDS Service) and one
 * client certificate per Gateway (URI SAN `peg://gateway/namespace/name` and common name
 * `namespace/name`: the xDS server serves a stream only that Gateway's configuration). Keys
 * come from Node's crypto (RSA 2048); node-forge assembles and signs the certificates. Checks
 * (issuer, expiry, names) use Node's X509Certificate.
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from "node:crypto";
// Only the certificate parts of node-forge (the whole library would double its share of the bundle).
import forge from "node-forge/lib/forge";
import "node-forge/lib/x509";
import "node-forge/lib/sha256";

export interface KeyPair {
  cert: string;
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Reissue a certificate when less than this is left. */
export const RENEW_BEFORE_MS = 30 * DAY_MS;

function newKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function skeleton(publicPem: string, nowMs: number, days: number, commonName: string) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = new Date(nowMs - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(nowMs + days * DAY_MS);
  const subject = [
    { name: "commonName", value: commonName },
    { name: "organizationName", value: "pepr-envoy-gateway" },
  ];
  cert.setSubject(subject);
  return cert;
}

function signingKey(pkcs8Pem: string) {
  const der = createPrivateKey(pkcs8Pem).export({ type: "pkcs8", format: "der" });
  return forge.pki.privateKeyFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString("binary"))));
}

/** A self-signed CA. */
export function createCA(nowMs: number, days = 3650): KeyPair {
  const keys = newKeys();
  const cert = skeleton(keys.publicPem, nowMs, days, "pepr-envoy-gateway xDS CA");
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(signingKey(keys.privatePem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privatePem };
}

export interface LeafOptions {
  commonName: string;
  dnsNames?: string[];
  /** URI subject alternative names. */
  uris?: string[];
  usage: "server" | "client";
  nowMs: number;
  days?: number;
}

/** A certificate signed by `ca`. */
export function issue(ca: KeyPair, opts: LeafOptions): KeyPair {
  const keys = newKeys();
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const cert = skeleton(keys.publicPem, opts.nowMs, opts.days ?? 365, opts.commonName);
  cert.setIssuer(caCert.subject.attributes);
  const extensions: unknown[] = [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: opts.usage === "server", clientAuth: opts.usage === "client" },
  ];
  const altNames = [...(opts.dnsNames ?? []).map(value => ({ type: 2, value })), ...(opts.uris ?? []).map(value => ({ type: 6, value }))];
  if (altNames.length > 0) extensions.push({ name: "subjectAltName", altNames });
  cert.setExtensions(extensions);
  cert.sign(signingKey(ca.key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privatePem };
}

/**
 * True when `pair` is a certificate `ca` issued, for `commonName`, valid for at least
 * RENEW_BEFORE_MS more, whose key matches it.
 */
export function stillGood(pair: Partial<KeyPair> | undefined, ca: KeyPair, commonName: string, nowMs: number, dnsNames: string[] = []): boolean {
  if (!pair?.cert || !pair.key) return false;
  try {
    const cert = new X509Certificate(pair.cert);
    const issuer = new X509Certificate(ca.cert);
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false;
    if (!cert.subject.split("\n").includes(`CN=${commonName}`)) return false;
    if (Date.parse(cert.validTo) - nowMs < RENEW_BEFORE_MS) return false;
    if (!cert.checkPrivateKey(createPrivateKey(pair.key))) return false;
    return dnsNames.every(n => cert.checkHost(n) !== undefined);
  } catch {
    return false;
  }
}

/** When a certificate is due for reissue: RENEW_BEFORE_MS before it expires. */
export function renewalTime(cert: string): number {
  return Date.parse(new X509Certificate(cert).validTo) - RENEW_BEFORE_MS;
}

/** True when `ca` is a usable CA (parses, key matches, not close to expiry). */
export function caStillGood(ca: Partial<KeyPair> | undefined, nowMs: number): ca is KeyPair {
  if (!ca?.cert || !ca.key) return false;
  try {
    const cert = new X509Certificate(ca.cert);
    return cert.ca && cert.checkPrivateKey(createPrivateKey(ca.key)) && Date.parse(cert.validTo) - nowMs >= RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

/** The DNS names of the xDS Service that the server certificate must carry. */
export function xdsServiceNames(service: string, namespace: string, clusterDomain: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`];
}
