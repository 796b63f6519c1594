/**
 * The objects a conformance test runs against, as the suite would have them in a cluster:
 *
 * - base/manifests.yaml and the test's manifests, read at test time from the shared Gateway API
 *   v1.6.1 conformance inputs, with the suite's placeholders filled in: {GATEWAY_CLASS_NAME} is our
 *   GatewayClass (created here, controllerName pepr.dev/envoy-gateway) and
 *   {GATEWAY_CONTROLLER_NAME} our controller name;
 * - what the suite creates at start-up: the listener certificate Secrets
 *   (gateway-conformance-infra/tls-validity-checks-certificate,
 *   gateway-conformance-web-backend/certificate) and the CA ConfigMaps
 *   (tls-checks-ca-certificate, mismatch-ca-certificate), with certificates generated for this
 *   harness (harness/pki);
 * - what the cluster would add: metadata.generation 1 and one creationTimestamp on every object,
 *   and EndpointSlices for the Services (see backends.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../../src/apis";
import { DEFAULT_CONTROLLER_NAME } from "../../../src/config";
import type { PresentedCertificate } from "../simulator/types";
import { type Pod, EchoBackends, endpointSlicesFor, podsOf } from "./backends";
import type { Mutation } from "../cases/types";

export const CLASS_NAME = "pepr-envoy-gateway-conformance";
export const CONTROLLER_NAME = DEFAULT_CONTROLLER_NAME;
export const CREATED_AT = "2025-01-01T00:00:00Z";

/** The shared conformance inputs, relative to the repository root. */
export const CONFORMANCE_DIR = path.resolve(__dirname, "../../../../shared/gateway-api/v1.6.1/conformance");

function pem(name: string): string {
  return fs.readFileSync(path.join(__dirname, "pki", name), "utf8");
}

export const PKI = {
  listenerCert: () => pem("listener.pem"),
  listenerKey: () => pem("listener-key.pem"),
  backendCa: () => pem("backend-ca.pem"),
  unrelatedCa: () => pem("unrelated-ca.pem"),
  /** What the suite's TLS backends present (see the file header of backends.ts). */
  servingCertificate: (): PresentedCertificate => ({
    dnsNames: ["abc.example.com", "other.example.com"],
    uris: ["spiffe://abc.example.com/test-identity"],
    issuerPem: pem("backend-ca.pem"),
  }),
};

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function fill(value: unknown): unknown {
  if (typeof value === "string") return value.replace("{GATEWAY_CLASS_NAME}", CLASS_NAME).replace("{GATEWAY_CONTROLLER_NAME}", CONTROLLER_NAME);
  if (Array.isArray(value)) return value.map(fill);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
  return value;
}

/** The objects of one conformance YAML file ("base/manifests.yaml", "tests/x.yaml"). */
export function loadManifest(file: string): KubeObject[] {
  const text = fs.readFileSync(path.join(CONFORMANCE_DIR, file), "utf8");
  return parseAllDocuments(text)
    .map(d => d.toJS() as unknown)
    .filter((o): o is KubeObject => !!o && typeof o === "object")
    .map(o => fill(o) as KubeObject);
}

function tlsSecret(namespace: string, name: string): KubeObject {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return { apiVersion: "v1", kind: "Secret", metadata: { namespace, name }, type: "kubernetes.io/tls", data: { "tls.crt": b64(PKI.listenerCert()), "tls.key": b64(PKI.listenerKey()) } } as KubeObject;
}

function caConfigMap(namespace: string, name: string, ca: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace, name }, data: { "ca.crt": ca } } as KubeObject;
}

/** What the suite itself creates before running tests. */
export function suiteObjects(): KubeObject[] {
  return [
    { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: CLASS_NAME }, spec: { controllerName: CONTROLLER_NAME } } as KubeObject,
    tlsSecret("gateway-conformance-infra", "tls-validity-checks-certificate"),
    tlsSecret("gateway-conformance-web-backend", "certificate"),
    caConfigMap("gateway-conformance-infra", "tls-checks-ca-certificate", PKI.backendCa()),
    caConfigMap("gateway-conformance-infra", "mismatch-ca-certificate", PKI.unrelatedCa()),
  ];
}

function admitted(o: KubeObject): KubeObject {
  return { ...o, metadata: { generation: 1, creationTimestamp: CREATED_AT, ...o.metadata } };
}

export interface World {
  /** Input objects, without the EndpointSlices the harness derives. */
  objects: KubeObject[];
  pods: Pod[];
  backends: EchoBackends;
}

export function keyOf(o: KubeObject): string {
  return o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : `${o.metadata?.name}`;
}

export function buildWorld(manifests: readonly string[]): World {
  const objects = [...suiteObjects(), ...loadManifest("base/manifests.yaml"), ...manifests.flatMap(m => loadManifest(`tests/${m}`))].map(admitted);
  const pods = podsOf(objects);
  return { objects, pods, backends: new EchoBackends(pods, PKI.servingCertificate()) };
}

/** EndpointSlices of the manifests whose endpoints the upstream test fills in at run time (HTTPRouteServiceTypes). */
function fillManualSlices(objects: KubeObject[], pods: readonly Pod[]): KubeObject[] {
  const source = pods.filter(p => p.namespace === "gateway-conformance-infra" && p.deployment === "infra-backend-v1");
  return objects.map((o: Any) => {
    if (o.kind !== "EndpointSlice" || o.addressType !== "IPv4" || (o.endpoints ?? []).length > 0) return o;
    return { ...o, endpoints: source.map(p => ({ addresses: [p.ip], conditions: { ready: true, serving: true, terminating: false } })) };
  });
}

/** Everything the Store gets: inputs plus derived EndpointSlices. */
export function storeObjects(world: World): KubeObject[] {
  return [...fillManualSlices(world.objects, world.pods), ...endpointSlicesFor(world.objects, world.pods)];
}

/** Applies mutations as the API server would (a spec change bumps metadata.generation). */
export function mutate(world: World, mutations: readonly Mutation[]): World {
  let objects = world.objects;
  for (const m of mutations) {
    const index = objects.findIndex(o => o.kind === m.kind && keyOf(o) === m.name);
    if (index < 0) throw new Error(`mutation of ${m.kind} ${m.name}: no such object`);
    if (!m.change) {
      objects = objects.filter((_, i) => i !== index);
      continue;
    }
    const copy = structuredClone(objects[index]) as Any;
    m.change(copy);
    copy.metadata.generation = (copy.metadata.generation ?? 1) + 1;
    objects = objects.map((o, i) => (i === index ? copy : o));
  }
  return { ...world, objects };
}
