/**
 * The intermediate representation: what translate produces and render consumes. Envoy-shaped
 * (listeners, virtual hosts, routes, clusters) but free of Gateway API objects and of protobuf.
 * Everything here is plain data, sorted deterministically by the translator, so that the same
 * input always yields the same IR (and render yields the same bytes).
 *
 * Naming: resource names are unique within a Gateway and stable across rebuilds.
 */

/** The whole IR: one entry per Gateway of our GatewayClass(es), sorted by key. */
export interface IR {
  gateways: GatewayIR[];
}

export interface GatewayIR {
  /** `namespace/name` of the Gateway; also the xDS node cluster that proxies of this Gateway use. */
  key: string;
  namespace: string;
  name: string;
  /** One Envoy listener per port; listeners that share a port are merged. Sorted by port. */
  listeners: ListenerIR[];
  /** Route configurations referenced by filter chains, sorted by name. */
  routeConfigs: RouteConfigIR[];
  /** Every cluster a route of this Gateway forwards or mirrors to, sorted by name. */
  clusters: ClusterIR[];
  /** TLS material served over SDS (listener certificates, upstream CA bundles), sorted by name. */
  secrets: SecretIR[];
  /** spec.infrastructure labels and annotations, carried to the data plane. */
  infrastructure: { labels: Record<string, string>; annotations: Record<string, string> };
  /** spec.addresses values (static addresses), in order. */
  addresses: string[];
}

export interface ListenerIR {
  /** Envoy listener name, e.g. `default/eg/80`. */
  name: string;
  port: number;
  protocol: "HTTP" | "HTTPS";
  /** HTTP: exactly one chain with no serverNames. HTTPS: one chain per certificate/hostname set. */
  filterChains: FilterChainIR[];
}

export interface FilterChainIR {
  name: string;
  /** SNI names the chain matches (HTTPS); empty = any. Wildcards as `*.example.com`. */
  serverNames: string[];
  /** Names of TLS certificate secrets (SecretIR of kind "certificate") served on this chain. */
  certificateSecrets: string[];
  routeConfigName: string;
}

export interface RouteConfigIR {
  name: string;
  /** Sorted by name; Envoy picks the most specific domain, which gives listener isolation. */
  virtualHosts: VirtualHostIR[];
}

export interface VirtualHostIR {
  name: string;
  /** Envoy domains: exact hostnames, `*.suffix` wildcards, or `*`. Port-qualified forms included when needed. */
  domains: string[];
  /** Already in Gateway API precedence order: Envoy takes the first match. */
  routes: RouteIR[];
}

export type StringMatchType = "Exact" | "RegularExpression";

export interface PathMatchIR {
  type: "Exact" | "PathPrefix" | "RegularExpression";
  value: string;
}

export interface HeaderMatchIR {
  name: string;
  type: StringMatchType;
  value: string;
}

export interface RouteMatchIR {
  path: PathMatchIR;
  headers: HeaderMatchIR[];
  queryParams: HeaderMatchIR[];
  method?: string;
}

export interface HeaderModifierIR {
  set: Array<{ name: string; value: string }>;
  add: Array<{ name: string; value: string }>;
  remove: string[];
}

export interface WeightedBackendIR {
  clusterName: string;
  weight: number;
  requestHeaders?: HeaderModifierIR;
  responseHeaders?: HeaderModifierIR;
}

export interface ForwardActionIR {
  kind: "forward";
  /** Valid backends with weight > 0. */
  backends: WeightedBackendIR[];
  /**
   * Summed weight of backendRefs that could not be resolved: that share of requests gets HTTP 500
   * (Gateway API: an invalid backendRef's traffic share gets 500). When backends is empty and this is
   * > 0 every request gets 500.
   */
  invalidWeight: number;
  /** URLRewrite filter. */
  rewrite?: { hostname?: string; path?: { type: "ReplaceFullPath" | "ReplacePrefixMatch"; value: string } };
  mirrors: Array<{ clusterName: string; /** 0..100, fractional allowed */ percent: number }>;
  /** Gateway API timeouts as Envoy durations in milliseconds; 0 = disabled. */
  timeoutMs?: number;
  backendTimeoutMs?: number;
  retry?: { attempts: number; codes: number[]; backoffMs?: number };
  /** Upgrade WebSocket connections (a backend declared appProtocol kubernetes.io/ws or a Backend ws/wss). */
  websocket: boolean;
}

export interface RedirectActionIR {
  kind: "redirect";
  /** As the filter wrote it; once bound to a listener (bindRouteToListener) the effective scheme. */
  scheme?: string;
  hostname?: string;
  /** As the filter wrote it; once bound to a listener, the effective Location port. */
  port?: number;
  /**
   * Set by bindRouteToListener when `port` is the well-known port of `scheme` (http 80, https
   * 443) and the listener is on its own scheme's well-known port: the Location then carries no
   * port (the spec: implementations should not add 80 for http or 443 for https), which render
   * gets by leaving port_redirect unset — Envoy then keeps a port only if the request's Host named
   * one and the scheme did not change. On other listener ports the port is written explicitly, so
   * a Host port like :8080 never leaks into a redirect that changes the scheme.
   */
  omitPort?: boolean;
  path?: { type: "ReplaceFullPath" | "ReplacePrefixMatch"; value: string };
  statusCode: 301 | 302 | 303 | 307 | 308;
}

export interface DirectResponseIR {
  kind: "direct";
  status: number;
  body?: string;
}

export interface CorsIR {
  allowOrigins: string[]; // exact origins or patterns with `*`
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
  allowCredentials: boolean;
}

export interface RouteIR {
  /** Unique, stable: e.g. `httproute/default/foo/rule/0/match/1`. */
  name: string;
  match: RouteMatchIR;
  action: ForwardActionIR | RedirectActionIR | DirectResponseIR;
  requestHeaders?: HeaderModifierIR;
  responseHeaders?: HeaderModifierIR;
  cors?: CorsIR;
  /** Source of the route for metadata: `namespace/name` of the HTTPRoute and the rule index. */
  source: { namespace: string; name: string; rule: number; ruleName?: string };
}

export type UpstreamProtocol = "http1" | "h2c" | "h2";

export type ClusterEndpointsIR =
  /** Addresses from EndpointSlices, served over EDS. */
  | { kind: "eds"; endpoints: Array<{ address: string; port: number; zone?: string }> }
  /** A Backend FQDN: DNS resolution refreshed every 30 s, respecting TTL. */
  | { kind: "dns"; hostname: string; port: number }
  /** Backend IP endpoints, static. */
  | { kind: "static"; endpoints: Array<{ address: string; port: number }> }
  /** Backend unix socket. */
  | { kind: "unix"; path: string };

export interface UpstreamTLSIR {
  sni: string;
  /** CA: a SecretIR of kind "ca" by name, or the system trust store. */
  ca: { kind: "secret"; secretName: string } | { kind: "system" } | { kind: "insecure" };
  /** Names the server certificate must present (SAN); empty = sni. */
  subjectAltNames: Array<{ type: "Hostname" | "URI"; value: string }>;
}

export interface ClusterIR {
  /** e.g. `service/default/foo/8080` or `backend/default/httpbin/443`; shared across routes. */
  name: string;
  endpoints: ClusterEndpointsIR;
  protocol: UpstreamProtocol;
  tls?: UpstreamTLSIR;
  connectTimeoutMs: number;
}

export type SecretIR =
  | { name: string; kind: "certificate"; certificateChain: string; privateKey: string }
  | { name: string; kind: "ca"; trustedCA: string };
