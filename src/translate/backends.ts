/**
 * backendRefs (and RequestMirror backendRefs) → ClusterIR.
 *
 * - Service (core, the default): the port by number must be one of the Service's ports; the
 *   endpoints are the ready EndpointSlice endpoints of that port (endpoints.ts). appProtocol
 *   `kubernetes.io/h2c` gives HTTP/2 cleartext (HTTP/2 with ALPN when a BackendTLSPolicy applies),
 *   `kubernetes.io/ws` WebSocket upgrades. An ExternalName Service is never routed: ResolvedRefs
 *   False, UnsupportedValue, with the admission policy's message (externalNameViolation).
 * - Backend (gateway.envoyproxy.io): see backend.ts; fqdn → a DNS cluster, ip → static endpoints,
 *   unix → a pipe. The endpoints carry the ports, so the backendRef's port is not used; the cluster
 *   is named after the first endpoint's port. A Backend the policy would deny is not routed.
 * - Other kinds: InvalidKind. Missing objects or ports: BackendNotFound. A reference into another
 *   namespace needs a ReferenceGrant (checked first, so a missing grant never reveals whether the
 *   object exists): RefNotPermitted.
 *
 * Cluster names are shared by every route that uses the same target: `service/<ns>/<name>/<port>`,
 * `backend/<ns>/<name>/<port>`.
 */
import type { Backend, Service, ServicePort } from "../apis";
import type { ClusterIR, SecretIR, UpstreamProtocol, UpstreamTLSIR } from "../ir/types";
import { externalNameViolation } from "../policy";
import { isRecord, quote } from "../policy/report";
import { BACKEND_GROUP, checkBackend } from "./backend";
import { tlsForTarget } from "./backendtlspolicy";
import type { TranslateContext } from "./context";
import { type EndpointIR, serviceEndpoints } from "./endpoints";
import { grantDep, targetDep } from "./deps";
import { referenceAllowed } from "./refgrant";
import type { Config } from "../config";
import type { Store } from "../store";

const ROUTE_GROUP = "gateway.networking.k8s.io";
/** Envoy Gateway's default upstream connect timeout. */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface ResolvedRef {
  ok: true;
  /** Undefined when a BackendTLSPolicy forbids connecting (see `blocked`): its traffic gets 500. */
  cluster?: ClusterIR;
  blocked?: string;
  secrets: SecretIR[];
  /** BackendTLSPolicies naming this target (applied, conflicted or invalid). */
  policies: string[];
  websocket: boolean;
}

export interface RefFailure {
  ok: false;
  reason: string;
  message: string;
}

export type RefResult = ResolvedRef | RefFailure;

const failure = (reason: string, message: string): RefFailure => ({ ok: false, reason, message });

interface Target {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  port?: number;
}

function readRef(ref: unknown, routeNs: string, field: string): Target | RefFailure {
  if (!isRecord(ref)) return failure("UnsupportedValue", `${field} must be an object`);
  if (typeof ref.name !== "string" || ref.name === "") return failure("UnsupportedValue", `${field}.name must name a Service or Backend`);
  const group = ref.group ?? "";
  const kind = ref.kind ?? "Service";
  const namespace = ref.namespace ?? routeNs;
  if (typeof group !== "string" || typeof kind !== "string" || typeof namespace !== "string" || namespace === "") {
    return failure("UnsupportedValue", `${field}: group, kind and namespace must be strings`);
  }
  const port = ref.port;
  if (port !== undefined && port !== null && (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)) {
    return failure("UnsupportedValue", `${field}.port ${quote(port)} must be a port number from 1 to 65535`);
  }
  return { group, kind, namespace, name: ref.name, port: typeof port === "number" ? port : undefined };
}

function withTLS(cluster: ClusterIR, protocol: UpstreamProtocol, tls: UpstreamTLSIR | undefined): ClusterIR {
  if (!tls) return cluster;
  return { ...cluster, tls, protocol: protocol === "h2c" ? "h2" : protocol };
}

