/**
 * xDS resource types and the snapshot contract shared by render (which produces resources), the
 * snapshot cache (which versions and stores them) and the ADS servers (which send them).
 */

export const TypeUrl = {
  Cluster: "type.googleapis.com/envoy.config.cluster.v3.Cluster",
  Endpoint: "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",
  Listener: "type.googleapis.com/envoy.config.listener.v3.Listener",
  Route: "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
  Secret: "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
} as const;

export type TypeUrl = (typeof TypeUrl)[keyof typeof TypeUrl];

/** ADS push order: CDS before EDS, LDS before RDS, SDS last. */
export const PUSH_ORDER: readonly TypeUrl[] = [
  TypeUrl.Cluster,
  TypeUrl.Endpoint,
  TypeUrl.Listener,
  TypeUrl.Route,
  TypeUrl.Secret,
];

/** Fully qualified protobuf message name of a type URL. */
export function messageName(typeUrl: TypeUrl): string {
  return typeUrl.slice("type.googleapis.com/".length);
}

/**
 * An Envoy resource as render produces it: protobufjs `fromObject`-compatible plain data
 * (camelCase field names, `google.protobuf.Any` as `{ "@type": url, ...fields }`, durations as
 * `{ seconds, nanos }`, enums by name).
 */
export type EnvoyMessage = Record<string, unknown>;

/** What render produces for one Gateway: Envoy resources per type, each list sorted by name. */
export interface GatewayResources {
  gateway: string; // `namespace/name`
  clusters: EnvoyMessage[];
  endpoints: EnvoyMessage[];
  listeners: EnvoyMessage[];
  routes: EnvoyMessage[];
  secrets: EnvoyMessage[];
}

/** One encoded resource: the unit the cache stores and the servers send. */
export interface EncodedResource {
  name: string;
  typeUrl: TypeUrl;
  /** Content hash of `bytes`: the per-resource version used by delta xDS. */
  version: string;
  /** The serialized message (the `value` of the google.protobuf.Any sent on the wire). */
  bytes: Uint8Array;
  /** The message as render produced it (for config dumps and tests). */
  message: EnvoyMessage;
}

/**
 * An immutable, consistent set of resources for one Gateway (one xDS node cluster). `version`
 * is a hash of every resource version, so identical content always has the same version.
 */
export interface Snapshot {
  readonly gateway: string;
  readonly version: string;
  readonly resources: ReadonlyMap<TypeUrl, ReadonlyMap<string, EncodedResource>>;
}
