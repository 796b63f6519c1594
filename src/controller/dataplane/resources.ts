/**
 * The data plane of one Gateway, as objects to server-side apply. Pure: the same Gateway, bootstrap
 * and certificates give the same objects, so re-applying them changes nothing.
 *
 *   ServiceAccount  envoy-<gw>               no API token mounted
 *   Secret          envoy-<gw>-xds-tls       the xDS client certificate, key and CA (mTLS to the control plane)
 *   ConfigMap       envoy-<gw>-bootstrap     bootstrap.yaml: ADS (delta) to the xDS Service, node cluster `ns/name`
 *   Deployment      envoy-<gw>               pinned Envoy image, non-root, read-only root, readiness probe on
 *                                            /ready of the admin interface (through the bootstrap's readiness listener)
 *   Service         envoy-<gw>               LoadBalancer by default, one port per listener port
 *
 * Every object carries the Gateway's spec.infrastructure labels and annotations, our management
 * labels, and a controller owner reference to the Gateway (garbage-collected with it). Listener
 * ports below 1024 are bound by the non-root Envoy through the namespaced sysctl
 * net.ipv4.ip_unprivileged_port_start=0 (safe since Kubernetes 1.22), so container ports equal
 * listener ports.
 */
import type { KubeObject } from "../../apis";
import {
  ANNOTATION_BOOTSTRAP_HASH,
  LABEL_GATEWAY_NAMESPACE,
  dataPlaneNames,
  selectorLabels,
  shortHash,
  type DataPlaneNames,
} from "./names";

/** Envoy's distroless image, pinned (the 1.36 line Envoy Gateway 1.6 ships). */
export const ENVOY_IMAGE = "docker.io/envoyproxy/envoy:distroless-v1.36.4";
/** UID/GID the distroless image runs as. */
const NONROOT = 65532;

export interface DataPlaneOptions {
  image: string;
  serviceType: "LoadBalancer" | "ClusterIP" | "NodePort";
  replicas: number;
  /** Port of Envoy's readiness endpoint (`/ready`) as the bootstrap exposes it. */
  readinessPort: number;
}

export const DEFAULT_DATAPLANE_OPTIONS: DataPlaneOptions = {
  image: ENVOY_IMAGE,
  serviceType: "LoadBalancer",
  replicas: 1,
  readinessPort: 19001,
};

export interface GatewayInfo {
  namespace: string;
  name: string;
  uid: string;
  /** Distinct listener ports with their protocol, sorted by port. */
  ports: Array<{ port: number; protocol: string }>;
  infrastructure: { labels: Record<string, string>; annotations: Record<string, string> };
}

export interface XdsClientTLS {
  caCert: string;
  cert: string;
  key: string;
}

/** Where the Envoy container finds its files. */
export const PATHS = {
  bootstrapDir: "/etc/envoy",
  bootstrapFile: "/etc/envoy/bootstrap.yaml",
  tlsDir: "/etc/envoy/xds-tls",
} as const;

function metadata(gw: GatewayInfo, name: string, extraLabels: Record<string, string> = {}) {
  return {
    name,
    namespace: gw.namespace,
    labels: { ...gw.infrastructure.labels, ...selectorLabels(gw.namespace, gw.name), [LABEL_GATEWAY_NAMESPACE]: gw.namespace, ...extraLabels },
    ...(Object.keys(gw.infrastructure.annotations).length ? { annotations: { ...gw.infrastructure.annotations } } : {}),
    ownerReferences: [{ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", name: gw.name, uid: gw.uid, controller: true }],
  };
}

function portName(p: { port: number; protocol: string }): string {
  return `${p.protocol.toLowerCase().replace(/[^a-z0-9]/g, "")}-${p.port}`.slice(0, 15);
}

export function buildServiceAccount(gw: GatewayInfo, names: DataPlaneNames): KubeObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: metadata(gw, names.serviceAccount), automountServiceAccountToken: false } as KubeObject;
}

