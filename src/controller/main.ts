/**
 * The watcher process's entry: builds the Watcher with its real parts (REST client, pipeline,
 * snapshot cache, xDS server) and starts it. Called by the capability only when
 * PEPR_WATCH_MODE is "true"; module code also runs in admission pods and during `pepr build`,
 * where nothing here may start.
 *
 * Start-up, each step retried with backoff while the API is unreachable, in two independent lines:
 *   - xDS: the mTLS material (CA and server certificate Secret) and the xDS Service, then the xDS
 *     server on PEG_XDS_PORT (18000), TLS with client certificates required (each proxy gets only
 *     the Gateway its certificate names);
 *   - the initial list of every kind, then the first rebuild (status, snapshots into the cache,
 *     which the server serves once it listens). Data-plane provisioning waits for the certificates.
 * Watch events that arrive meanwhile are ingested; rebuilds wait for the initial list.
 */
import { Log } from "pepr";
import type { InputKind } from "../apis";
import { loadConfig } from "../config";
import { Pipeline } from "../pipeline";
import { translate } from "../translate";
import { SnapshotCache } from "../xds/cache";
import { XdsServer } from "../xds/server";
import { bootstrapFor } from "./dataplane/bootstrap";
import { FIELD_MANAGER } from "./dataplane/names";
import type { WatchPhase } from "./ingest";
import { RestClient } from "./k8s";
import { INPUT_KIND_INFO } from "./kinds";
import { errorMessage, type Logger } from "./log";
import { publishTo } from "./loop";
import { watcherOptions, type WatcherOptions } from "./options";
import { realTimers, retryWithBackoff } from "./timers";
import { Watcher } from "./watcher";
import { clientTLSSource, ensureServerMaterial, xdsService, type ServerMaterial } from "./xdsmaterial";

const log: Logger = {
  debug: (msg, fields) => Log.debug(fields ?? {}, msg),
  info: (msg, fields) => Log.info(fields ?? {}, msg),
  warn: (msg, fields) => Log.warn(fields ?? {}, msg),
  error: (msg, fields) => Log.error(fields ?? {}, msg),
};

let instance: Watcher | undefined;
let xds: XdsServer | undefined;

/** A Watch callback that feeds an input kind's events to the watcher. */
export function ingestWatch(kind: InputKind, deleted = false): (obj: unknown, phase: string) => void {
  return (obj, phase) => instance?.event(kind, deleted ? "DELETED" : (phase as WatchPhase), obj);
}

/** A Watch callback for the data plane's Deployments. */
export function deploymentWatch(deleted = false): (obj: unknown, phase: string) => void {
  return (obj, phase) => instance?.deploymentEvent(deleted ? "DELETED" : (phase as WatchPhase), obj);
}

async function boot(client: RestClient, cache: SnapshotCache, opts: WatcherOptions, clusterDomain: string): Promise<ServerMaterial> {
  const material = await retryWithBackoff(
    async () => {
      const m = await ensureServerMaterial(client, opts, clusterDomain, Date.now());
      await client.apply(INPUT_KIND_INFO.Service, xdsService(opts), { force: true });
      return m;
    },
    { timers: realTimers, onError: (err, attempt, delay) => log.warn("xDS certificates or Service not ready; retrying", { error: errorMessage(err), attempt, retryInMs: delay }) },
  );
  // PEM text straight from the Secret: no key is written to disk.
  const tls = { cert: material.server.cert, key: material.server.key, clientCa: material.ca.cert };
  const port = await retryWithBackoff(
    async () => {
      const server = new XdsServer({ cache, tls, log: line => log.info(line) });
      const bound = await server.listen(`0.0.0.0:${opts.xdsPort}`);
      xds = server;
      return bound;
    },
    { timers: realTimers, onError: (err, attempt, delay) => log.warn("xDS server cannot listen; retrying", { error: errorMessage(err), attempt, retryInMs: delay }) },
  );
  log.info("xDS server listening", { port });
  return material;
}

/** Creates and starts the watcher (once per process). */
export function startWatcher(env: Record<string, string | undefined> = process.env): Watcher {
  if (instance) return instance;
  const config = loadConfig(env);
  const opts = watcherOptions(env);
  const client = new RestClient(realTimers, FIELD_MANAGER);
  const cache = new SnapshotCache({ log: line => log.info(line) });
  const publish = publishTo(cache, log);
  let clientTLS: ReturnType<typeof clientTLSSource> | undefined;
  const watcher = new Watcher({
    client,
    config,
    pipeline: new Pipeline(config, translate),
    publish: (snapshots, result) => publish(snapshots, new Set(result.ir.gateways.map(g => g.key))),
    provisioning: opts.provision
      ? {
          options: opts.dataplane,
          bootstrap: gw => bootstrapFor(gw, opts, config.policy.clusterDomain),
          ready: () => clientTLS !== undefined,
          clientTLS: (gw, existing) => {
            if (!clientTLS) throw new Error("xDS certificates are not ready yet");
            return clientTLS(gw, existing);
          },
        }
      : undefined,
    timers: realTimers,
    log,
    resyncMs: opts.resyncMs,
  });
  instance = watcher;
  // Status does not wait for the xDS server; provisioning waits for its certificates.
  void boot(client, cache, opts, config.policy.clusterDomain)
    .then(material => {
      clientTLS = clientTLSSource(material.ca, Date.now);
      watcher.loop.trigger(); // provision now rather than at the next retry
    })
    .catch(err => log.error("xDS server failed to start", { error: errorMessage(err) }));
  void watcher.start().catch(err => log.error("watcher failed to start", { error: errorMessage(err) }));
  process.once("SIGTERM", () => {
    watcher.stop();
    void xds?.stop();
  });
  return watcher;
}
