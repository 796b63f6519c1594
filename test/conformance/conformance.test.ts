/**
 * Replays Gateway API v1.6.1 conformance tests (GATEWAY-HTTP profile) against this project's
 * pipeline: for each test named in implemented.json, the expectation table in cases/ is run by
 * harness/run.ts — the suite's manifests go through translate, render and encode, the status
 * assertions are checked on the StatusReport, and the HTTP requests are replayed through the
 * Envoy simulator against the rendered snapshot.
 *
 * Only the tests listed in implemented.json run here: a table not in the list is not a test of
 * this file at all (it is still run by `npx tsx test/conformance/report.ts`, which prints what
 * passes and what fails). A test joins the list once its replay passes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { allCases, caseNamed } from "./cases";
import { runCase } from "./harness/run";
import { CONFORMANCE_DIR } from "./harness/world";
import listed from "./implemented.json";

const implemented: string[] = listed.implemented;

describe("expectation tables", () => {
  it("name each upstream test once, and every manifest they apply exists", () => {
    const names = allCases.map(c => c.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    const missing = allCases.flatMap(c => c.manifests.filter(m => !fs.existsSync(path.join(CONFORMANCE_DIR, "tests", m))).map(m => `${c.name}: ${m}`));
    expect(missing).toEqual([]);
  });

  it("implemented.json lists only tabled tests, each once", () => {
    expect(implemented.filter(n => !caseNamed(n))).toEqual([]);
    expect(implemented.filter((n, i) => implemented.indexOf(n) !== i)).toEqual([]);
  });
});

describe.each(implemented.map(name => [name]))("%s", name => {
  it("passes the suite's status assertions and requests", () => {
    const steps = runCase(caseNamed(name)!);
    expect(steps.filter(s => s.failures.length > 0).map(s => `${s.title}:\n  ${s.failures.join("\n  ")}`)).toEqual([]);
  });
});
