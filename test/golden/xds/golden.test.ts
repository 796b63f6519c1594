/**
 * Golden files for `peg translate`: each `<case>.in.yaml` (starting with a comment that says what
 * it proves) gives `<case>.out.yaml`, the printed document preceded by comment lines with the
 * exit code and stderr. UPDATE_GOLDEN=1 rewrites the outputs (review them before committing);
 * an output without its input fails the suite.
 *
 * A case without a `kind: GoldenCase` document is given to the command as it is. A case with one
 * (format in ../case.ts) is assembled first: its own objects and everything the directive loads
 * (conformance inputs, fixtures, a GatewayClass, EndpointSlices, patches applied) are written to
 * a scratch directory, one file per source, and the command reads those; stderr names the sources
 * (`gateway-api/conformance/tests/<file>`, `test/golden/fixtures/<file>`, ...). `show` keeps the
 * listed objects in `resources` and the listed Gateways in `xds`.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { format, runTranslate, type TranslateRun } from "../../../src/cli/translate";
import { type Obj, REPO, idOf, loadCase } from "../case";

const DIR = __dirname;
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const inputs = readdirSync(DIR).filter(f => f.endsWith(".in.yaml")).sort();
const SCRATCH = mkdtempSync(join(tmpdir(), "peg-golden-xds-"));

afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

/** Writes the assembled case under `root`, one YAML file per source, and returns the files in load order. */
function assemble(root: string, objects: Array<{ source: string; object: Obj }>): string[] {
  const bySource = new Map<string, Obj[]>();
  for (const { source, object } of objects) bySource.set(source, [...(bySource.get(source) ?? []), object]);
  return [...bySource].map(([source, objs]) => {
    const file = join(root, source);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, objs.map(o => stringify(o, { lineWidth: 0 })).join("---\n"));
    return file;
  });
}

/** The document restricted to the objects and Gateways listed. */
function shown(run: TranslateRun, show: string[]): TranslateRun {
  if (!run.document) return run;
  const wanted = new Set(show);
  const resources = run.document.resources.filter(r => wanted.has(idOf(r)));
  const xds = Object.fromEntries(Object.entries(run.document.xds).filter(([key]) => wanted.has(`Gateway/${key}`)));
  return { ...run, document: { resources, xds } };
}

async function render(input: string): Promise<string> {
  const path = join(DIR, input);
  const label = relative(REPO, path);
  const { directive, objects } = loadCase(path, label);
  let run: TranslateRun;
  if (!directive) {
    run = await runTranslate([relative(process.cwd(), path)], "all", {});
  } else {
    const root = join(SCRATCH, input.replace(/\.in\.yaml$/, ""));
    const raw = await runTranslate(assemble(root, objects), "all", {});
    run = { ...raw, stderr: raw.stderr.map(line => line.split(`${root}/`).join("")) };
    if (directive.show) {
      for (const wanted of directive.show) {
        const found = run.document?.resources.some(r => idOf(r) === wanted) || (wanted.startsWith("Gateway/") && run.document?.xds[wanted.slice(8)] !== undefined);
        expect(found, `show: ${wanted} is in the document`).toBe(true);
      }
      run = shown(run, directive.show);
    }
  }
  const header = [`# exit code ${run.exitCode}`, ...run.stderr.map(line => `# stderr: ${line}`)].join("\n");
  return `${header}\n${run.document ? format(run.document, "yaml") : ""}`;
}

describe("peg translate golden files", () => {
  it("has cases", () => {
    expect(inputs.length).toBeGreaterThanOrEqual(5);
  });

  it("has no orphan outputs", () => {
    const orphans = readdirSync(DIR)
      .filter(f => f.endsWith(".out.yaml"))
      .filter(f => !existsSync(join(DIR, f.replace(/\.out\.yaml$/, ".in.yaml"))));
    expect(orphans).toEqual([]);
  });

  for (const input of inputs) {
    it(input.replace(/\.in\.yaml$/, ""), async () => {
      const text = readFileSync(join(DIR, input), "utf8");
      expect(text.startsWith("# "), `${input} must start with a comment saying what it proves`).toBe(true);
      const actual = await render(input);
      const outPath = join(DIR, input.replace(/\.in\.yaml$/, ".out.yaml"));
      if (UPDATE) writeFileSync(outPath, actual);
      expect(existsSync(outPath), `${outPath} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(actual).toBe(readFileSync(outPath, "utf8"));
    });
  }
});