export function buildSecret(gw: GatewayInfo, names: DataPlaneNames, tls: XdsClientTLS): KubeObject {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: metadata(gw, names.secret),
    type: "kubernetes.io/tls",
    data: { "ca.crt": b64(tls.caCert), "tls.crt": b64(tls.cert), "tls.key": b64(tls.key) },
  } as KubeObject;
}

export function buildConfigMap(gw: GatewayInfo, names: DataPlaneNames, bootstrap: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: metadata(gw, names.configMap), data: { "bootstrap.yaml": bootstrap } } as KubeObject;
}

function container(gw: GatewayInfo, opts: DataPlaneOptions) {
  return {
    name: "envoy",
    image: opts.image,
    imagePullPolicy: "IfNotPresent",
    // node.cluster (`namespace/name`) comes from the bootstrap; each pod gets its own node id.
    args: ["--config-path", PATHS.bootstrapFile, "--service-node", `${gw.namespace}/${gw.name}/$(POD_NAME)`, "--log-level", "info", "--drain-time-s", "15"],
    env: [
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
    ],
    ports: gw.ports.map(p => ({ name: portName(p), containerPort: p.port, protocol: "TCP" })),
    readinessProbe: { httpGet: { path: "/ready", port: opts.readinessPort }, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 1, successThreshold: 1 },
    startupProbe: { httpGet: { path: "/ready", port: opts.readinessPort }, periodSeconds: 2, failureThreshold: 60 },
    resources: { requests: { cpu: "100m", memory: "256Mi" } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: NONROOT,
      runAsGroup: NONROOT,
      capabilities: { drop: ["ALL"] },
    },
    volumeMounts: [
      { name: "bootstrap", mountPath: PATHS.bootstrapDir, readOnly: true },
      { name: "xds-tls", mountPath: PATHS.tlsDir, readOnly: true },
    ],
  };
}

export function buildDeployment(gw: GatewayInfo, names: DataPlaneNames, bootstrap: string, opts: DataPlaneOptions): KubeObject {
  const meta = metadata(gw, names.deployment);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta,
    spec: {
      replicas: opts.replicas,
      selector: { matchLabels: selectorLabels(gw.namespace, gw.name) },
      template: {
        metadata: {
          labels: meta.labels,
          annotations: { ...gw.infrastructure.annotations, [ANNOTATION_BOOTSTRAP_HASH]: shortHash(bootstrap, 16) },
        },
        spec: {
          serviceAccountName: names.serviceAccount,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            fsGroup: NONROOT,
            seccompProfile: { type: "RuntimeDefault" },
            sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
          },
          containers: [container(gw, opts)],
          volumes: [
            { name: "bootstrap", configMap: { name: names.configMap, defaultMode: 0o444 } },
            { name: "xds-tls", secret: { secretName: names.secret, defaultMode: 0o440 } },
          ],
        },
      },
    },
  } as KubeObject;
}

/** The Service, or undefined when the Gateway has no listener port (a Service needs one). */
export function buildService(gw: GatewayInfo, names: DataPlaneNames, opts: DataPlaneOptions): KubeObject | undefined {
  if (gw.ports.length === 0) return undefined;
  const external = opts.serviceType !== "ClusterIP";
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(gw, names.service),
    spec: {
      type: opts.serviceType,
      selector: selectorLabels(gw.namespace, gw.name),
      ports: gw.ports.map(p => ({ name: portName(p), port: p.port, targetPort: p.port, protocol: "TCP" })),
      ...(external ? { externalTrafficPolicy: "Local" } : {}),
    },
  } as KubeObject;
}

/** Every object of a Gateway's data plane, in apply order (dependencies first). */
export function buildDataPlane(gw: GatewayInfo, bootstrap: string, tls: XdsClientTLS, opts: DataPlaneOptions = DEFAULT_DATAPLANE_OPTIONS): KubeObject[] {
  const names = dataPlaneNames(gw.namespace, gw.name);
  const service = buildService(gw, names, opts);
  return [
    buildServiceAccount(gw, names),
    buildSecret(gw, names, tls),
    buildConfigMap(gw, names, bootstrap),
    buildDeployment(gw, names, bootstrap, opts),
    ...(service ? [service] : []),
  ];
}
