/**
 * ListenerIR → envoy.config.listener.v3.Listener.
 *
 * Choices (written down because Envoy leaves them open):
 * - Address 0.0.0.0 and the Gateway's own port, also below 1024: the data-plane pod sets the
 *   sysctl net.ipv4.ip_unprivileged_port_start=0 so non-root Envoy binds low ports, and there is no
 *   port remapping (Envoy Gateway adds 10000 to privileged ports instead; keeping the port means
 *   the listener port is the one users wrote).
 * - One HttpConnectionManager per filter chain, routes over RDS on the ADS stream, the CORS filter
 *   only when a route of that route configuration carries a CORS policy, then the router.
 * - Edge defaults: use_remote_address (Envoy is the edge: it appends the client address to
 *   X-Forwarded-For and trusts no inbound one for internal checks), normalize_path (RFC 3986
 *   normalisation before matching), merge_slashes, and escaped slashes (%2F, %5C) unescaped with a
 *   redirect, so that matching sees the same path the backend will.
 * - Access log to stdout in Envoy's default format.
 * - HTTPS: the tls_inspector listener filter reads SNI; each filter chain matches its serverNames
 *   and terminates TLS with certificates served over SDS, advertising h2 and http/1.1 by ALPN.
 */
import type { ListenerIR, FilterChainIR } from "../../ir/types";
import type { EnvoyMessage } from "../types";
import { CORS_FILTER_NAME, adsConfigSource, sdsSecret, typed } from "./common";

const HCM = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const ROUTER = "envoy.extensions.filters.http.router.v3.Router";
const CORS = "envoy.extensions.filters.http.cors.v3.Cors";
const TLS_INSPECTOR = "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector";
const DOWNSTREAM_TLS = "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
const STDOUT_LOG = "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog";

/** Renders one listener. `corsRouteConfigs` names the route configurations with a CORS policy. */
export function renderListener(listener: ListenerIR, corsRouteConfigs: ReadonlySet<string>): EnvoyMessage {
  const tls = listener.protocol === "HTTPS";
  const out: EnvoyMessage = {
    name: listener.name,
    address: { socketAddress: { address: "0.0.0.0", portValue: listener.port } },
    filterChains: listener.filterChains.map(chain => filterChain(listener, chain, corsRouteConfigs)),
  };
  if (tls) {
    out.listenerFilters = [{ name: "envoy.filters.listener.tls_inspector", typedConfig: typed(TLS_INSPECTOR) }];
  }
  return out;
}

function filterChain(listener: ListenerIR, chain: FilterChainIR, corsRouteConfigs: ReadonlySet<string>): EnvoyMessage {
  const out: EnvoyMessage = {
    name: chain.name,
    filters: [{ name: "envoy.filters.network.http_connection_manager", typedConfig: connectionManager(listener, chain, corsRouteConfigs) }],
  };
  if (chain.serverNames.length > 0) out.filterChainMatch = { serverNames: [...chain.serverNames] };
  if (listener.protocol === "HTTPS") {
    out.transportSocket = {
      name: "envoy.transport_sockets.tls",
      typedConfig: typed(DOWNSTREAM_TLS, {
        commonTlsContext: {
          tlsCertificateSdsSecretConfigs: chain.certificateSecrets.map(sdsSecret),
          alpnProtocols: ["h2", "http/1.1"],
        },
      }),
    };
  }
  return out;
}

function connectionManager(listener: ListenerIR, chain: FilterChainIR, corsRouteConfigs: ReadonlySet<string>): EnvoyMessage {
  const httpFilters: EnvoyMessage[] = [];
  if (corsRouteConfigs.has(chain.routeConfigName)) httpFilters.push({ name: CORS_FILTER_NAME, typedConfig: typed(CORS) });
  httpFilters.push({ name: "envoy.filters.http.router", typedConfig: typed(ROUTER) });
  return typed(HCM, {
    statPrefix: `${listener.protocol.toLowerCase()}-${listener.port}`,
    rds: { routeConfigName: chain.routeConfigName, configSource: adsConfigSource() },
    httpFilters,
    accessLog: [{ name: "envoy.access_loggers.stdout", typedConfig: typed(STDOUT_LOG) }],
    useRemoteAddress: { value: true },
    normalizePath: { value: true },
    mergeSlashes: true,
    pathWithEscapedSlashesAction: "UNESCAPE_AND_REDIRECT",
  });
}
