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
 * The slices are indexed once for all snapshots with the same EndpointSlices; the index of a
 * snapshot is derived from the last one built, redoing only the Services whose slices changed.
 */
import type { EndpointSlice } from "../apis";
import { classifyAddress, formatAddress, parsePlainAddress } from "../policy/address";
import { METADATA_ADDRESSES } from "../policy/metadata";
import type { PolicyConfig } from "../policy/types";
import { isRecord } from "../policy/report";
import { keyOf, type Store } from "../store";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

export interface EndpointIR {
  address: string;
  port: number;
  zone?: string;
}

/** Only the always-denied ranges: no CIDRs of the operator, private ranges allowed. */
const ALWAYS: PolicyConfig = { deniedCIDRs: [], denyPrivateRanges: false, allowUnixSockets: false, clusterDomain: "cluster.local" };

interface Index {
  /** `namespace/service` → its slices, in key order. */
  slices: Map<string, EndpointSlice[]>;
  /** `namespace/service` → port name → the computed endpoints (shared, never modified). */
  endpoints: Map<string, Map<string, readonly EndpointIR[]>>;
}

/** Slot of the slice index (store.derived): shared while the EndpointSlices are unchanged. */
const INDEX = {};

/** Past this many changed slices, the index is built again rather than derived from the last one. */
const MAX_EDITS = 256;

/** The last index built, for the next snapshot's to be derived from. */
let latest: { store: Store; idx: Index } | undefined;

/** `namespace/service` of the Service a slice is labelled for. */
function serviceOf(slice: EndpointSlice | undefined): string | undefined {
  const labels = slice?.metadata?.labels;
  const name = isRecord(labels) ? labels[SERVICE_NAME_LABEL] : undefined;
  return typeof name === "string" ? `${slice?.metadata?.namespace ?? ""}/${name}` : undefined;
}

function buildIndex(store: Store): Index {
  const idx: Index = { slices: new Map(), endpoints: new Map() };
  for (const slice of store.list<EndpointSlice>("EndpointSlice")) {
    const key = serviceOf(slice);
    if (key === undefined) continue;
    const list = idx.slices.get(key);
    if (list) list.push(slice);
    else idx.slices.set(key, [slice]);
  }
  return idx;
}

const sliceKey = (s: EndpointSlice) => keyOf(s.metadata?.namespace, s.metadata?.name ?? "");

/** The index of `store` from the one of an earlier snapshot, redoing only the Services whose slices changed. */
function derive(from: { store: Store; idx: Index }, store: Store): Index | undefined {
  const changed = store.changes("EndpointSlice", from.store);
  if (changed.length > MAX_EDITS) return undefined;
  const slices = new Map(from.idx.slices);
  const endpoints = new Map(from.idx.endpoints);
  for (const key of changed) {
    const before = from.store.byKey<EndpointSlice>("EndpointSlice", key);
    const after = store.byKey<EndpointSlice>("EndpointSlice", key);
    for (const service of new Set([serviceOf(before), serviceOf(after)])) {
      if (service === undefined) continue;
      endpoints.delete(service);
      const list = (slices.get(service) ?? []).filter(s => s !== before);
      if (after && serviceOf(after) === service) {
        const at = list.findIndex(s => sliceKey(s) > key);
        list.splice(at < 0 ? list.length : at, 0, after);
      }
      if (list.length > 0) slices.set(service, list);
      else slices.delete(service);
    }
  }
  return { slices, endpoints };
}

function indexOf(store: Store): Index {
  return store.derived(INDEX, ["EndpointSlice"], () => {
    const idx = (latest && derive(latest, store)) ?? buildIndex(store);
    latest = { store, idx };
    return idx;
  });
}

/** Canonical dotted-quad IPv4 (no leading zeros): already in the form formatAddress prints. */
const CANONICAL_IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const METADATA_IPV4 = new Set(METADATA_ADDRESSES.map(m => m.address).filter(a => !a.includes(":")));

/**
 * A fast yes for the common case: a canonical IPv4 address outside 0/8, 127/8, 169.254/16 and
 * 224/4 and above, and not a metadata address. Anything else takes the policy's full check.
 */
function plainlySafeIPv4(text: string): boolean {
  if (!CANONICAL_IPV4.test(text)) return false;
  const first = Number(text.slice(0, text.indexOf(".")));
  if (first === 0 || first === 127 || first >= 224 || text.startsWith("169.254.")) return false;
  return !METADATA_IPV4.has(text);
}

function safeAddress(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  if (plainlySafeIPv4(text)) return text;
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

/**
 * Ready endpoints of a Service port (by the port's name), sorted by address then port. The list is
 * computed once per Store snapshot and shared: callers must not modify it.
 */
export function serviceEndpoints(store: Store, namespace: string, service: string, portName: string | undefined): readonly EndpointIR[] {
  const idx = indexOf(store);
  const key = `${namespace}/${service}`;
  let byPort = idx.endpoints.get(key);
  if (!byPort) idx.endpoints.set(key, (byPort = new Map()));
  let list = byPort.get(portName ?? "");
  if (!list) {
    const found = new Map<string, EndpointIR>();
    for (const slice of idx.slices.get(key) ?? []) {
      const port = slicePort(slice, portName ?? "");
      if (port !== undefined) sliceEndpoints(slice, port, found);
    }
    list = [...found.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
    byPort.set(portName ?? "", list);
  }
  return list;
}
