/**
 * The dynamic admission chain: MutatingWebhookConfigurations, in name order, then
 * ValidatingWebhookConfigurations, called over HTTPS with an AdmissionReview v1 and verified against
 * their caBundle. Rules, scope, matchPolicy, namespaceSelector and objectSelector are matched as
 * kube-apiserver matches them (versions of a resource convert by apiVersion alone); matchConditions
 * (CEL) and reinvocation are not modelled,
 * and validating webhooks are called one after another (kube calls them in parallel).
 */
import { randomUUID, X509Certificate } from "node:crypto";
import https from "node:https";
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import { ApiError, internal } from "./errors";
import { jsonPatch } from "./patch";
import { apiVersionOf, type KubeObject, type ResourceType } from "./resources";
import { matchesLabelSelector } from "./selectors";

export interface AdmissionRequest {
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  type: ResourceType;
  version: string;
  namespace?: string;
  name: string;
  subresource?: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  options: KubeObject;
  userInfo: KubeObject;
}

export interface AdmissionEnv {
  webhookConfigs(kind: "mutating" | "validating"): KubeObject[];
  namespace(name: string): KubeObject | undefined;
  /** Where to connect for a service reference (host:port), or undefined when nothing serves it. */
  resolveService(namespace: string, name: string, port: number): { host: string; port: number } | undefined;
  /** Every call made, for tests. */
  onCall?(webhook: string, review: KubeObject, response: KubeObject | undefined): void;
}

/** Kinds never sent to webhooks, as kube-apiserver exempts them. */
const EXEMPT = new Set(["mutatingwebhookconfigurations", "validatingwebhookconfigurations", "validatingadmissionpolicies", "validatingadmissionpolicybindings"]);

function ruleMatches(rule: KubeObject, r: AdmissionRequest): boolean {
  const has = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === "*" || x === v);
  if (!has(rule.operations, r.operation) || !has(rule.apiGroups, r.type.group) || !has(rule.apiVersions, r.version)) return false;
  const full = r.subresource ? `${r.type.plural}/${r.subresource}` : r.type.plural;
  const resOk = (rule.resources ?? []).some((x: string) => {
    if (x === "*/*" || x === full) return true;
    if (x === "*") return !r.subresource;
    const [res, sub] = x.split("/");
    return sub !== undefined && (res === "*" || res === r.type.plural) && (sub === "*" || sub === r.subresource) && !!r.subresource;
  });
  const scope = rule.scope ?? "*";
  const scopeOk = scope === "*" || (scope === "Namespaced") === (r.type.namespaced && r.type.plural !== "namespaces");
  return resOk && scopeOk;
}

function isEmptySelector(sel: KubeObject | undefined): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

function labelsOf(o: KubeObject | undefined): Record<string, string> {
  return o?.metadata?.labels ?? {};
}

/**
 * The version a webhook is called with: the request's when a rule names it, else (matchPolicy
 * Equivalent, the default) another served version of the same resource that a rule names.
 */
function matchedVersion(hook: KubeObject, r: AdmissionRequest): string | undefined {
  const rules: KubeObject[] = hook.rules ?? [];
  if (rules.some((rule) => ruleMatches(rule, r))) return r.version;
  if (hook.matchPolicy === "Exact") return undefined;
  return r.type.versions.find((v) => rules.some((rule) => ruleMatches(rule, { ...r, version: v })));
}

function webhookMatches(hook: KubeObject, r: AdmissionRequest, env: AdmissionEnv): boolean {
  // An absent object (the old one on CREATE, the new one on DELETE) matches no objectSelector.
  const objMatch = (o: KubeObject | undefined) => !!o && matchesLabelSelector(hook.objectSelector, labelsOf(o));
  if (!isEmptySelector(hook.objectSelector) && !objMatch(r.object) && !objMatch(r.oldObject)) return false;
  if (r.type.plural === "namespaces" && r.type.group === "") {
    const labels = labelsOf(r.object ?? r.oldObject);
    return matchesLabelSelector(hook.namespaceSelector, labels);
  }
  if (!r.type.namespaced || !r.namespace) return true;
  return matchesLabelSelector(hook.namespaceSelector, labelsOf(env.namespace(r.namespace)));
}

