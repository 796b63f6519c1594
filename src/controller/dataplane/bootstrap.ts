/**
 * The bootstrap a Gateway's Envoy pods start from: src/xds/bootstrap.ts's (delta ADS to the xDS
 * Service over mTLS with the Gateway's client certificate, node cluster `namespace/name`, admin on
 * loopback) plus what running in a pod needs: a readiness listener on 0.0.0.0:<readinessPort> that
 * forwards only `GET /ready` to the admin interface, so the kubelet can probe readiness without the
 * admin interface being reachable from the pod network. Checked strictly against the Bootstrap proto.
 */
import { DEFAULT_ADMIN_ADDRESS, bootstrapMessage, bootstrapProblems, toProtoJson } from "../../xds/bootstrap";
import type { EnvoyMessage } from "../../xds/types";
import type { WatcherOptions } from "../options";
import { PATHS } from "./resources";

const ADMIN_CLUSTER = "envoy_admin";
const HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

function readinessListener(port: number): EnvoyMessage {
  return {
    name: "envoy_readiness",
    address: { socketAddress: { address: "0.0.0.0", portValue: port } },
    filterChains: [
      {
        filters: [
          {
            name: "envoy.filters.network.http_connection_manager",
            typedConfig: {
              "@type": HCM,
              statPrefix: "envoy_readiness",
              routeConfig: {
                name: "envoy_readiness",
                virtualHosts: [
                  {
                    name: "envoy_readiness",
                    domains: ["*"],
                    routes: [{ match: { path: "/ready", headers: [{ name: ":method", stringMatch: { exact: "GET" } }] }, route: { cluster: ADMIN_CLUSTER } }],
                  },
                ],
              },
              httpFilters: [{ name: "envoy.filters.http.router", typedConfig: { "@type": ROUTER } }],
            },
          },
        ],
      },
    ],
  };
}

function adminCluster(): EnvoyMessage {
  const [host, port] = DEFAULT_ADMIN_ADDRESS.split(":");
  return {
    name: ADMIN_CLUSTER,
    type: "STATIC",
    connectTimeout: { seconds: 1 },
    loadAssignment: {
      clusterName: ADMIN_CLUSTER,
      endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: host, portValue: Number(port) } } } }] }],
    },
  };
}

/** The bootstrap file (JSON, which Envoy reads as YAML) for a Gateway's pods. */
export function bootstrapFor(gw: { namespace: string; name: string }, opts: WatcherOptions, clusterDomain: string): string {
  const message = bootstrapMessage({
    gateway: `${gw.namespace}/${gw.name}`,
    xdsAddress: `${opts.xdsService}.${opts.xdsNamespace}.svc.${clusterDomain}:18000`,
    tls: { certFile: `${PATHS.tlsDir}/tls.crt`, keyFile: `${PATHS.tlsDir}/tls.key`, caFile: `${PATHS.tlsDir}/ca.crt` },
  });
  const statics = (message.staticResources ?? {}) as { clusters?: EnvoyMessage[]; listeners?: EnvoyMessage[] };
  message.staticResources = {
    ...statics,
    clusters: [...(statics.clusters ?? []), adminCluster()],
    listeners: [...(statics.listeners ?? []), readinessListener(opts.dataplane.readinessPort)],
  };
  const problems = bootstrapProblems(message);
  if (problems.length > 0) throw new Error(`invalid bootstrap: ${problems.join("; ")}`);
  return `${JSON.stringify(toProtoJson(message), null, 2)}\n`;
}
