/**
 * Render: GatewayIR → Envoy v3 resources, one file per resource type. Pure: no I/O, no clock, no
 * randomness; the same IR always gives the same messages, each list sorted by name.
 */
import type { ClusterIR, GatewayIR, RouteConfigIR, VirtualHostIR } from "../../ir/types";
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
  routeConfig?(rc: RouteConfigIR, render: (rc: RouteConfigIR) => EnvoyMessage): EnvoyMessage;
}

const NO_MEMO: RenderMemo = {
  virtualHost: (vh, render) => render(vh),
  cluster: (c, render) => render(c),
  endpoints: (c, render) => render(c),
};

/** An earlier render of the same Gateway: lists whose IR is the same array are taken over as they are. */
export interface PreviousRender {
  ir: GatewayIR;
  resources: GatewayResources;
}

const corsUse = new WeakMap<RouteConfigIR, boolean>();

function corsIn(rc: RouteConfigIR): boolean {
  let uses = corsUse.get(rc);
  if (uses === undefined) corsUse.set(rc, (uses = usesCors(rc)));
  return uses;
}

export function renderGateway(gw: GatewayIR, memo: RenderMemo = NO_MEMO, previous?: PreviousRender): GatewayResources {
  const corsNames = (ir: GatewayIR) => ir.routeConfigs.filter(corsIn).map(rc => rc.name);
  const cors = new Set(corsNames(gw));
  const sameListeners = previous !== undefined && previous.ir.listeners === gw.listeners && corsNames(previous.ir).join("\u0000") === [...cors].join("\u0000");
  const virtualHost = (vh: VirtualHostIR) => memo.virtualHost(vh, renderVirtualHost);
  const routeConfig = (rc: RouteConfigIR) => renderRouteConfig(rc, virtualHost);
  const sameClusters = previous !== undefined && previous.ir.clusters === gw.clusters;
  return {
    gateway: gw.key,
    listeners: sameListeners ? previous.resources.listeners : byName(gw.listeners.map(l => renderListener(l, cors))),
    routes:
      previous && previous.ir.routeConfigs === gw.routeConfigs
        ? previous.resources.routes
        : byName(gw.routeConfigs.map(rc => (memo.routeConfig ? memo.routeConfig(rc, routeConfig) : routeConfig(rc)))),
    clusters: sameClusters ? previous.resources.clusters : byName(gw.clusters.map(c => memo.cluster(c, renderCluster))),
    endpoints: sameClusters
      ? previous.resources.endpoints
      : byName(
          gw.clusters.map(c => memo.endpoints(c, renderEndpoints)).filter((e): e is EnvoyMessage => e !== undefined),
          "clusterName",
        ),
    secrets: previous && previous.ir.secrets === gw.secrets ? previous.resources.secrets : byName(gw.secrets.map(renderSecret)),
  };
}
