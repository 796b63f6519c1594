/**
 * Service endpoints from EndpointSlices (discovery.k8s.io/v1): the slices labelled
 * `kubernetes.io/service-name: <service>` in the Service's namespace, their IPv4 and IPv6
 * endpoints whose `conditions.ready` is not false (unset means ready), on the slice port whose
 * name equals the Service port's name. A Service without ready endpoints gets an empty list:
 * Envoy answers 503, as the spec recommends.
 *
 * Addresses that can never be a backend (loopback, link-local, unspecified, multicast, cloud
 * metadata; see the admission policy) are left out even here: a hand-written EndpointSlice must not
 * make the proxy call itself or the node's metadata service. The operator's denied CIDRs are not
 * applied: they usually hold the pod range, which is where Service endpoints live.
 *
 * The slices are indexed once per Store snapshot.
 */
import type { EndpointSlice } from "../apis";
import { classifyAddress, formatAddress, parsePlainAddress } from "../policy/address";
import type { PolicyConfig } from "../policy/types";
import { isRecord } from "../policy/report";
import type { Store } from "../store";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

export interface EndpointIR {
  address: string;
  port: number;
  zone?: string;
}

/** Only the always-denied ranges: no CIDRs of the operator, private ranges allowed. */
const ALWAYS: PolicyConfig = { deniedCIDRs: [], denyPrivateRanges: false, allowUnixSockets: false, clusterDomain: "cluster.local" };

const index = new WeakMap<Store, Map<string, EndpointSlice[]>>();

function slicesOf(store: Store, namespace: string, service: string): EndpointSlice[] {
  let byService = index.get(store);
  if (!byService) {
    byService = new Map();
    for (const slice of store.list<EndpointSlice>("EndpointSlice")) {
      const labels = slice.metadata?.labels;
      const name = isRecord(labels) ? labels[SERVICE_NAME_LABEL] : undefined;
      if (typeof name !== "string") continue;
      const key = `${slice.metadata?.namespace ?? ""}/${name}`;
      const list = byService.get(key);
      if (list) list.push(slice);
      else byService.set(key, [slice]);
    }
    index.set(store, byService);
  }
  return byService.get(`${namespace}/${service}`) ?? [];
}

function safeAddress(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  const addr = parsePlainAddress(text);
  if (!addr || classifyAddress(addr, ALWAYS)) return undefined;
  return formatAddress(addr);
}

function slicePort(slice: EndpointSlice, portName: string): number | undefined {
  if (!Array.isArray(slice.ports)) return undefined;
  for (const p of slice.ports) {
    if (!isRecord(p) || (p.name ?? "") !== portName) continue;
    if (typeof p.port === "number" && Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535) return p.port;
  }
  return undefined;
}

function sliceEndpoints(slice: EndpointSlice, port: number, out: Map<string, EndpointIR>): void {
  if (slice.addressType !== "IPv4" && slice.addressType !== "IPv6") return;
  if (!Array.isArray(slice.endpoints)) return;
  for (const ep of slice.endpoints) {
    if (!isRecord(ep) || !Array.isArray(ep.addresses)) continue;
    if (isRecord(ep.conditions) && ep.conditions.ready === false) continue;
    for (const raw of ep.addresses) {
      const address = safeAddress(raw);
      if (!address) continue;
      const key = `${address}|${port}`;
      if (out.has(key)) continue;
      const entry: EndpointIR = { address, port };
      if (typeof ep.zone === "string" && ep.zone !== "") entry.zone = ep.zone;
      out.set(key, entry);
    }
  }
}

/** Ready endpoints of a Service port (by the port's name), sorted by address then port. */
export function serviceEndpoints(store: Store, namespace: string, service: string, portName: string | undefined): EndpointIR[] {
  const found = new Map<string, EndpointIR>();
  for (const slice of slicesOf(store, namespace, service)) {
    const port = slicePort(slice, portName ?? "");
    if (port !== undefined) sliceEndpoints(slice, port, found);
  }
  return [...found.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
}
