/**
 * Watcher settings from environment variables (package.json `pepr.env` in a cluster). Pure.
 *
 *   PEG_XDS_PORT            xDS server port (18000)
 *   PEG_XDS_NAMESPACE       namespace of the xDS Service and mTLS Secret (pepr-system)
 *   PEG_XDS_SERVICE         name of the xDS Service (pepr-envoy-gateway-xds)
 *   PEG_XDS_SECRET          name of the Secret holding the xDS CA and server certificate (pepr-envoy-gateway-xds-tls)
 *   PEG_ENVOY_IMAGE         Envoy image of the data plane (pinned default)
 *   PEG_ENVOY_SERVICE_TYPE  LoadBalancer (default), NodePort or ClusterIP
 *   PEG_ENVOY_REPLICAS      replicas per Gateway (1)
 *   PEG_PROVISION           "false": create no data plane (xDS only, proxies run elsewhere)
 *   PEG_RESYNC_SECONDS      full relist period (600; 0 disables)
 */
import { DEFAULT_DATAPLANE_OPTIONS, type DataPlaneOptions } from "./dataplane/resources";

export interface WatcherOptions {
  xdsPort: number;
  xdsNamespace: string;
  xdsService: string;
  xdsSecret: string;
  provision: boolean;
  resyncMs: number;
  dataplane: DataPlaneOptions;
}

/** Labels Pepr puts on the watcher pod of this module (uuid "envoy-gateway"): the xDS Service selects them. */
export const WATCHER_POD_LABELS: Readonly<Record<string, string>> = {
  app: "pepr-envoy-gateway-watcher",
  "pepr.dev/controller": "watcher",
};

function int(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

function name(value: string | undefined, fallback: string): string {
  const v = value?.trim();
  return v && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) && v.length <= 63 ? v : fallback;
}

export function watcherOptions(env: Record<string, string | undefined>): WatcherOptions {
  const type = env.PEG_ENVOY_SERVICE_TYPE?.trim();
  const serviceType = type === "ClusterIP" || type === "NodePort" || type === "LoadBalancer" ? type : DEFAULT_DATAPLANE_OPTIONS.serviceType;
  return {
    xdsPort: int(env.PEG_XDS_PORT, 18000, 0, 65535),
    xdsNamespace: name(env.PEG_XDS_NAMESPACE, "pepr-system"),
    xdsService: name(env.PEG_XDS_SERVICE, "pepr-envoy-gateway-xds"),
    xdsSecret: name(env.PEG_XDS_SECRET, "pepr-envoy-gateway-xds-tls"),
    provision: (env.PEG_PROVISION ?? "").trim().toLowerCase() !== "false",
    resyncMs: int(env.PEG_RESYNC_SECONDS, 600, 0, 86_400) * 1000,
    dataplane: {
      ...DEFAULT_DATAPLANE_OPTIONS,
      image: env.PEG_ENVOY_IMAGE?.trim() || DEFAULT_DATAPLANE_OPTIONS.image,
      serviceType,
      replicas: int(env.PEG_ENVOY_REPLICAS, DEFAULT_DATAPLANE_OPTIONS.replicas, 0, 100),
    },
  };
}
