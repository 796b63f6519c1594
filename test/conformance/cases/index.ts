/** Every expectation table, in one list. */
import type { ConformanceCase } from "./types";
import { matchingCases } from "./matching";

export const allCases: ConformanceCase[] = [...matchingCases];

export function caseNamed(name: string): ConformanceCase | undefined {
  return allCases.find(c => c.name === name);
}
