/**
 * The pipeline that `peg translate`, `peg serve` and the controller share: translate the Store
 * into IR and status, then per Gateway render the IR into Envoy resources and encode them into a
 * consistent, versioned snapshot.
 *
 * - Isolation: a Gateway whose render or snapshot fails is reported in `problems` and gets no
 *   snapshot in this result; the other Gateways are unaffected. (Whoever serves snapshots may
 *   keep serving that Gateway's previous one.)
 * - Reuse: the translator is incremental when `translate` offers it, and hands back unchanged IR
 *   as the same objects. A Gateway whose GatewayIR is the same object as last time keeps its
 *   snapshot; any other is rendered through a RenderCache, so only the virtual hosts and clusters
 *   whose IR changed are rendered and encoded again, and a Gateway whose render or snapshot
 *   comes out the same keeps its snapshot object. The result is identical to a fresh pipeline's.
 * - Never throws: a translator failure is reported as a problem (gateway "*") and the previous
 *   result's IR, status and snapshots stand.
 */
import type { Config } from "../config";
import type { GatewayIR, IR } from "../ir/types";
import type { StatusReport } from "../ir/status";
import type { Store } from "../store";
import type { TranslateContext } from "../translate/context";
import { renderGateway } from "../xds/render";
import { buildSnapshot } from "../xds/snapshot";
import type { EnvoyMessage, GatewayResources, Snapshot } from "../xds/types";
import { RenderCache } from "./cache";

export interface PipelineProblem {
  /** `namespace/name` of the Gateway, or "*" when translation itself failed. */
  gateway: string;
  message: string;
}

export interface PipelineResult {
  ir: IR;
  status: StatusReport;
  /** Per Gateway key (`namespace/name`), for every Gateway that rendered and encoded cleanly. */
  snapshots: ReadonlyMap<string, Snapshot>;
  problems: PipelineProblem[];
}

/**
 * The translate stage: Store → IR and status. When it offers `incremental`, the pipeline asks it
 * for a translator of its own, which it then gives each successive snapshot (src/translate's
 * `translate` does: only what changed is translated again).
 */
export type TranslateFn = ((ctx: TranslateContext) => { ir: IR; status: StatusReport }) & {
  incremental?: () => (ctx: TranslateContext) => { ir: IR; status: StatusReport };
};

interface GatewayEntry {
  ir: GatewayIR;
  resources?: GatewayResources;
  snapshot?: Snapshot;
  problem?: string;
}

export class Pipeline {
  private readonly cache = new RenderCache();
  private gateways = new Map<string, GatewayEntry>();
  private last: PipelineResult = { ir: { gateways: [] }, status: [], snapshots: new Map(), problems: [] };

  private readonly translate: (ctx: TranslateContext) => { ir: IR; status: StatusReport };

  constructor(
    private readonly config: Config,
    translate: TranslateFn,
  ) {
    this.translate = translate.incremental ? translate.incremental() : translate;
  }

  update(store: Store): PipelineResult {
    let translated: { ir: IR; status: StatusReport };
    try {
      translated = this.translate({ store, config: this.config });
    } catch (err) {
      return { ...this.last, problems: [{ gateway: "*", message: `translation failed: ${messageOf(err)}` }] };
    }
    const next = new Map<string, GatewayEntry>();
    const snapshots = new Map<string, Snapshot>();
    const problems: PipelineProblem[] = [];
    for (const gw of translated.ir.gateways) {
      const before = this.gateways.get(gw.key);
      const entry = before && before.ir === gw ? before : this.build(gw, before);
      next.set(gw.key, entry);
      if (entry.snapshot) snapshots.set(gw.key, entry.snapshot);
      if (entry.problem) problems.push({ gateway: gw.key, message: entry.problem });
    }
    this.gateways = next;
    this.cache.compact(translated.ir.gateways);
    this.last = { ir: translated.ir, status: translated.status, snapshots, problems };
    return this.last;
  }

  /**
   * Renders through the cache, taking over the lists and encodings of the previous render whose IR
   * is unchanged; when every piece comes out as before, the snapshot is kept.
   */
  private build(gw: GatewayIR, before: GatewayEntry | undefined): GatewayEntry {
    try {
      const previous = before?.resources && before.snapshot ? { ir: before.ir, resources: before.resources, snapshot: before.snapshot } : undefined;
      const resources = renderGateway(gw, this.cache, previous);
      if (previous && sameResources(previous.resources, resources)) return { ir: gw, resources, snapshot: previous.snapshot };
      const snapshot = buildSnapshot(resources, this.cache.encode, previous);
      // the same content under new message objects: the snapshot served so far stands
      return { ir: gw, resources, snapshot: before?.snapshot?.version === snapshot.version ? before.snapshot : snapshot };
    } catch (err) {
      return { ir: gw, problem: messageOf(err) };
    }
  }
}

/**
 * Whether two renders of a Gateway are the same: clusters, assignments and virtual hosts come
 * from the RenderCache, so equal content is the same object; listeners, secrets and the rest of
 * a route configuration are few and small, and compared by content.
 */
function sameResources(a: GatewayResources, b: GatewayResources): boolean {
  const sameObjects = (x: EnvoyMessage[], y: EnvoyMessage[]) => x.length === y.length && x.every((m, i) => m === y[i]);
  const sameJson = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  if (!sameObjects(a.clusters, b.clusters) || !sameObjects(a.endpoints, b.endpoints)) return false;
  if (!sameJson(a.listeners, b.listeners) || !sameJson(a.secrets, b.secrets) || a.routes.length !== b.routes.length) return false;
  return a.routes.every((rc, i) => {
    const other = b.routes[i];
    const vhosts = (m: EnvoyMessage) => (Array.isArray(m.virtualHosts) ? (m.virtualHosts as EnvoyMessage[]) : []);
    return sameObjects(vhosts(rc), vhosts(other)) && sameJson({ ...rc, virtualHosts: undefined }, { ...other, virtualHosts: undefined });
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
