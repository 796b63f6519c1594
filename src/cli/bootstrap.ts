/**
 * `peg bootstrap --gateway namespace/name [--xds-address host:port] [--node-id id]
 *                [--admin-address host:port] [--tls-cert f --tls-key f --tls-ca f] [-o yaml|json]`
 *
 * Prints an Envoy bootstrap for the proxies of one Gateway: delta ADS to the xDS server, the node
 * naming the Gateway, admin on loopback. Run Envoy with it: `envoy -c bootstrap.yaml`.
 * Exit code 2 for bad options.
 */
import { Option, type Command } from "commander";
import { stringify } from "yaml";
import { DEFAULT_ADMIN_ADDRESS, DEFAULT_XDS_ADDRESS, buildBootstrap } from "../xds/bootstrap";

interface BootstrapCliOptions {
  gateway: string;
  xdsAddress: string;
  nodeId?: string;
  adminAddress: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  output: "yaml" | "json";
}

/** The printed bootstrap, or an error message (no process I/O). */
export function renderBootstrap(opts: BootstrapCliOptions): { text?: string; error?: string } {
  const tlsGiven = [opts.tlsCert, opts.tlsKey, opts.tlsCa].filter(v => v !== undefined).length;
  if (tlsGiven !== 0 && tlsGiven !== 3) return { error: "--tls-cert, --tls-key and --tls-ca go together" };
  try {
    const doc = buildBootstrap({
      gateway: opts.gateway,
      xdsAddress: opts.xdsAddress,
      nodeId: opts.nodeId,
      adminAddress: opts.adminAddress,
      tls: tlsGiven === 3 ? { certFile: opts.tlsCert as string, keyFile: opts.tlsKey as string, caFile: opts.tlsCa as string } : undefined,
    });
    const header = `# Envoy bootstrap for Gateway ${opts.gateway}: envoy -c <this file>\n`;
    return { text: opts.output === "json" ? `${JSON.stringify(doc, null, 2)}\n` : header + stringify(doc, { lineWidth: 0 }) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

export function registerBootstrap(program: Command): void {
  program
    .command("bootstrap")
    .description("print an Envoy bootstrap for the proxies of a Gateway (delta ADS to the xDS server)")
    .requiredOption("--gateway <namespace/name>", "the Gateway the proxy serves (becomes node.cluster)")
    .option("--xds-address <host:port>", "the xDS server", DEFAULT_XDS_ADDRESS)
    .option("--node-id <id>", "node id (default namespace/name/envoy)")
    .option("--admin-address <host:port>", "Envoy's admin interface (readiness on /ready)", DEFAULT_ADMIN_ADDRESS)
    .option("--tls-cert <file>", "client certificate for mTLS to the xDS server (path as Envoy sees it)")
    .option("--tls-key <file>", "client private key for mTLS to the xDS server")
    .option("--tls-ca <file>", "CA bundle that signed the xDS server's certificate")
    .addOption(new Option("-o, --output <format>", "output format").choices(["yaml", "json"]).default("yaml"))
    .action((opts: BootstrapCliOptions) => {
      const { text, error } = renderBootstrap(opts);
      if (error) {
        process.stderr.write(`peg bootstrap: ${error}\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(text as string);
    });
}