function resolveService(ctx: TranslateContext, t: Target, field: string): RefResult {
  // resolved before in a snapshot with the same objects: the Service exists and has the port
  const known = t.port === undefined ? undefined : tableOf(ctx).services.get(t.namespace)?.get(t.name)?.get(t.port);
  if (known) return known;
  const label = `Service ${t.namespace}/${t.name}`;
  const svc = ctx.store.get<Service>("Service", t.namespace, t.name);
  if (!svc) return failure("BackendNotFound", `${field}: ${label} not found`);
  const external = externalNameViolation(field, svc);
  if (external) return failure(external.reason, external.message);
  if (t.port === undefined) return failure("UnsupportedValue", `${field}.port is required for a Service: set the Service port to send traffic to`);
  const ports: unknown[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
  const port = ports.find((p): p is ServicePort => isRecord(p) && p.port === t.port);
  if (!port) return failure("BackendNotFound", `${field}: ${label} has no port ${t.port}`);
  const name = `service/${t.namespace}/${t.name}/${t.port}`;
  const resolved = remembered(ctx, name, () => {
    const app = port.appProtocol;
    const protocol: UpstreamProtocol = app === "kubernetes.io/h2c" ? "h2c" : "http1";
    const portName = typeof port.name === "string" && port.name !== "" ? port.name : undefined;
    // shared by every cluster of this port in this snapshot; the IR is never modified
    const endpoints = serviceEndpoints(ctx.store, t.namespace, t.name, portName) as EndpointIR[];
    const cluster: ClusterIR = { name, endpoints: { kind: "eds", endpoints }, protocol, connectTimeoutMs: CONNECT_TIMEOUT_MS };
    const btp = tlsForTarget(ctx.store, "", "Service", t.namespace, t.name, portName);
    return finish(cluster, protocol, btp, undefined, app === "kubernetes.io/ws");
  });
  const services = tableOf(ctx).services;
  let byName = services.get(t.namespace);
  if (!byName) services.set(t.namespace, (byName = new Map()));
  let byPort = byName.get(t.name);
  if (!byPort) byName.set(t.name, (byPort = new Map()));
  byPort.set(t.port, resolved);
  return resolved;
}

function resolveBackend(ctx: TranslateContext, t: Target, field: string): RefResult {
  const label = `Backend ${t.namespace}/${t.name}`;
  const backend = ctx.store.get<Backend>("Backend", t.namespace, t.name);
  if (!backend) return failure("BackendNotFound", `${field}: ${label} not found`);
  const checked = checkBackend(ctx, backend);
  if (!checked.ok) return failure(checked.reason, `${field}: ${label} is not usable: ${checked.message}`);
  const target = checked.target;
  const name = `backend/${t.namespace}/${t.name}/${target.port}`;
  return remembered(ctx, name, () => {
    const cluster: ClusterIR = { name, endpoints: target.endpoints, protocol: target.protocol, connectTimeoutMs: CONNECT_TIMEOUT_MS };
    const btp = tlsForTarget(ctx.store, BACKEND_GROUP, "Backend", t.namespace, t.name);
    const own = btp.related.length === 0 && target.tls ? { tls: target.tls, secret: target.secret } : undefined;
    return finish(cluster, target.protocol, btp, own, target.websocket);
  });
}

/** Slot of the resolved-target tables (store.derived), one per configuration. */
const slots = new WeakMap<Config, object>();

/** The kinds a resolved target is computed from (the ReferenceGrant check comes before). */
const TARGET_KINDS = ["Service", "EndpointSlice", "Backend", "BackendTLSPolicy", "ConfigMap", "Secret"] as const;

interface Table {
  /** Cluster name → resolved target. */
  byName: Map<string, ResolvedRef>;
  /** Namespace → Service name → port → resolved target: a quick way to what byName holds. */
  services: Map<string, Map<string, Map<number, ResolvedRef>>>;
}

/** The table of the last snapshot asked for (translation asks for one snapshot many times in a row). */
let last: { store: Store; config: Config; table: Table } | undefined;

/**
 * Resolved targets by cluster name, shared by every snapshot with the same objects of
 * TARGET_KINDS and the same configuration: every route using the same Service port or Backend
 * shares one ClusterIR object (plain data, never modified), across rebuilds too.
 */
function tableOf(ctx: TranslateContext): Table {
  if (last && last.store === ctx.store && last.config === ctx.config) return last.table;
  let slot = slots.get(ctx.config);
  if (!slot) slots.set(ctx.config, (slot = {}));
  const table = ctx.store.derived(slot, TARGET_KINDS, (): Table => ({ byName: new Map(), services: new Map() }));
  last = { store: ctx.store, config: ctx.config, table };
  return table;
}

function remembered(ctx: TranslateContext, name: string, build: () => ResolvedRef): ResolvedRef {
  const byName = tableOf(ctx).byName;
  let hit = byName.get(name);
  if (!hit) byName.set(name, (hit = build()));
  return hit;
}

function finish(
  cluster: ClusterIR,
  protocol: UpstreamProtocol,
  btp: ReturnType<typeof tlsForTarget>,
  own: { tls: UpstreamTLSIR; secret?: SecretIR } | undefined,
  websocket: boolean,
): ResolvedRef {
  if (btp.blocked) return { ok: true, blocked: btp.blocked, secrets: [], policies: btp.related, websocket };
  const applied = btp.applied;
  const tls = applied?.tls ?? own?.tls;
  const secret = applied ? applied.secret : own?.secret;
  return { ok: true, cluster: withTLS(cluster, protocol, tls), secrets: secret ? [secret] : [], policies: btp.related, websocket };
}

/**
 * Resolves one backendRef of a route in namespace `routeNs`. `field` is the reference's path
 * (e.g. `spec.rules[0].backendRefs[1]`) and starts every message. Never throws.
 */
export function resolveBackendRef(ctx: TranslateContext, routeNs: string, ref: unknown, field: string): RefResult {
  const t = readRef(ref, routeNs, field);
  if ("ok" in t) return t;
  const isService = t.group === "" && t.kind === "Service";
  const isBackend = t.group === BACKEND_GROUP && t.kind === "Backend";
  if (!isService && !isBackend) {
    const gk = t.group === "" ? t.kind : `${t.group}/${t.kind}`;
    return failure("InvalidKind", `${field}: kind ${quote(gk)} is not supported; refer to a Service, or a Backend of ${BACKEND_GROUP}`);
  }
  if (ctx.track) {
    if (t.namespace !== routeNs) ctx.track(grantDep(t.namespace));
    ctx.track(targetDep(isService ? "Service" : "Backend", t.namespace, t.name));
  }
  const from = { group: ROUTE_GROUP, kind: "HTTPRoute", namespace: routeNs };
  if (!referenceAllowed(ctx.store, from, { group: t.group, kind: t.kind, namespace: t.namespace, name: t.name })) {
    return failure(
      "RefNotPermitted",
      `${field}: ${t.kind} ${t.namespace}/${t.name} is in another namespace and no ReferenceGrant there allows HTTPRoutes from ${routeNs} to refer to it`,
    );
  }
  return isService ? resolveService(ctx, t, field) : resolveBackend(ctx, t, field);
}
