/** Shared fixtures for the policy tests. */
import type { PolicyConfig, PolicyResult } from "../../../src/policy";

export function config(overrides: Partial<PolicyConfig> = {}): PolicyConfig {
  return { deniedCIDRs: [], denyPrivateRanges: false, allowUnixSockets: false, clusterDomain: "cluster.local", ...overrides };
}

export function backend(endpoints: unknown[]): Record<string, unknown> {
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "Backend",
    metadata: { namespace: "default", name: "b" },
    spec: { endpoints },
  };
}

export const fqdn = (hostname: unknown, port: unknown = 443) => backend([{ fqdn: { hostname, port } }]);
export const ip = (address: unknown, port: unknown = 443) => backend([{ ip: { address, port } }]);

/** The reasons of a result, in order. */
export const reasons = (r: PolicyResult) => r.violations.map(v => v.reason);
