/**
 * Shared end-to-end helpers: a test API server with the project's CRDs installed, kubectl against
 * it, and (re-exported from ./helpers-pepr) building and running the Pepr module.
 */
import { join } from "node:path";
import { kubectlOk } from "../apiserver/client";
import { TestApiServer, type StartOptions } from "../apiserver/server";
import { mapPeprService, PEPR_STORE_CRD, readManifests, ROOT, startPepr, type PeprProcess, type PeprRole } from "./helpers-pepr";

export { kubectl, kubectlOk, request, watch } from "../apiserver/client";
export { TestApiServer } from "../apiserver/server";
export * from "./helpers-pepr";

export const GATEWAY_API_CRDS = join(ROOT, "..", "shared", "gateway-api", "v1.6.1", "crds", "standard");
export const BACKEND_CRD = join(ROOT, "crds", "backend.yaml");
export const EXAMPLES = join(ROOT, "manifests", "examples");

/**
 * Starts a test API server and applies, with kubectl, the Gateway API v1.6.1 standard CRDs, the
 * Backend CRD and Pepr's store CRD (which Pepr's controller applies before starting a module).
 */
export async function startCluster(opts: StartOptions = {}): Promise<TestApiServer> {
  const server = await TestApiServer.start(opts);
  try {
    await kubectlOk(server, ["apply", "-f", GATEWAY_API_CRDS, "-f", BACKEND_CRD]);
    await kubectlOk(server, ["apply", "--server-side", "--field-manager=pepr", "-f", "-"], { input: JSON.stringify(PEPR_STORE_CRD) });
    return server;
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** Installs what `pepr build` emitted, as `pepr deploy` does (server-side apply). */
export async function deployModule(server: TestApiServer, yamlPath: string): Promise<string> {
  return kubectlOk(server, ["apply", "--server-side", "--force-conflicts", "--field-manager=pepr", "-f", yamlPath]);
}

/**
 * Deploys the built module into the server and runs the given Pepr roles against it, in the order
 * a cluster would: the manifests first (namespace, Secrets, webhook configurations), then the
 * processes, each reachable through its Service once ready. Pepr binds its webhook endpoints only
 * after its store (a PeprStore in pepr-system) is set up, so readiness waits for that.
 */
export async function deployAndRun(server: TestApiServer, outDir: string, roles: PeprRole[]): Promise<PeprProcess[]> {
  const manifests = readManifests(outDir);
  await deployModule(server, manifests.yamlPath);
  const started: PeprProcess[] = [];
  try {
    for (const role of roles) {
      const proc = await startPepr(server, outDir, role);
      started.push(proc);
      mapPeprService(server, manifests, proc);
    }
    return started;
  } catch (e) {
    for (const p of started) await p.stop();
    throw e;
  }
}
