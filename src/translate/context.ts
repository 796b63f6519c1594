/**
 * What every translate step receives: the input snapshot and configuration. Steps are pure
 * functions of the context and their own arguments.
 */
import type { Store } from "../store";
import type { Config } from "../config";

export interface TranslateContext {
  readonly store: Store;
  readonly config: Config;
}
