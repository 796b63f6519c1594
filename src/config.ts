/**
 * Configuration from environment variables (set through package.json `pepr.env` in a cluster,
 * or the shell in standalone mode). Pure: takes the environment as an argument.
 */
import type { PolicyConfig } from "./policy/types";

export interface Config {
  policy: PolicyConfig;
  /** GatewayClass spec.controllerName this controller owns. */
  controllerName: string;
}

export const DEFAULT_CONTROLLER_NAME = "pepr.dev/envoy-gateway";

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map(s => s.trim())
    .filter(s => s.length > 0);
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value.trim() === "") return fallback;
  return ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  return {
    controllerName: env.PEG_CONTROLLER_NAME?.trim() || DEFAULT_CONTROLLER_NAME,
    policy: {
      deniedCIDRs: list(env.PEG_DENIED_CIDRS),
      denyPrivateRanges: flag(env.PEG_DENY_PRIVATE_RANGES, false),
      allowUnixSockets: flag(env.PEG_ALLOW_UNIX_SOCKETS, false),
      clusterDomain: (env.PEG_CLUSTER_DOMAIN?.trim() || "cluster.local").toLowerCase().replace(/\.$/, ""),
    },
  };
}
