/**
 * What a change touches (deps.ts), kind by kind, and the incremental translator picking the
 * change up in exactly the routes that read it.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config";
import type { InputKind } from "../../../src/apis";
import type { Store } from "../../../src/store";
import { inputKindOf } from "../../../src/store/objects";
import { ROUTE_LEVEL, translate } from "../../../src/translate";
import { grantDep, targetDep, touchedDeps } from "../../../src/translate/deps";
import type { RouteLevel } from "../../../src/translate/pipeline";
import { Translator } from "../../../src/translate/translator";
import { TEST_CERT } from "../translate/fixtures";
import { storeOf } from "./world";

const GROUP = "gateway.networking.k8s.io";
const EG = "gateway.envoyproxy.io";
const config = loadConfig({});

const gatewayClass = { apiVersion: `${GROUP}/v1`, kind: "GatewayClass", metadata: { name: "peg" }, spec: { controllerName: "pepr.dev/envoy-gateway" } };
const gateway = {
  apiVersion: `${GROUP}/v1`,
  kind: "Gateway",
  metadata: { name: "eg", namespace: "default" },
  spec: { gatewayClassName: "peg", listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }] },
};
const route = (name: string, namespace: string, backendRefs: unknown[]) => ({
  apiVersion: `${GROUP}/v1`,
  kind: "HTTPRoute",
  metadata: { name, namespace },
  spec: { parentRefs: [{ name: "eg", namespace: "default" }], hostnames: [`${name}.example.com`], rules: [{ backendRefs }] },
});
const service = (name: string, namespace = "default", port = 80) => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec: { ports: [{ name: "http", port }] } });
const slice = (name: string, svc: string, address: string) => ({
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name, namespace: "default", labels: { "kubernetes.io/service-name": svc } },
  addressType: "IPv4",
  endpoints: [{ addresses: [address] }],
  ports: [{ name: "http", port: 8080 }],
});
const backend = (caName: string) => ({
  apiVersion: `${EG}/v1alpha1`,
  kind: "Backend",
  metadata: { name: "be", namespace: "default" },
  spec: { endpoints: [{ fqdn: { hostname: "api.example.com", port: 443 } }], tls: { caCertificateRefs: [{ group: "", kind: "ConfigMap", name: caName }] } },
});
const configMap = (name: string, pem: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { "ca.crt": pem } });
const policy = (target: string, caName: string) => ({
  apiVersion: `${GROUP}/v1`,
  kind: "BackendTLSPolicy",
  metadata: { name: "p", namespace: "default" },
  spec: { targetRefs: [{ group: "", kind: "Service", name: target }], validation: { hostname: "a.example.com", caCertificateRefs: [{ group: "", kind: "ConfigMap", name: caName }] } },
});
const grant = (toName?: string) => ({
  apiVersion: `${GROUP}/v1beta1`,
  kind: "ReferenceGrant",
  metadata: { name: "g", namespace: "default" },
  spec: { from: [{ group: GROUP, kind: "HTTPRoute", namespace: "web" }], to: [{ group: "", kind: "Service", ...(toName ? { name: toName } : {}) }] },
});

function edited(before: Store, objects: Record<string, unknown>[]): Store {
  let store = before;
  for (const o of objects) {
    const kind = inputKindOf(o) as InputKind;
    store = store.with(kind, storeOf([o]).list(kind)[0]);
  }
  return store;
}

describe("touchedDeps", () => {
  const base = storeOf([service("a"), service("b"), slice("s1", "a", "10.0.0.1"), backend("ca"), configMap("ca", TEST_CERT), configMap("other", TEST_CERT), policy("b", "ca")]);

  it("nothing when nothing changed", () => {
    expect([...touchedDeps(base, base)]).toEqual([]);
  });

  it("a Service, a Backend, a ReferenceGrant: that target, that namespace", () => {
    expect([...touchedDeps(base, edited(base, [service("a", "default", 81)]))]).toEqual([targetDep("Service", "default", "a")]);
    expect([...touchedDeps(base, edited(base, [backend("other")]))]).toEqual([targetDep("Backend", "default", "be")]);
    expect([...touchedDeps(base, edited(base, [grant()]))]).toEqual([grantDep("default")]);
  });

  it("an EndpointSlice: the Services it was and is labelled for", () => {
    expect([...touchedDeps(base, edited(base, [slice("s1", "a", "10.0.0.2")]))]).toEqual([targetDep("Service", "default", "a")]);
    expect([...touchedDeps(base, edited(base, [slice("s1", "b", "10.0.0.1")]))].sort()).toEqual([targetDep("Service", "default", "a"), targetDep("Service", "default", "b")]);
    expect([...touchedDeps(base, base.without("EndpointSlice", "default", "s1"))]).toEqual([targetDep("Service", "default", "a")]);
  });

  it("a BackendTLSPolicy: every target it names, before and after", () => {
    const deps = [...touchedDeps(base, edited(base, [policy("a", "ca")]))].sort();
    expect(deps).toEqual([targetDep("Backend", "default", "a"), targetDep("Backend", "default", "b"), targetDep("Service", "default", "a"), targetDep("Service", "default", "b")].sort());
  });

  it("a ConfigMap: the targets of the policies and Backends whose CA references name it, only", () => {
    const deps = [...touchedDeps(base, edited(base, [configMap("ca", `${TEST_CERT}\n`)]))].sort();
    expect(deps).toEqual([targetDep("Backend", "default", "b"), targetDep("Backend", "default", "be"), targetDep("Service", "default", "b")].sort());
    expect([...touchedDeps(base, edited(base, [configMap("other", "x")]))]).toEqual([]);
  });
});

describe("incremental translation after a dependency changes", () => {
  const world = [
    gatewayClass,
    gateway,
    route("ra", "default", [{ name: "a", port: 80 }]),
    route("rb", "default", [{ name: "b", port: 80 }]),
    route("rbe", "default", [{ group: EG, kind: "Backend", name: "be" }]),
    route("rx", "web", [{ name: "a", namespace: "default", port: 80 }]),
    service("a"),
    service("b"),
    slice("s1", "a", "10.0.0.1"),
    backend("ca"),
    configMap("ca", TEST_CERT),
    policy("b", "ca"),
  ];

  const cases: Array<[string, Record<string, unknown>[], string[]]> = [
    ["an EndpointSlice", [slice("s1", "a", "10.0.0.2")], ["default/ra", "web/rx"]],
    ["a Service", [service("b", "default", 81)], ["default/rb"]],
    ["a CA ConfigMap of a policy and a Backend", [configMap("ca", "no certificate here")], ["default/rb", "default/rbe"]],
    ["a BackendTLSPolicy", [policy("a", "ca")], ["default/ra", "default/rb", "web/rx"]],
    ["a ReferenceGrant", [grant("a")], ["web/rx"]],
    ["a Backend", [backend("missing")], ["default/rbe"]],
  ];
  for (const [what, change, again] of cases) {
    it(`${what}: equals a fresh translation; only the routes that read it are translated again`, () => {
      const before = storeOf(world);
      const after = edited(before, change);
      const translated: string[] = [];
      const counting: RouteLevel = {
        ...ROUTE_LEVEL,
        translateHTTPRoute: (ctx, r) => {
          translated.push(`${r.metadata?.namespace}/${r.metadata?.name}`);
          return ROUTE_LEVEL.translateHTTPRoute(ctx, r);
        },
      };
      const translator = new Translator(counting, { tracked: true, rebuildShare: Infinity });
      const first = translator.translate({ store: before, config });
      translated.length = 0;
      const second = translator.translate({ store: after, config });
      expect(JSON.stringify(second)).toBe(JSON.stringify(translate({ store: after, config })));
      expect(JSON.stringify(second)).not.toBe(JSON.stringify(first));
      expect(translated.sort()).toEqual(again);
    });
  }
});
