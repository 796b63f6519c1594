/**
 * Names and labels of the data plane of a Gateway. Everything lives in the Gateway's namespace
 * (owner references cannot cross namespaces) under one base name, `envoy-<gateway>`, shortened
 * with a hash when the Gateway's name is too long for a Service name (63 characters).
 */
import { createHash } from "node:crypto";

export const MANAGED_BY = "pepr-envoy-gateway";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const LABEL_GATEWAY = "gateway.pepr.dev/gateway";
export const LABEL_GATEWAY_NAMESPACE = "gateway.pepr.dev/gateway-namespace";
export const ANNOTATION_BOOTSTRAP_HASH = "gateway.pepr.dev/bootstrap-hash";
export const FIELD_MANAGER = "pepr-envoy-gateway";

/** Label selector (`k=v`) that finds every data-plane object this controller manages. */
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

const MAX_NAME = 63;

export function shortHash(text: string, length = 8): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** A DNS label no longer than 63 characters: `envoy-<name>`, or a prefix of it and a hash. */
export function baseName(namespace: string, name: string): string {
  const full = `envoy-${name}`;
  if (full.length <= MAX_NAME) return full;
  const hash = shortHash(`${namespace}/${name}`);
  return `${full.slice(0, MAX_NAME - hash.length - 1).replace(/[-.]+$/, "")}-${hash}`;
}

export interface DataPlaneNames {
  base: string;
  serviceAccount: string;
  configMap: string;
  secret: string;
  deployment: string;
  service: string;
}

export function dataPlaneNames(namespace: string, name: string): DataPlaneNames {
  const base = baseName(namespace, name);
  return {
    base,
    serviceAccount: base,
    configMap: `${base}-bootstrap`.length <= 253 ? `${base}-bootstrap` : base,
    secret: `${base}-xds-tls`,
    deployment: base,
    service: base,
  };
}

/** Labels that select the Envoy pods of a Gateway (Deployment selector and Service selector). */
export function selectorLabels(namespace: string, name: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "envoy",
    "app.kubernetes.io/component": "proxy",
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_GATEWAY]: baseName(namespace, name),
  };
}
