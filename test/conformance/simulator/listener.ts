/**
 * Connection handling: the Listener bound to the port, the filter chain Envoy picks for the
 * connection (server_names against SNI, most specific first; transport_protocol "tls" or
 * "raw_buffer"; chains without server_names as the fallback; default_filter_chain last), the TLS
 * handshake, and the HttpConnectionManager of the chain.
 */
import type { SimRequest } from "./types";
import type { XdsConfig } from "./xds";
import { type Msg, anyType, dataSource, list, num, obj, str, strings } from "./msg";

export const HCM = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const DOWNSTREAM_TLS = "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";

export type Connection =
  | { ok: true; listener: Msg; chain: Msg; hcm: Msg }
  | { ok: false; reason: string };

function listenerPort(listener: Msg): number | undefined {
  return num(obj(obj(listener.address)?.socketAddress)?.portValue);
}

export function findListener(config: XdsConfig, port: number): Msg | undefined {
  const matches = [...config.listeners.values()].filter(l => listenerPort(l) === port);
  if (matches.length > 1) throw new Error(`${matches.length} listeners bind port ${port} (Envoy would reject the later ones)`);
  return matches[0];
}

/** How specific a chain's server_names are for an SNI: 2 exact, 1 wildcard (by suffix length), 0 none, -1 no match. */
function sniScore(chain: Msg, sni: string | undefined): number {
  const names = strings(obj(chain.filterChainMatch)?.serverNames).map(n => n.toLowerCase());
  if (names.length === 0) return 0;
  if (!sni) return -1;
  const host = sni.toLowerCase();
  if (names.includes(host)) return 1e6;
  // Envoy tries `*.` + the name with its first label removed, one label at a time.
  let rest = host;
  for (let dot = rest.indexOf("."); dot >= 0; dot = rest.indexOf(".")) {
    rest = rest.slice(dot + 1);
    if (names.includes(`*.${rest}`)) return 1 + rest.length;
  }
  return -1;
}

function chainAccepts(chain: Msg, request: SimRequest): boolean {
  const match = obj(chain.filterChainMatch) ?? {};
  const port = num(obj(match.destinationPort)?.value ?? match.destinationPort);
  if (port !== undefined && port !== request.port) return false;
  const transport = str(match.transportProtocol);
  if (transport && transport !== (request.scheme === "https" ? "tls" : "raw_buffer")) return false;
  const alpn = strings(match.applicationProtocols);
  if (alpn.length > 0 && !alpn.some(p => p === "http/1.1" || p === "h2")) return false;
  return true;
}

/** Envoy rejects a listener two of whose filter chains have the same match criteria. */
export function duplicateChainMatches(listener: Msg): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const chain of list(listener.filterChains)) {
    const match = obj(chain.filterChainMatch) ?? {};
    const key = JSON.stringify(Object.keys(match).sort().map(k => [k, Array.isArray(match[k]) ? [...(match[k] as unknown[])].map(String).sort() : match[k]]));
    if (seen.has(key)) dups.push(`listener ${str(listener.name)}: two filter chains match ${key}`);
    seen.add(key);
  }
  return dups;
}

export function selectFilterChain(listener: Msg, request: SimRequest): Msg | undefined {
  const dups = duplicateChainMatches(listener);
  if (dups.length > 0) throw new Error(`${dups.join("; ")} (Envoy would reject the listener)`);
  let best: Msg | undefined;
  let bestScore = -1;
  for (const chain of list(listener.filterChains)) {
    if (!chainAccepts(chain, request)) continue;
    const score = sniScore(chain, request.scheme === "https" ? request.sni : undefined);
    if (score > bestScore) {
      best = chain;
      bestScore = score;
    }
  }
  return best ?? obj(listener.defaultFilterChain);
}

function downstreamTls(chain: Msg): Msg | undefined {
  const socket = obj(chain.transportSocket);
  const config = obj(socket?.typedConfig);
  return config && anyType(config) === DOWNSTREAM_TLS ? config : undefined;
}

/** The certificate chains a TLS chain serves, inline or through SDS; undefined when an SDS secret is missing. */
function servedCertificates(tls: Msg, config: XdsConfig): string[] | undefined {
  const common = obj(tls.commonTlsContext) ?? {};
  const inline = list(common.tlsCertificates).map(c => dataSource(c.certificateChain) ?? "");
  const sds = list(common.tlsCertificateSdsSecretConfigs).map(s => config.secrets.get(str(s.name) ?? ""));
  if (sds.some(s => s === undefined)) return undefined;
  return [...inline, ...sds.map(s => dataSource(obj(s?.tlsCertificate)?.certificateChain) ?? "")];
}

const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");

export function connect(config: XdsConfig, request: SimRequest): Connection {
  const listener = findListener(config, request.port);
  if (!listener) return { ok: false, reason: `no listener on port ${request.port}` };
  const chain = selectFilterChain(listener, request);
  if (!chain) return { ok: false, reason: "no filter chain matches the connection" };
  const tls = downstreamTls(chain);
  if (request.scheme === "https" && !tls) return { ok: false, reason: "TLS handshake on a chain without a TLS transport socket" };
  if (request.scheme === "http" && tls) return { ok: false, reason: "cleartext request on a TLS-only filter chain" };
  if (tls) {
    const served = servedCertificates(tls, config);
    if (!served || served.length === 0) return { ok: false, reason: "filter chain has no usable server certificate" };
    const trusted = request.clientTrustsPem;
    if (trusted && !served.some(chain => pemBody(chain).includes(pemBody(trusted)))) return { ok: false, reason: "the server certificate is not the one the client trusts" };
  }
  const filter = list(chain.filters).find(f => anyType(f.typedConfig) === HCM);
  if (!filter) return { ok: false, reason: "filter chain has no HttpConnectionManager" };
  const hcm = obj(filter.typedConfig) as Msg;
  const codec = str(hcm.codecType) ?? "AUTO";
  if (request.protocol === "h2c" && codec === "HTTP1") return { ok: false, reason: "HTTP/2 prior knowledge on an HTTP/1-only connection manager" };
  if ((request.protocol ?? "http1") === "http1" && codec === "HTTP2") return { ok: false, reason: "HTTP/1.1 on an HTTP/2-only connection manager" };
  return { ok: true, listener, chain, hcm };
}

/** The route configuration of an HttpConnectionManager: inline, or by RDS name. */
export function hcmRouteConfig(hcm: Msg, config: XdsConfig): { routeConfig?: Msg; reason?: string } {
  if (obj(hcm.routeConfig)) return { routeConfig: hcm.routeConfig as Msg };
  const name = str(obj(hcm.rds)?.routeConfigName);
  if (name === undefined) return { reason: "HttpConnectionManager has neither route_config nor rds" };
  const routeConfig = config.routes.get(name);
  return routeConfig ? { routeConfig } : { reason: `RDS route configuration "${name}" is not in the snapshot` };
}

/** Names of the HTTP filters of the connection manager, in order. */
export function httpFilters(hcm: Msg): string[] {
  return list(hcm.httpFilters).map(f => str(f.name) ?? "");
}
