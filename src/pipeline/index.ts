/**
 * The pipeline that `peg translate`, `peg serve` and the controller share: translate the Store
 * into IR and status, then per Gateway render the IR into Envoy resources and encode them into a
 * consistent, versioned snapshot.
 *
 * - Isolation: a Gateway whose render or snapshot fails is reported in `problems` and gets no
 *   snapshot in this result; the other Gateways are unaffected. (Whoever serves snapshots may
 *   keep serving that Gateway's previous one.)
 * - Reuse: a Gateway whose GatewayIR is the same object as last time keeps its snapshot; a
 *   changed one is rendered through a RenderCache, so only the virtual hosts and clusters whose
 *   IR changed are rendered and encoded again. The result is identical to a fresh pipeline's.
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
import type { Snapshot } from "../xds/types";
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

/** The translate stage: Store → IR and status. */
export type TranslateFn = (ctx: TranslateContext) => { ir: IR; status: StatusReport };

interface GatewayEntry {
  ir: GatewayIR;
  snapshot?: Snapshot;
  problem?: string;
}

export class Pipeline {
  private readonly cache = new RenderCache();
  private gateways = new Map<string, GatewayEntry>();
  private last: PipelineResult = { ir: { gateways: [] }, status: [], snapshots: new Map(), problems: [] };

  constructor(
    private readonly config: Config,
    private readonly translate: TranslateFn,
  ) {}

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
      const entry = before && before.ir === gw ? before : this.build(gw);
      next.set(gw.key, entry);
      if (entry.snapshot) snapshots.set(gw.key, entry.snapshot);
      if (entry.problem) problems.push({ gateway: gw.key, message: entry.problem });
    }
    this.gateways = next;
    this.cache.compact(translated.ir.gateways);
    this.last = { ir: translated.ir, status: translated.status, snapshots, problems };
    return this.last;
  }

  private build(gw: GatewayIR): GatewayEntry {
    try {
      return { ir: gw, snapshot: buildSnapshot(renderGateway(gw, this.cache), this.cache.encode) };
    } catch (err) {
      return { ir: gw, problem: messageOf(err) };
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
