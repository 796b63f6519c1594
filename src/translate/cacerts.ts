/**
 * CA certificate references (BackendTLSPolicy validation.caCertificateRefs, Backend spec.tls):
 * a ConfigMap or a Secret in the referrer's namespace holding a PEM bundle under `ca.crt`.
 * Every reference is checked; the valid bundles are concatenated. The reasons are the
 * BackendTLSPolicy ones: InvalidKind for a kind other than ConfigMap or Secret (core group),
 * InvalidCACertificateRef for a missing object, a missing key, or content that holds no PEM
 * certificate.
 */
import type { ConfigMap, Secret } from "../apis";
import { isRecord, quote } from "../policy/report";
import type { Store } from "../store";

export const CA_KEY = "ca.crt";
/** BackendTLSPolicy allows 8 references. */
const MAX_REFS = 8;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

export interface CAProblem {
  reason: "InvalidKind" | "InvalidCACertificateRef";
  message: string;
}

export interface CABundle {
  /** The valid PEM bundles, joined by newlines ("" when none). */
  pem: string;
  valid: number;
  problems: CAProblem[];
}

function secretText(secret: Secret): string | undefined {
  const raw = isRecord(secret.data) ? secret.data[CA_KEY] : undefined;
  if (typeof raw === "string") return Buffer.from(raw, "base64").toString("utf8");
  const plain = isRecord(secret.stringData) ? secret.stringData[CA_KEY] : undefined;
  return typeof plain === "string" ? plain : undefined;
}

function configMapText(cm: ConfigMap): string | undefined {
  const raw = isRecord(cm.data) ? cm.data[CA_KEY] : undefined;
  return typeof raw === "string" ? raw : undefined;
}

function loadOne(store: Store, namespace: string, ref: unknown, field: string): { pem: string } | CAProblem {
  if (!isRecord(ref) || typeof ref.name !== "string" || ref.name === "") {
    return { reason: "InvalidCACertificateRef", message: `${field} must name a ConfigMap or Secret` };
  }
  const group = typeof ref.group === "string" ? ref.group : "";
  const kind = ref.kind;
  if (group !== "" || (kind !== "ConfigMap" && kind !== "Secret")) {
    const gk = group === "" ? String(kind) : `${group}/${String(kind)}`;
    return { reason: "InvalidKind", message: `${field}: kind ${quote(gk)} is not supported; refer to a ConfigMap or Secret holding ${CA_KEY}` };
  }
  const what = `${kind} ${namespace}/${ref.name}`;
  const obj = store.get<ConfigMap | Secret>(kind, namespace, ref.name);
  if (!obj) return { reason: "InvalidCACertificateRef", message: `${field}: ${what} not found` };
  const text = kind === "Secret" ? secretText(obj as Secret) : configMapText(obj as ConfigMap);
  if (text === undefined) return { reason: "InvalidCACertificateRef", message: `${field}: ${what} has no ${CA_KEY} key` };
  if (!PEM_CERT.test(text)) return { reason: "InvalidCACertificateRef", message: `${field}: ${what} key ${CA_KEY} holds no PEM certificate` };
  return { pem: text.trim() };
}

/** Loads every reference of a list; `namespace` is the referrer's. Never throws. */
export function loadCACertificates(store: Store, namespace: string, refs: unknown, field: string): CABundle {
  const out: CABundle = { pem: "", valid: 0, problems: [] };
  if (!Array.isArray(refs)) return out;
  const pems: string[] = [];
  refs.slice(0, MAX_REFS).forEach((ref, i) => {
    const got = loadOne(store, namespace, ref, `${field}[${i}]`);
    if ("pem" in got) pems.push(got.pem);
    else out.problems.push(got);
  });
  out.valid = pems.length;
  out.pem = pems.length ? `${pems.join("\n")}\n` : "";
  return out;
}
