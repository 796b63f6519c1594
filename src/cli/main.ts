/**
 * The `peg` command: standalone mode of the same core that runs in the cluster. Each subcommand
 * lives in its own file and registers itself on the program here.
 */
import { Command, CommanderError } from "commander";
import pkg from "../../package.json";
import { registerTranslate } from "./translate";
import { registerBootstrap } from "./bootstrap";
import { registerServe } from "./serve";
import { registerValidate } from "./validate";

export type Register = (program: Command) => void;

/** Subcommands, in the order `peg --help` lists them. */
const commands: Register[] = [registerValidate, registerTranslate, registerServe, registerBootstrap];

export function program(): Command {
  const prog = new Command("peg")
    .description("Pepr Envoy Gateway in standalone mode: validate, translate and serve Gateway API manifests without a cluster")
    .version(pkg.version)
    .exitOverride()
    .showHelpAfterError();
  for (const register of commands) register(prog);
  return prog;
}

/** Runs the CLI and resolves to the process exit code (0 ok, 1 denied/failed, 2 usage or input error). */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`peg: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}
