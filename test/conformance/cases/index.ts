/** Every expectation table, in one list. */
import type { ConformanceCase } from "./types";
import { matchingCases } from "./matching";
import { redirectCases } from "./redirects";
import { filterCases } from "./filters";
import { trafficCases } from "./traffic";
import { corsCases } from "./cors";
import { listenerCases } from "./listeners";
import { invalidCases } from "./invalid";
import { gatewayCases } from "./gateways";
import { backendTLSCases } from "./backendtls";

export const allCases: ConformanceCase[] = [
  ...matchingCases,
  ...redirectCases,
  ...filterCases,
  ...trafficCases,
  ...corsCases,
  ...listenerCases,
  ...invalidCases,
  ...gatewayCases,
  ...backendTLSCases,
];

export function caseNamed(name: string): ConformanceCase | undefined {
  return allCases.find(c => c.name === name);
}
