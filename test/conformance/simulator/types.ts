/**
 * Types of the Envoy data-plane simulator: the request a client sends, what the upstream side of
 * the world answers (a model supplied by the caller), and what Envoy makes of it.
 *
 * Header names are kept lower-case, as Envoy's codecs store them; a header list keeps every entry,
 * so a header added with APPEND_IF_EXISTS_OR_ADD next to an existing one shows up twice.
 */

export type Header = [name: string, value: string];

export interface SocketAddress {
  address: string;
  port: number;
}

/** A request as it arrives at the proxy. */
export interface SimRequest {
  /** Listener port the client connects to. */
  port: number;
  scheme: "http" | "https";
  /** TLS server name the client offers (https only). */
  sni?: string;
  /** PEM of the one certificate the client trusts (https): the chain must serve it, or the client aborts. */
  clientTrustsPem?: string;
  /** Downstream protocol: HTTP/1.1, or HTTP/2 with prior knowledge over cleartext. */
  protocol?: "http1" | "h2c";
  method: string;
  /** Host header / :authority as the client sends it (may carry a port). */
  authority: string;
  /** Path with query string. */
  path: string;
  headers?: Header[];
  /** An HTTP/1.1 Upgrade request (WebSocket). */
  upgrade?: "websocket";
}

/** The request Envoy sends upstream (after header mutations and rewrites). */
export interface ForwardedRequest {
  method: string;
  authority: string;
  path: string;
  scheme: string;
  headers: Header[];
  upgrade?: "websocket";
}

/** What an upstream endpoint presents when Envoy opens a TLS connection to it. */
export interface PresentedCertificate {
  dnsNames: string[];
  uris: string[];
  /** PEM of the CA that issued the certificate. */
  issuerPem: string;
}

/** TLS as Envoy negotiated it with the upstream (after verification succeeded). */
export interface UpstreamTlsView {
  sni?: string;
}

export interface UpstreamCall {
  cluster: string;
  endpoint: SocketAddress;
  protocol: "http1" | "h2";
  tls?: UpstreamTlsView;
  request: ForwardedRequest;
  /** 1 for the first try, 2 for the first retry... */
  attempt: number;
}

export type UpstreamReply =
  | { kind: "response"; status: number; headers: Header[]; body?: string; latencyMs: number }
  | { kind: "connect-failure"; reason: string };

/** The world behind the proxy: supplied by the caller (tests or the conformance harness). */
export interface UpstreamModel {
  /** The certificate an endpoint presents, or undefined when the endpoint does not speak TLS. */
  certificate(endpoint: SocketAddress): PresentedCertificate | undefined;
  /** The reply to one attempt. */
  handle(call: UpstreamCall): UpstreamReply;
}

export interface MirrorResult {
  cluster: string;
  /** Share of requests mirrored, 0..100. */
  percent: number;
  endpoint?: SocketAddress;
  request: ForwardedRequest;
}

export interface UpstreamResult {
  cluster: string;
  endpoint: SocketAddress;
  request: ForwardedRequest;
  protocol: "http1" | "h2";
  tls?: UpstreamTlsView;
  attempts: number;
}

/** One possible response (one branch of a weighted choice). */
export interface SimResponse {
  /** 0 when the connection was reset without a response. */
  status: number;
  headers: Header[];
  body?: string;
  /** Who produced the response: Envoy itself, or the upstream. */
  source: "envoy" | "upstream" | "none";
  /** Why: route_not_found, direct_response, redirect, cors_preflight, cluster_not_found... */
  reason: string;
  upstream?: UpstreamResult;
  mirrors: MirrorResult[];
  /** Names of the virtual host and route that handled the request, for diagnostics. */
  virtualHost?: string;
  route?: string;
}

export interface SimBranch {
  /** Relative weight of this branch (weighted clusters); 1 when there is no choice. */
  weight: number;
  response: SimResponse;
}

export interface SimResult {
  branches: SimBranch[];
}
