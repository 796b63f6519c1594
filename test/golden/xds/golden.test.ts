/**
 * Golden files for `peg translate`: each `<case>.in.yaml` (starting with a comment that says what
 * it proves) gives `<case>.out.yaml`, the printed document preceded by comment lines with the
 * exit code and stderr. UPDATE_GOLDEN=1 rewrites the outputs (review them before committing);
 * an output without its input fails the suite.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { format, runTranslate } from "../../../src/cli/translate";

const DIR = __dirname;
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const inputs = readdirSync(DIR).filter(f => f.endsWith(".in.yaml")).sort();

async function render(input: string): Promise<string> {
  const path = relative(process.cwd(), join(DIR, input));
  const run = await runTranslate([path], "all", {});
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
