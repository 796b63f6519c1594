/**
 * The control plane's side of xDS mTLS, created by the watcher at start:
 *
 * - Secret `<PEG_XDS_SECRET>` in the xDS namespace: `ca.crt`/`ca.key` (the CA) and
 *   `tls.crt`/`tls.key` (the xDS server certificate for the xDS Service's DNS names). Generated
 *   when absent; the server certificate is reissued from the same CA when it nears expiry; a
 *   missing or broken CA is replaced (and every proxy certificate with it).
 * - Service `<PEG_XDS_SERVICE>`: port 18000 to the watcher pod.
 * - Per Gateway, a client certificate (URI SAN `peg://gateway/namespace/name` and common name
 *   `namespace/name`, which bind its proxies' streams to that Gateway) in the Gateway's namespace,
 *   reused while it is still good, so restarts rewrite nothing (one issued before the URI was
 *   added is kept too: the server accepts its common name).
 */
import type { KubeObject } from "../apis";
import { gatewayUri } from "../xds/server/identity";
import type { KubeClient } from "./k8s";
import { ApiError } from "./k8s";
import { INPUT_KIND_INFO } from "./kinds";
import { LABEL_MANAGED_BY, MANAGED_BY } from "./dataplane/names";
import type { XdsClientTLS } from "./dataplane/resources";
import type { WatcherOptions } from "./options";
import { WATCHER_POD_LABELS } from "./options";
import { caStillGood, createCA, issue, renewalTime, stillGood, xdsServiceNames, type KeyPair } from "./xdstls";

export interface ServerMaterial {
  ca: KeyPair;
  server: KeyPair;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: unknown) => (typeof s === "string" ? Buffer.from(s, "base64").toString("utf8") : undefined);

function secretData(obj: KubeObject | undefined): Record<string, string | undefined> {
  const data = ((obj as { data?: Record<string, unknown> } | undefined)?.data ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, unb64(v)]));
}

/** The server material to use given the stored Secret (undefined: none), and whether it must be written. */
export function reconcileServerMaterial(
  stored: KubeObject | undefined,
  opts: { serviceNames: string[]; nowMs: number },
): { material: ServerMaterial; write: boolean } {
  const d = secretData(stored);
  const held = { cert: d["ca.crt"], key: d["ca.key"] };
  const caOk = caStillGood(held, opts.nowMs);
  const ca = caOk ? held : createCA(opts.nowMs);
  const serverHeld = { cert: d["tls.crt"], key: d["tls.key"] };
  if (caOk && stillGood(serverHeld, ca, opts.serviceNames[0], opts.nowMs, opts.serviceNames)) {
    return { material: { ca, server: serverHeld as KeyPair }, write: false };
  }
  const server = issue(ca, { commonName: opts.serviceNames[0], dnsNames: opts.serviceNames, usage: "server", nowMs: opts.nowMs });
  return { material: { ca, server }, write: true };
}

function materialSecret(o: WatcherOptions, m: ServerMaterial): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: o.xdsSecret, namespace: o.xdsNamespace, labels: { [LABEL_MANAGED_BY]: MANAGED_BY } },
    type: "Opaque",
    data: { "ca.crt": b64(m.ca.cert), "ca.key": b64(m.ca.key), "tls.crt": b64(m.server.cert), "tls.key": b64(m.server.key) },
  } as KubeObject;
}

/** The xDS Service: the proxies' way to the watcher pod. */
export function xdsService(o: WatcherOptions): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: o.xdsService, namespace: o.xdsNamespace, labels: { [LABEL_MANAGED_BY]: MANAGED_BY } },
    spec: { type: "ClusterIP", selector: { ...WATCHER_POD_LABELS }, ports: [{ name: "grpc-xds", port: 18000, targetPort: o.xdsPort || 18000, protocol: "TCP" }] },
  } as KubeObject;
}

/** Reads, creates or renews the xDS CA and server certificate Secret. */
export async function ensureServerMaterial(client: KubeClient, o: WatcherOptions, clusterDomain: string, nowMs: number): Promise<ServerMaterial> {
  const info = INPUT_KIND_INFO.Secret;
  const serviceNames = xdsServiceNames(o.xdsService, o.xdsNamespace, clusterDomain);
  const stored = await client.get(info, o.xdsNamespace, o.xdsSecret);
  const { material, write } = reconcileServerMaterial(stored, { serviceNames, nowMs });
  if (!write) return material;
  const secret = materialSecret(o, material);
  if (!stored) {
    try {
      await client.create(info, secret);
    } catch (err) {
      // Another writer got there first: use what it wrote.
      if (err instanceof ApiError && err.status === 409) return ensureServerMaterial(client, o, clusterDomain, nowMs);
      throw err;
    }
  } else {
    await client.apply(info, secret, { force: true });
  }
  return material;
}

/**
 * A Gateway's client certificate: the one in its Secret when that still chains to `ca`, else the
 * one issued earlier in this process, else a new one. Provisioning asks after every rebuild: a
 * Secret holding the pair this source last returned is not checked again until it is due for
 * renewal (checking costs milliseconds).
 */
export function clientTLSSource(ca: KeyPair, now: () => number): (gw: { namespace: string; name: string }, existing: KubeObject | undefined) => XdsClientTLS {
  const issued = new Map<string, { pair: KeyPair; renewAt: number }>();
  return (gw, existing) => {
    const cn = `${gw.namespace}/${gw.name}`;
    const d = secretData(existing);
    const fromSecret = { cert: d["tls.crt"], key: d["tls.key"] };
    const last = issued.get(cn);
    const inSecret = last && d["ca.crt"] === ca.cert && fromSecret.cert === last.pair.cert && fromSecret.key === last.pair.key;
    let pair: KeyPair;
    if (inSecret && now() <= last.renewAt) pair = last.pair;
    else if (d["ca.crt"] === ca.cert && stillGood(fromSecret, ca, cn, now())) pair = fromSecret as KeyPair;
    else {
      const mine = last?.pair;
      pair = mine && stillGood(mine, ca, cn, now()) ? mine : issue(ca, { commonName: cn, uris: [gatewayUri(gw.namespace, gw.name)], usage: "client", nowMs: now() });
    }
    if (pair !== last?.pair) issued.set(cn, { pair, renewAt: renewalTime(pair.cert) });
    return { caCert: ca.cert, cert: pair.cert, key: pair.key };
  };
}
