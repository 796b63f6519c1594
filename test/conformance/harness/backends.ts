/**
 * The backends of the conformance suite, modelled: every Deployment of the manifests becomes one
 * pod with an address of its own, every Service with a selector gets the EndpointSlice the
 * Kubernetes EndpointSlice controller would write (ready endpoints of the matching pods, ports with
 * the Service's target port), and the pods answer like the suite's echo server (echo-basic):
 *
 * - port 3000: HTTP/1.1 and WebSocket; port 3001: h2c (and HTTP/1.1); port 8443: HTTPS when the pod
 *   is configured with a serving certificate (TLS_SERVER_CERT), presenting the harness's backend
 *   certificate (DNS abc.example.com and other.example.com, URI spiffe://abc.example.com/test-identity,
 *   issued by the CA of the tls-checks-ca-certificate ConfigMap); plain HTTP to it gets a 400;
 * - 200 with a JSON body describing the request it received (path with query, host, method,
 *   headers, namespace, pod name, TLS server name), plus the response headers asked for in
 *   X-Echo-Set-Header ("name:value,name:value");
 * - `delay=<duration>` in the query delays the answer; `responseCode=<code>&succeedAfter=<n>` fails
 *   the first n attempts of the request with that code (the suite's retry simulation);
 * - an Upgrade: websocket request to port 3000 is accepted with 101.
 *
 * Pods are named after their Deployment (one pod each), so the suite's "pod name starts with the
 * backend name" check reads the Deployment.
 */
import type { KubeObject } from "../../../src/apis";
import type { Header, PresentedCertificate, SocketAddress, UpstreamCall, UpstreamModel, UpstreamReply } from "../simulator/types";
import { splitPath, queryParams } from "../simulator/match";

export interface Pod {
  name: string;
  namespace: string;
  deployment: string;
  labels: Record<string, string>;
  ip: string;
  tls: boolean;
}

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export function podsOf(objects: readonly KubeObject[]): Pod[] {
  const deployments = objects
    .filter(o => o.kind === "Deployment")
    .sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
  return deployments.map((d: Any, i) => {
    const containers: Any[] = d.spec?.template?.spec?.containers ?? [];
    const tls = containers.some(c => (c.env ?? []).some((e: Any) => e.name === "TLS_SERVER_CERT"));
    return {
      name: `${d.metadata.name}-0`,
      namespace: d.metadata.namespace,
      deployment: d.metadata.name,
      labels: d.spec?.template?.metadata?.labels ?? {},
      ip: `10.244.${Math.floor(i / 200)}.${(i % 200) + 10}`,
      tls,
    };
  });
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** EndpointSlices for Services with a selector, as the EndpointSlice controller would write them. */
export function endpointSlicesFor(objects: readonly KubeObject[], pods: readonly Pod[]): KubeObject[] {
  const out: KubeObject[] = [];
  for (const svc of objects.filter(o => o.kind === "Service" && (o.apiVersion ?? "v1") === "v1") as Any[]) {
    const selector = svc.spec?.selector;
    if (svc.spec?.type === "ExternalName" || !selector || Object.keys(selector).length === 0) continue;
    const members = pods.filter(p => p.namespace === svc.metadata.namespace && selects(selector, p.labels));
    const ports = (svc.spec.ports ?? [])
      .filter((p: Any) => typeof (p.targetPort ?? p.port) === "number")
      .map((p: Any) => ({ name: p.name ?? "", port: p.targetPort ?? p.port, protocol: p.protocol ?? "TCP", ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    out.push({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: `${svc.metadata.name}-harness`, namespace: svc.metadata.namespace, labels: { "kubernetes.io/service-name": svc.metadata.name }, generation: 1 },
      addressType: "IPv4",
      endpoints: members.map(p => ({ addresses: [p.ip], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: "Pod", name: p.name, namespace: p.namespace } })),
      ports,
    } as KubeObject);
  }
  return out;
}

/** Go duration strings as the echo server's `delay` parameter takes them. */
export function goDurationMs(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) total += Number(m[1]) * units[m[2]];
  return total;
}

export interface Captured {
  path: string;
  host: string;
  method: string;
  proto: string;
  headers: Record<string, string[]>;
  namespace: string;
  pod: string;
  sni?: string;
}

export class EchoBackends implements UpstreamModel {
  private readonly byIp: Map<string, Pod>;

  constructor(
    readonly pods: readonly Pod[],
    private readonly servingCert: PresentedCertificate,
  ) {
    this.byIp = new Map(pods.map(p => [p.ip, p]));
  }

  podAt(endpoint: SocketAddress | undefined): Pod | undefined {
    return endpoint ? this.byIp.get(endpoint.address) : undefined;
  }

  certificate(endpoint: SocketAddress): PresentedCertificate | undefined {
    const pod = this.byIp.get(endpoint.address);
    return pod?.tls && endpoint.port === 8443 ? this.servingCert : undefined;
  }

  handle(call: UpstreamCall): UpstreamReply {
    const pod = this.byIp.get(call.endpoint.address);
    const port = call.endpoint.port;
    const listening = pod && (port === 3000 || port === 3001 || (port === 8443 && pod.tls));
    if (!pod || !listening) return { kind: "connect-failure", reason: `nothing listens on ${call.endpoint.address}:${port}` };
    if (port === 8443 && !call.tls) return { kind: "response", status: 400, headers: [], body: "Client sent an HTTP request to an HTTPS server.", latencyMs: 1 };
    const params = new Map(queryParams(splitPath(call.request.path).query));
    const latencyMs = params.has("delay") ? goDurationMs(params.get("delay") ?? "") : 1;
    const failCode = Number(params.get("responseCode"));
    const succeedAfter = Number(params.get("succeedAfter"));
    if (failCode && call.attempt <= succeedAfter) return { kind: "response", status: failCode, headers: [], latencyMs };
    if (call.request.upgrade === "websocket") {
      return port === 3000 ? { kind: "response", status: 101, headers: [["upgrade", "websocket"]], latencyMs } : { kind: "connect-failure", reason: "no WebSocket on this port" };
    }
    return { kind: "response", status: 200, headers: this.responseHeaders(call), body: JSON.stringify(this.capture(call, pod)), latencyMs };
  }

  private responseHeaders(call: UpstreamCall): Header[] {
    const headers: Header[] = [["content-type", "application/json"]];
    for (const [name, value] of call.request.headers) {
      if (name !== "x-echo-set-header") continue;
      for (const pair of value.split(",")) {
        const colon = pair.indexOf(":");
        if (colon > 0) headers.push([pair.slice(0, colon).trim().toLowerCase(), pair.slice(colon + 1).trim()]);
      }
    }
    return headers;
  }

  private capture(call: UpstreamCall, pod: Pod): Captured {
    const headers: Record<string, string[]> = {};
    for (const [name, value] of call.request.headers) (headers[name] ??= []).push(value);
    return {
      path: call.request.path,
      host: call.request.authority,
      method: call.request.method,
      proto: call.protocol === "h2" ? "HTTP/2.0" : "HTTP/1.1",
      headers,
      namespace: pod.namespace,
      pod: pod.name,
      ...(call.tls ? { sni: call.tls.sni ?? "" } : {}),
    };
  }
}
