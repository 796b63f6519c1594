/**
 * Runs every conformance expectation table (or the ones named on the command line) against the
 * current pipeline and prints which pass and, for the others, every mismatch:
 *
 *   npx tsx test/conformance/report.ts [--brief] [TestName ...]
 */
import { allCases } from "./cases";
import { runCase } from "./harness/run";
import listed from "./implemented.json";

function main(argv: string[]): number {
  const brief = argv.includes("--brief");
  const names = argv.filter(a => !a.startsWith("--"));
  const cases = names.length > 0 ? allCases.filter(c => names.includes(c.name)) : allCases;
  const passed: string[] = [];
  const failed: string[] = [];
  for (const c of cases) {
    const steps = runCase(c);
    const failures = steps.flatMap(s => s.failures.map(f => `${s.title}: ${f}`));
    if (failures.length === 0) {
      passed.push(c.name);
      continue;
    }
    failed.push(c.name);
    console.log(`FAIL ${c.name}`);
    for (const f of brief ? failures.slice(0, 3) : failures) console.log(`  - ${f.split("\n")[0]}`);
    if (brief && failures.length > 3) console.log(`  ... ${failures.length - 3} more`);
  }
  console.log(`\nPASS (${passed.length}): ${passed.join(", ")}`);
  console.log(`FAIL (${failed.length}): ${failed.join(", ")}`);
  const notListed = passed.filter(n => !listed.implemented.includes(n));
  if (notListed.length > 0) console.log(`passing but not in implemented.json: ${notListed.join(", ")}`);
  const regressed = failed.filter(n => listed.implemented.includes(n));
  if (regressed.length > 0) console.log(`in implemented.json but failing: ${regressed.join(", ")}`);
  return regressed.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