function review(r: AdmissionRequest, requested: string): KubeObject {
  const kind = { group: r.type.group, version: r.version, kind: r.type.kind };
  const resource = { group: r.type.group, version: r.version, resource: r.type.plural };
  const requestKind = { ...kind, version: requested };
  const requestResource = { ...resource, version: requested };
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: randomUUID(),
      kind,
      resource,
      ...(r.subresource ? { subResource: r.subresource, requestSubResource: r.subresource } : {}),
      requestKind,
      requestResource,
      name: r.name,
      ...(r.namespace ? { namespace: r.namespace } : {}),
      operation: r.operation,
      userInfo: r.userInfo,
      object: r.object ?? null,
      oldObject: r.oldObject ?? null,
      dryRun: r.dryRun,
      options: r.options,
    },
  };
}

interface Target {
  url: URL;
  connect: { host: string; port: number };
  servername: string;
}

function target(hook: KubeObject, env: AdmissionEnv): Target | string {
  const cc = hook.clientConfig ?? {};
  const timeout = `timeout=${hook.timeoutSeconds ?? 10}s`;
  if (cc.url) {
    const url = new URL(cc.url);
    url.search = url.search ? `${url.search}&${timeout}` : `?${timeout}`;
    return { url, connect: { host: url.hostname, port: Number(url.port || 443) }, servername: url.hostname };
  }
  const svc = cc.service ?? {};
  const port = svc.port ?? 443;
  const host = `${svc.name}.${svc.namespace}.svc`;
  const url = new URL(`https://${host}:${port}${svc.path ?? ""}?${timeout}`);
  const mapped = env.resolveService(svc.namespace, svc.name, port);
  if (!mapped) return `Post "${url}": service "${svc.namespace}/${svc.name}" has no endpoints`;
  return { url, connect: mapped, servername: host };
}

/**
 * Verifies a webhook's certificate as kube-apiserver (Go's crypto/x509) does: signed by a
 * certificate of the caBundle, within its validity, naming the host. (OpenSSL's own chain check
 * would refuse certificates Go accepts, e.g. a leaf whose empty subject equals its empty issuer.)
 */
