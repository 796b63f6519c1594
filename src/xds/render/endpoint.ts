/**
 * ClusterIR (kind eds) → envoy.config.endpoint.v3.ClusterLoadAssignment, one per EDS cluster,
 * also when it has no endpoints (Envoy then answers 503 for that cluster instead of waiting for
 * an assignment that never comes). Endpoints are grouped by zone (no zone first), each group and
 * each endpoint list sorted, so the bytes do not depend on EndpointSlice order.
 */
import type { ClusterIR } from "../../ir/types";
import type { EnvoyMessage } from "../types";
import { compare } from "./common";

export function renderEndpoints(cluster: ClusterIR): EnvoyMessage | undefined {
  if (cluster.endpoints.kind !== "eds") return undefined;
  const zones = new Map<string, Array<{ address: string; port: number }>>();
  for (const ep of cluster.endpoints.endpoints) {
    const zone = ep.zone ?? "";
    let list = zones.get(zone);
    if (!list) zones.set(zone, (list = []));
    list.push({ address: ep.address, port: ep.port });
  }
  const endpoints = [...zones.keys()].sort(compare).map(zone => {
    const list = zones.get(zone)!.sort((a, b) => compare(a.address, b.address) || a.port - b.port);
    const group: EnvoyMessage = {
      lbEndpoints: list.map(e => ({ endpoint: { address: { socketAddress: { address: e.address, portValue: e.port } } } })),
    };
    if (zone !== "") group.locality = { zone };
    return group;
  });
  return { clusterName: cluster.name, endpoints };
}
