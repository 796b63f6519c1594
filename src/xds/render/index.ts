/**
 * Render: GatewayIR → Envoy v3 resources, one file per resource type. Pure: no I/O, no clock, no
 * randomness; the same IR always gives the same messages, each list sorted by name.
 */
import type { GatewayIR } from "../../ir/types";
import type { EnvoyMessage, GatewayResources } from "../types";
import { byName } from "./common";
import { renderCluster } from "./cluster";
import { renderEndpoints } from "./endpoint";
import { renderListener } from "./listener";
import { renderRouteConfig, usesCors } from "./route";
import { renderSecret } from "./secret";

export { renderCluster } from "./cluster";
export { renderEndpoints } from "./endpoint";
export { renderListener } from "./listener";
export { renderRouteConfig, renderRoute, usesCors } from "./route";
export { renderSecret } from "./secret";
export { INVALID_BACKEND_CLUSTER } from "./route-action";

export function renderGateway(gw: GatewayIR): GatewayResources {
  const cors = new Set(gw.routeConfigs.filter(usesCors).map(rc => rc.name));
  return {
    gateway: gw.key,
    listeners: byName(gw.listeners.map(l => renderListener(l, cors))),
    routes: byName(gw.routeConfigs.map(renderRouteConfig)),
    clusters: byName(gw.clusters.map(renderCluster)),
    endpoints: byName(gw.clusters.map(renderEndpoints).filter((e): e is EnvoyMessage => e !== undefined), "clusterName"),
    secrets: byName(gw.secrets.map(renderSecret)),
  };
}