function verifyPeer(socket: TLSSocket, caBundle: string, servername: string): string | undefined {
  const peer = socket.getPeerX509Certificate();
  if (!peer) return "tls: no certificate presented";
  const cas = (caBundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
  const now = Date.now();
  if (now < Date.parse(peer.validFrom) || now > Date.parse(peer.validTo)) return "tls: failed to verify certificate: x509: certificate has expired or is not yet valid";
  const signed = cas.some((ca) => ca.raw.equals(peer.raw) || (ca.ca && safeVerify(peer, ca)));
  if (!signed) return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
  const named = isIP(servername) ? peer.checkIP(servername) : peer.checkHost(servername);
  if (!named) return `tls: failed to verify certificate: x509: certificate is not valid for ${servername}`;
  return undefined;
}

function safeVerify(cert: X509Certificate, ca: X509Certificate): boolean {
  try {
    return cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

function post(t: Target, caBundle: string | undefined, body: KubeObject, timeoutMs: number): Promise<KubeObject> {
  const data = Buffer.from(JSON.stringify(body));
  const ca = caBundle ? Buffer.from(caBundle, "base64").toString() : undefined;
  const servername = t.servername;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: t.connect.host,
        port: t.connect.port,
        servername: isIP(servername) ? undefined : servername,
        path: `${t.url.pathname}${t.url.search}`,
        method: "POST",
        agent: false,
        // With a caBundle the certificate is checked by verifyPeer (below) before anything is sent.
        rejectUnauthorized: !ca,
        headers: { "Content-Type": "application/json", Accept: "application/json, */*", "Content-Length": data.length, Host: t.url.host },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          if ((res.statusCode ?? 0) >= 300) return reject(new Error(`the server responded with the status code ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error(`failed to decode the response: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("context deadline exceeded")));
    req.on("error", reject);
    if (!ca) {
      req.end(data);
      return;
    }
    req.on("socket", (socket) => {
      socket.once("secureConnect", () => {
        const problem = verifyPeer(socket as TLSSocket, ca, servername);
        if (problem) req.destroy(new Error(problem));
        else req.end(data);
      });
    });
  });
}

function denial(name: string, status: KubeObject | undefined): ApiError {
  const deniedBy = `admission webhook "${name}" denied the request`;
  const s = status ?? {};
  const message = s.message ? `${deniedBy}: ${s.message}` : s.reason ? `${deniedBy}: ${s.reason}` : `${deniedBy} without explanation`;
  const code = typeof s.code === "number" && s.code >= 400 ? s.code : 400;
  return new ApiError(code, s.reason ?? "", message, s.details);
}

async function call(hook: KubeObject, r: AdmissionRequest, env: AdmissionEnv, requested: string): Promise<KubeObject | undefined> {
  const t = target(hook, env);
  const body = review(r, requested);
  const fail = (why: string) => {
    env.onCall?.(hook.name, body, undefined);
    if (hook.failurePolicy === "Ignore") return undefined;
    throw internal(`failed calling webhook "${hook.name}": failed to call webhook: ${why}`);
  };
  if (typeof t === "string") return fail(t);
  try {
    const out = await post(t, hook.clientConfig?.caBundle, body, (hook.timeoutSeconds ?? 10) * 1000);
    env.onCall?.(hook.name, body, out);
    if (out.response?.uid !== body.request.uid) return fail(`expected response.uid="${body.request.uid}", got "${out.response?.uid}"`);
    return out.response;
  } catch (e) {
    return fail(`Post "${t.url}": ${(e as Error).message}`);
  }
}

/** The request as seen at another version (CRD conversion None: only apiVersion changes). */
function atVersion(r: AdmissionRequest, version: string): AdmissionRequest {
  if (version === r.version) return r;
  const conv = (o: KubeObject | undefined) => o && { ...o, apiVersion: apiVersionOf(r.type.group, version) };
  return { ...r, version, object: conv(r.object), oldObject: conv(r.oldObject) };
}

function sortedHooks(configs: KubeObject[]): KubeObject[] {
  return [...configs].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).flatMap((c) => c.webhooks ?? []);
}

/** Runs the mutating webhooks; returns the (possibly patched) object. Warnings go to `warnings`. */
export async function mutate(r: AdmissionRequest, env: AdmissionEnv, warnings: string[]): Promise<KubeObject | undefined> {
  if (EXEMPT.has(r.type.plural)) return r.object;
  let object = r.object;
  for (const hook of sortedHooks(env.webhookConfigs("mutating"))) {
    const version = matchedVersion(hook, r);
    const req = atVersion({ ...r, object }, version ?? r.version);
    if (!version || !webhookMatches(hook, req, env)) continue;
    const resp = await call(hook, req, env, r.version);
    if (!resp) continue;
    warnings.push(...(resp.warnings ?? []));
    if (!resp.allowed) throw denial(hook.name, resp.status);
    if (resp.patch && req.object) {
      try {
        const patched = jsonPatch(req.object, JSON.parse(Buffer.from(resp.patch, "base64").toString())) as KubeObject;
        object = { ...patched, apiVersion: r.object?.apiVersion };
      } catch (e) {
        throw internal(`JSON patch from webhook "${hook.name}" failed to apply: ${(e as Error).message}`);
      }
    }
  }
  return object;
}

/** Runs the validating webhooks; throws the first denial. Warnings go to `warnings`. */
export async function validate(r: AdmissionRequest, env: AdmissionEnv, warnings: string[]): Promise<void> {
  if (EXEMPT.has(r.type.plural)) return;
  for (const hook of sortedHooks(env.webhookConfigs("validating"))) {
    const version = matchedVersion(hook, r);
    const req = atVersion(r, version ?? r.version);
    if (!version || !webhookMatches(hook, req, env)) continue;
    const resp = await call(hook, req, env, r.version);
    if (!resp) continue;
    warnings.push(...(resp.warnings ?? []));
    if (!resp.allowed) throw denial(hook.name, resp.status);
  }
}
