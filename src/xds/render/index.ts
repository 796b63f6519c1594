/**
 * Render: GatewayIR → Envoy v3 resources, one file per resource type. Pure: no I/O, no clock, no
 * randomness; the same IR always gives the same messages, each list sorted by name.
 */
import type { ClusterIR, GatewayIR, VirtualHostIR } from "../../ir/types";
import type { EnvoyMessage, GatewayResources } from "../types";
import { byName } from "./common";
import { renderCluster } from "./cluster";
import { renderEndpoints } from "./endpoint";
import { renderListener } from "./listener";
import { renderRouteConfig, renderVirtualHost, usesCors } from "./route";
import { renderSecret } from "./secret";

export { renderCluster, SYSTEM_CA_FILE, DNS_REFRESH_MS } from "./cluster";
export { renderEndpoints } from "./endpoint";
export { renderListener } from "./listener";
export { renderRouteConfig, renderRoute, renderVirtualHost, usesCors } from "./route";
export { renderSecret } from "./secret";
export { INVALID_BACKEND_CLUSTER } from "./route-action";

/**
 * Optional memoisation of the per-piece renderers, for callers that render often (the pipeline):
 * each must return what the renderer it is given returns for that IR (it may return an earlier
 * result for equal IR). Without it every piece is rendered afresh.
 */
export interface RenderMemo {
  virtualHost(vh: VirtualHostIR, render: (vh: VirtualHostIR) => EnvoyMessage): EnvoyMessage;
  cluster(cluster: ClusterIR, render: (cluster: ClusterIR) => EnvoyMessage): EnvoyMessage;
  endpoints(cluster: ClusterIR, render: (cluster: ClusterIR) => EnvoyMessage | undefined): EnvoyMessage | undefined;
}

const NO_MEMO: RenderMemo = {
  virtualHost: (vh, render) => render(vh),
  cluster: (c, render) => render(c),
  endpoints: (c, render) => render(c),
};

export function renderGateway(gw: GatewayIR, memo: RenderMemo = NO_MEMO): GatewayResources {
  const cors = new Set(gw.routeConfigs.filter(usesCors).map(rc => rc.name));
  const virtualHost = (vh: VirtualHostIR) => memo.virtualHost(vh, renderVirtualHost);
  return {
    gateway: gw.key,
    listeners: byName(gw.listeners.map(l => renderListener(l, cors))),
    routes: byName(gw.routeConfigs.map(rc => renderRouteConfig(rc, virtualHost))),
    clusters: byName(gw.clusters.map(c => memo.cluster(c, renderCluster))),
    endpoints: byName(
      gw.clusters.map(c => memo.endpoints(c, renderEndpoints)).filter((e): e is EnvoyMessage => e !== undefined),
      "clusterName",
    ),
    secrets: byName(gw.secrets.map(renderSecret)),
  };
}
