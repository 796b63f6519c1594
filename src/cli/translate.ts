/**
 * `peg translate -f <file|dir> [-f ...] [-R] [-o yaml|json] [--type all|listener|route|cluster|endpoint|secret]`
 *
 * Runs the same pipeline as the controller on manifest files and prints one document:
 *
 *   resources: every input object that received status, as written in the files, with that
 *              status (in group, kind, namespace, name order)
 *   xds:       per Gateway (`namespace/name`), its Envoy resources as an admin config dump
 *
 * - Admission first: HTTPRoutes and Backends get the defaults and checks of the admission
 *   webhooks; a denied object is reported on stderr and left out, as `kubectl apply` would have
 *   refused it.
 * - Deterministic: the same files in any order print the same bytes. Conditions have no
 *   lastTransitionTime (there is no clock here; the status writer sets it in a cluster).
 * - Exit code: 0 when every Gateway was rendered (denials are reported, not failures); 1 when a
 *   Gateway could not be rendered (its problem is on stderr, its xds entry is missing); 2 for
 *   unreadable input or bad options.
 */
import type { Command } from "commander";
import { Option } from "commander";
import { stringify } from "yaml";
import { loadConfig } from "../config";
import { Pipeline } from "../pipeline";
import { storeFromObjects } from "../store/objects";
import { translate } from "../translate";
import { DUMP_TYPES, type DumpType, configDump } from "../xds/configdump";
import { admitObjects } from "./admit";
import { fileOptions, loadManifests } from "./load";
import { withStatus } from "./resources";

interface TranslateOptions {
  file: string[];
  recursive?: boolean;
  output: "yaml" | "json";
  type: DumpType | "all";
}

type Obj = Record<string, unknown>;

export function registerTranslate(program: Command): void {
  fileOptions(program.command("translate").description("print the status and the Envoy configuration (as a config dump) that the manifests produce"))
    .addOption(new Option("-o, --output <format>", "output format").choices(["yaml", "json"]).default("yaml"))
    .addOption(new Option("--type <type>", "Envoy resource type to print").choices(["all", ...DUMP_TYPES]).default("all"))
    .action(async (opts: TranslateOptions) => {
      const result = await runTranslate(opts.file, opts.type, process.env, { recursive: opts.recursive === true });
      for (const line of result.stderr) process.stderr.write(`${line}\n`);
      if (result.document) process.stdout.write(format(result.document, opts.output));
      process.exitCode = result.exitCode;
    });
}

export interface TranslateRun {
  document?: { resources: Obj[]; xds: Record<string, Obj> };
  stderr: string[];
  exitCode: number;
}

/** The whole command without process I/O: files in, document and messages out. */
export async function runTranslate(
  paths: string[],
  type: DumpType | "all",
  env: Record<string, string | undefined>,
  opts: { recursive?: boolean } = {},
): Promise<TranslateRun> {
  const loaded = loadManifests(paths, { recursive: opts.recursive === true });
  if (loaded.errors.length > 0) {
    return { stderr: loaded.errors.map(e => `peg translate: ${e.file}: ${e.message}`), exitCode: 2 };
  }
  const config = loadConfig(env);
  const stderr: string[] = [];
  const { admitted, denials } = await admitObjects(loaded.objects, config.policy);
  for (const d of denials) for (const m of d.messages) stderr.push(`peg translate: denied ${d.object} (${d.file}): ${m}`);
  const { store } = storeFromObjects(admitted.map(a => a.stored));
  const result = new Pipeline(config, translate).update(store);
  for (const p of result.problems) stderr.push(`peg translate: Gateway ${p.gateway}: ${p.message}`);
  const xds: Record<string, Obj> = {};
  for (const key of [...result.snapshots.keys()].sort()) xds[key] = configDump(result.snapshots.get(key)!, type);
  const resources = withStatus(admitted, result.status);
  return { document: { resources, xds }, stderr, exitCode: result.problems.length > 0 ? 1 : 0 };
}

/** The document as printed. */
export function format(doc: unknown, output: "yaml" | "json"): string {
  return output === "json" ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}
