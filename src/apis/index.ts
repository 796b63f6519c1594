/**
 * Resource types of the core. Gateway API and Backend types are generated from the CRDs
 * (src/apis/generated/, regenerate with `bash scripts/gen-types.sh`; never edit them by hand);
 * the few Kubernetes core kinds the controller reads are declared here with just the fields used.
 *
 * Generated enums are exposed as string-literal unions (see Plain), so objects parsed from YAML
 * or received from the API type-check as they are.
 */
import type * as GC from "./generated/gatewayclass-v1";
import type * as GW from "./generated/gateway-v1";
import type * as HR from "./generated/httproute-v1";
import type * as RG from "./generated/referencegrant-v1";
import type * as BTP from "./generated/backendtlspolicy-v1";
import type * as BE from "./generated/backend-v1alpha1";

/** Turns generated string enums into their literal values, recursively. */
export type Plain<T> = T extends string
  ? string extends T
    ? T
    : `${T}`
  : T extends (infer U)[]
    ? Plain<U>[]
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
}

/** The common shape of every Kubernetes object: what the store and the policy rely on. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

type WithMeta<T> = Omit<Plain<T>, "metadata"> & { metadata?: ObjectMeta };

export type GatewayClass = WithMeta<GC.GatewayClass>;
export type Gateway = WithMeta<GW.Gateway>;
export type GatewayListener = Plain<GW.SpecListener>;
export type HTTPRoute = WithMeta<HR.HTTPRoute>;
export type HTTPRouteSpec = Plain<HR.Spec>;
export type HTTPRouteRule = NonNullable<HTTPRouteSpec["rules"]>[number];
export type HTTPRouteMatch = NonNullable<HTTPRouteRule["matches"]>[number];
export type HTTPRouteFilter = NonNullable<HTTPRouteRule["filters"]>[number];
export type HTTPBackendRef = NonNullable<HTTPRouteRule["backendRefs"]>[number];
export type ParentRef = NonNullable<HTTPRouteSpec["parentRefs"]>[number];
export type ReferenceGrant = WithMeta<RG.ReferenceGrant>;
export type BackendTLSPolicy = WithMeta<BTP.BackendTLSPolicy>;
export type Backend = WithMeta<BE.Backend>;
export type BackendEndpoint = Plain<BE.Endpoint>;

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export interface Service extends KubeObject {
  spec?: {
    type?: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName" | string;
    externalName?: string;
    clusterIP?: string;
    ports?: ServicePort[];
    selector?: Record<string, string>;
  };
}

export interface EndpointSlice extends KubeObject {
  addressType?: "IPv4" | "IPv6" | "FQDN" | string;
  endpoints?: Array<{
    addresses: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    zone?: string;
  }>;
  ports?: Array<{ name?: string; port?: number; protocol?: string; appProtocol?: string }>;
}

export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export type Namespace = KubeObject;

/** Group/version/kind of every input the controller understands. */
export const GVK = {
  GatewayClass: { group: "gateway.networking.k8s.io", version: "v1", kind: "GatewayClass" },
  Gateway: { group: "gateway.networking.k8s.io", version: "v1", kind: "Gateway" },
  HTTPRoute: { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute" },
  ReferenceGrant: { group: "gateway.networking.k8s.io", version: "v1", kind: "ReferenceGrant" },
  BackendTLSPolicy: { group: "gateway.networking.k8s.io", version: "v1", kind: "BackendTLSPolicy" },
  Backend: { group: "gateway.envoyproxy.io", version: "v1alpha1", kind: "Backend" },
  Service: { group: "", version: "v1", kind: "Service" },
  EndpointSlice: { group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice" },
  Secret: { group: "", version: "v1", kind: "Secret" },
  ConfigMap: { group: "", version: "v1", kind: "ConfigMap" },
  Namespace: { group: "", version: "v1", kind: "Namespace" },
} as const;

export type InputKind = keyof typeof GVK;
export const INPUT_KINDS = Object.keys(GVK) as InputKind[];
