/**
 * Which Gateway a stream may be served, when the server requires client certificates (mTLS).
 *
 * A client certificate names its Gateway by
 *   1. a URI subject alternative name `peg://gateway/<namespace>/<name>` (what the controller
 *      issues); when the certificate carries any URI of that form, they decide: they must all
 *      be well formed and name the same Gateway;
 *   2. otherwise its subject common name `<namespace>/<name>` (certificates issued before the
 *      URI was added carry only that).
 * Namespace and name must be Kubernetes names. Every stream of a certificate that names no
 * Gateway this way is refused with PERMISSION_DENIED.
 *
 * Such a stream serves the certificate's Gateway. Its node may name that Gateway or none (the node
 * rule of ../cache.ts); a node naming another Gateway is refused with PERMISSION_DENIED. Without
 * client certificates (plaintext, or TLS without a client CA) the node rule alone decides.
 */
import { gatewayKeyOfNode, type NodeIdentity } from "../cache";

export const GATEWAY_URI_PREFIX = "peg://gateway/";

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** The URI SAN that names a Gateway in its proxies' client certificate. */
export function gatewayUri(namespace: string, name: string): string {
  return `${GATEWAY_URI_PREFIX}${namespace}/${name}`;
}

/** `namespace/name` when both are Kubernetes names; undefined otherwise. */
function gatewayKey(namespace: string | undefined, name: string | undefined): string | undefined {
  return namespace !== undefined && name !== undefined && NAMESPACE.test(namespace) && NAME.test(name) ? `${namespace}/${name}` : undefined;
}

/**
 * The entries of a subject alternative name list as Node prints it (`DNS:a, URI:b, IP Address:c`;
 * a value with a comma, quote or backslash is a JSON string, after a prefix for other names).
 * Undefined when it cannot be read.
 */
export function subjectAltNames(text: string): Array<{ type: string; value: string }> | undefined {
  const entry = /([A-Za-z][A-Za-z ]*):([^,"]*(?:"(?:[^"\\]|\\.)*")?)(, |$)/y;
  const out: Array<{ type: string; value: string }> = [];
  let at = 0;
  while (at < text.length) {
    entry.lastIndex = at;
    const m = entry.exec(text);
    if (!m || (m[3] === "" && entry.lastIndex !== text.length)) return undefined;
    let value = m[2];
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        return undefined;
      }
    }
    out.push({ type: m[1], value });
    if (m[3] === "") break;
    at = entry.lastIndex;
  }
  return out;
}

/** The parts of a peer certificate read here (Node's `tls.PeerCertificate` has them). */
export interface CertificateNames {
  subject?: { CN?: string | string[] } | null;
  subjectaltname?: string;
}

/** What a client certificate says: its Gateway, or why it names none. */
export type PeerIdentity = { gateway: string; by: "uri" | "cn" } | { gateway?: undefined; problem: string };

function fromUris(uris: string[]): PeerIdentity {
  const keys = new Set<string>();
  for (const uri of uris) {
    const [namespace, name, ...rest] = uri.slice(GATEWAY_URI_PREFIX.length).split("/");
    const key = rest.length === 0 ? gatewayKey(namespace, name) : undefined;
    if (!key) return { problem: `its URI ${JSON.stringify(uri)} is not ${GATEWAY_URI_PREFIX}<namespace>/<name>` };
    keys.add(key);
  }
  if (keys.size > 1) return { problem: `its URIs name several Gateways (${[...keys].join(", ")})` };
  return { gateway: [...keys][0], by: "uri" };
}

/** The Gateway a client certificate names (URI SAN first, common name as a fallback). */
export function certificateGateway(cert: CertificateNames | undefined | null): PeerIdentity {
  if (!cert) return { problem: "no client certificate" };
  const sans = cert.subjectaltname ? subjectAltNames(cert.subjectaltname) : [];
  if (!sans) return { problem: "its subject alternative names cannot be read" };
  const uris = sans.filter(s => s.type === "URI" && s.value.startsWith(GATEWAY_URI_PREFIX)).map(s => s.value);
  if (uris.length > 0) return fromUris(uris);
  const cn = cert.subject?.CN;
  if (typeof cn !== "string") return { problem: cn === undefined ? "it has no common name" : "it has several common names" };
  const [namespace, name, ...rest] = cn.split("/");
  const key = rest.length === 0 ? gatewayKey(namespace, name) : undefined;
  if (!key) return { problem: `its common name ${JSON.stringify(cn)} is not <namespace>/<name>` };
  return { gateway: key, by: "cn" };
}

interface CallWithAuth {
  getAuthContext?: () => { sslPeerCertificate?: CertificateNames } | null;
}

/** The identity of a server call's peer, from the certificate the TLS handshake verified. */
export function peerIdentity(call: unknown): PeerIdentity {
  const auth = typeof (call as CallWithAuth).getAuthContext === "function" ? (call as CallWithAuth).getAuthContext?.() : undefined;
  return certificateGateway(auth?.sslPeerCertificate);
}

/** The Gateway to serve a stream, or why it is refused. */
export type Decision =
  | { gateway: string | undefined; denied?: undefined }
  /** `certificate`: the certificate's Gateway ("" if none); `asked`: the node's ("" if none). */
  | { denied: string; certificate: string; asked: string };

/**
 * Applies the rules above. `peer` is undefined when the server does not require client
 * certificates: the node rule alone decides (undefined gateway: the node names none).
 */
export function decide(peer: PeerIdentity | undefined, node: NodeIdentity | null | undefined): Decision {
  const claimed = gatewayKeyOfNode(node);
  if (!peer) return { gateway: claimed };
  if (peer.gateway === undefined) return { denied: `the client certificate names no Gateway: ${peer.problem}`, certificate: "", asked: claimed ?? "" };
  if (claimed !== undefined && claimed !== peer.gateway) {
    return { denied: `node ${JSON.stringify(node?.id ?? "")} asks for Gateway ${claimed}, but its client certificate is for Gateway ${peer.gateway}`, certificate: peer.gateway, asked: claimed };
  }
  return { gateway: peer.gateway };
}
