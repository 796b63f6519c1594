/**
 * `peg validate -f <file|dir> [-f ...] [-R] [-o text|json]`
 *
 * Runs the admission policy offline (directories as `kubectl apply -f` reads them: the files in
 * them, and their subdirectories too with -R): every Backend and HTTPRoute in the files gets the defaults
 * of the mutating webhook and then the checks of the validating webhook, with the same words.
 * Services and ReferenceGrants in the files answer the lookups the webhook makes in a cluster.
 *
 * Text output, one line per denied object and one per warning:
 *
 *   Backend default/evil: denied: spec.endpoints[0].ip.address: 127.0.0.1 is a loopback address ...
 *   HTTPRoute default/web: warning: spec.rules[0].backendRefs[0]: Service default/app not found ...
 *
 * then a summary line. JSON output is one ValidateReport (below). Exit code: 2 when a path could
 * not be read or parsed (or no manifest was found), else 1 when any object was denied, else 0.
 */
import { Option, type Command } from "commander";
import { loadConfig } from "../config";
import { type PolicyConfig, type PolicyLookup, type Violation, denialMessage } from "../policy";
import { inputKindOf } from "../store/objects";
import { admit, fileLookup, nameOf, namespaceOf } from "./admit";
import { type LoadError, type LoadedObject, fileOptions, loadManifests } from "./load";

/** The verdict on one Backend or HTTPRoute. */
export interface ValidateResult {
  file: string;
  /** 0-based index of the YAML document in its file. */
  document: number;
  kind: "Backend" | "HTTPRoute";
  namespace: string;
  name: string;
  allowed: boolean;
  /** Why it is denied, each with its field path and condition reason; empty when allowed. */
  violations: Violation[];
  /** Admission warnings: accepted, but the route or Backend will report a condition. */
  warnings: string[];
}

/** The JSON output of `peg validate -o json`. */
export interface ValidateReport {
  /** Every Backend and HTTPRoute found, in file and document order. */
  results: ValidateResult[];
  /** Paths that could not be read or parsed. */
  errors: LoadError[];
  summary: { files: number; objects: number; checked: number; denied: number; warnings: number; errors: number };
}

/** Defaults then checks one object, as the mutating and validating webhooks would. */
async function check(loaded: LoadedObject, lookup: PolicyLookup, policy: PolicyConfig): Promise<ValidateResult | undefined> {
  const { object } = loaded;
  const kind = inputKindOf(object);
  if (kind !== "Backend" && kind !== "HTTPRoute") return undefined;
  const { violations, warnings } = await admit(object, lookup, policy);
  return {
    file: loaded.file,
    document: loaded.doc,
    kind,
    namespace: namespaceOf(object),
    name: nameOf(object),
    allowed: violations.length === 0,
    violations,
    warnings,
  };
}

/** The whole command without process I/O. */
export async function runValidate(paths: string[], env: Record<string, string | undefined>, recursive = false): Promise<ValidateReport> {
  const loaded = loadManifests(paths, { recursive });
  const errors = [...loaded.errors];
  if (loaded.files.length === 0 && errors.length === 0) {
    errors.push({ file: paths.join(", "), message: "no manifest files (.yaml, .yml or .json) found" });
  }
  const policy = loadConfig(env).policy;
  const lookup = fileLookup(loaded.objects.map(o => o.object));
  const results: ValidateResult[] = [];
  for (const obj of loaded.objects) {
    const result = await check(obj, lookup, policy);
    if (result) results.push(result);
  }
  return {
    results,
    errors,
    summary: {
      files: loaded.files.length,
      objects: loaded.objects.length,
      checked: results.length,
      denied: results.filter(r => !r.allowed).length,
      warnings: results.reduce((n, r) => n + r.warnings.length, 0),
      errors: errors.length,
    },
  };
}

export function exitCode(report: ValidateReport): number {
  if (report.errors.length > 0) return 2;
  return report.summary.denied > 0 ? 1 : 0;
}

/** Text output: findings on stdout (one line each), unreadable paths on stderr. */
export function textLines(report: ValidateReport): { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  for (const r of report.results) {
    const id = `${r.kind} ${r.namespace}/${r.name}`;
    if (!r.allowed) stdout.push(`${id}: denied: ${denialMessage(r.violations)}`);
    for (const w of r.warnings) stdout.push(`${id}: warning: ${w}`);
  }
  const s = report.summary;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  stdout.push(`${plural(s.checked, "object")} checked in ${plural(s.files, "file")}: ${s.denied} denied, ${plural(s.warnings, "warning")}`);
  const stderr = report.errors.map(e => `peg validate: ${e.file}: ${e.message}`);
  return { stdout, stderr };
}

interface ValidateOptions {
  file: string[];
  recursive?: boolean;
  output: "text" | "json";
}

export function registerValidate(program: Command): void {
  fileOptions(program.command("validate").description("check Backends and HTTPRoutes against the admission policy, offline"))
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (opts: ValidateOptions) => {
      const report = await runValidate(opts.file, process.env, opts.recursive === true);
      if (opts.output === "json") process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        const { stdout, stderr } = textLines(report);
        for (const line of stderr) process.stderr.write(`${line}\n`);
        process.stdout.write(stdout.map(l => `${l}\n`).join(""));
      }
      process.exitCode = exitCode(report);
    });
}
