/**
 * Configuration Envoy would reject as a whole, found without sending a request: domains that
 * appear in two virtual hosts of a route configuration, and listeners with two filter chains of
 * the same match.
 */
import type { XdsConfig } from "./xds";
import { indexDomains } from "./domains";
import { duplicateChainMatches } from "./listener";
import { str } from "./msg";

export function rejections(config: XdsConfig): string[] {
  const out: string[] = [];
  for (const rc of config.routes.values()) out.push(...indexDomains(rc).problems.map(p => `route configuration ${str(rc.name)}: ${p}`));
  for (const listener of config.listeners.values()) out.push(...duplicateChainMatches(listener));
  return out;
}
