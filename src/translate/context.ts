/**
 * What every translate step receives: the input snapshot and configuration. Steps are pure
 * functions of the context and their own arguments.
 */
import type { Store } from "../store";
import type { Config } from "../config";

export interface TranslateContext {
  readonly store: Store;
  readonly config: Config;
  /**
   * Told every dependency (deps.ts) route-level translation reads besides the route itself, so
   * that an incremental translator knows when a route's result is still valid. Optional.
   */
  readonly track?: (dep: string) => void;
}
