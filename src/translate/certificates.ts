/**
 * Listener TLS certificates: resolves an HTTPS listener's certificateRefs to kubernetes.io/tls
 * Secrets and checks that each holds a parseable PEM certificate and the private key that matches
 * it. A reference to another namespace needs a ReferenceGrant (else RefNotPermitted); an unknown
 * kind, a missing Secret or malformed data is InvalidCertificateRef. Parsing is pure (no I/O, no
 * clock: expiry is not checked) and remembered per Secret object.
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import type { Gateway, GatewayListener, Secret } from "../apis";
import type { SecretIR } from "../ir/types";
import type { Store } from "../store";
import { referenceAllowed } from "./refgrant";
import { GATEWAY_GROUP, Reason, fail, type Verdict } from "./conditions";

export interface ListenerCertificates {
  secrets: Array<Extract<SecretIR, { kind: "certificate" }>>;
  /** Unset when every reference resolved. */
  problem?: Verdict;
}

type CertificateSecret = Extract<SecretIR, { kind: "certificate" }>;
const parsed = new WeakMap<object, CertificateSecret | string>();

function field(secret: Secret, key: string): string | undefined {
  const plain = secret.stringData?.[key];
  if (typeof plain === "string") return plain;
  const encoded = secret.data?.[key];
  return typeof encoded === "string" ? Buffer.from(encoded, "base64").toString("utf8") : undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The certificate material of a kubernetes.io/tls Secret, or why it cannot be used. */
export function readTLSSecret(secret: Secret, name: string): CertificateSecret | string {
  const cached = parsed.get(secret);
  if (cached !== undefined) return cached;
  let out: CertificateSecret | string;
  if (secret.type !== "kubernetes.io/tls") {
    out = `Secret ${name} is of type "${String(secret.type ?? "")}", not kubernetes.io/tls`;
  } else {
    const chain = field(secret, "tls.crt");
    const key = field(secret, "tls.key");
    if (!chain || !key) out = `Secret ${name} lacks tls.crt or tls.key`;
    else out = checkPair(chain, key, name);
  }
  parsed.set(secret, out);
  return out;
}

function checkPair(chain: string, key: string, name: string): CertificateSecret | string {
  if (!chain.includes("-----BEGIN CERTIFICATE-----")) return `Secret ${name}: tls.crt holds no PEM certificate`;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(chain);
  } catch (err) {
    return `Secret ${name}: tls.crt is not a valid certificate (${errorText(err)})`;
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(key))) return `Secret ${name}: tls.key does not match the certificate`;
  } catch (err) {
    return `Secret ${name}: tls.key is not a valid private key (${errorText(err)})`;
  }
  return { name: `certificate/${name}`, kind: "certificate", certificateChain: chain, privateKey: key };
}

/** Resolves every certificateRef of an HTTPS listener; the first failure gives the reason. */
export function listenerCertificates(store: Store, gateway: Gateway, listener: GatewayListener): ListenerCertificates {
  const gwNamespace = gateway.metadata?.namespace ?? "";
  const refs = listener.tls?.certificateRefs;
  if (!Array.isArray(refs) || refs.length === 0) {
    return { secrets: [], problem: fail(Reason.InvalidCertificateRef, "an HTTPS listener needs at least one certificateRef") };
  }
  const secrets: CertificateSecret[] = [];
  const problems: Verdict[] = [];
  for (const ref of refs) {
    const group = ref?.group ?? "";
    const kind = ref?.kind ?? "Secret";
    const namespace = typeof ref?.namespace === "string" && ref.namespace ? ref.namespace : gwNamespace;
    const name = String(ref?.name ?? "");
    const id = `${namespace}/${name}`;
    if (group !== "" || kind !== "Secret") {
      problems.push(fail(Reason.InvalidCertificateRef, `certificateRef ${id} of kind ${kind} in group "${group}" is not a core Secret`));
      continue;
    }
    const from = { group: GATEWAY_GROUP, kind: "Gateway", namespace: gwNamespace };
    if (!referenceAllowed(store, from, { group: "", kind: "Secret", namespace, name })) {
      problems.push(fail(Reason.RefNotPermitted, `no ReferenceGrant in namespace ${namespace} allows this Gateway to use Secret ${name}`));
      continue;
    }
    const secret = store.get<Secret>("Secret", namespace, name);
    const read = secret ? readTLSSecret(secret, id) : `Secret ${id} does not exist`;
    if (typeof read === "string") problems.push(fail(Reason.InvalidCertificateRef, read));
    else if (!secrets.some(s => s.name === read.name)) secrets.push(read);
  }
  if (problems.length === 0) return { secrets };
  return { secrets, problem: fail(problems[0].reason, problems.map(p => p.message).join("; ")) };
}
