/**
 * GatewayClasses: ours when spec.controllerName is the configured controller name; classes of other
 * controllers are ignored entirely. A class of ours is Accepted unless it names parametersRef (this
 * controller takes no parameters: InvalidParameters). SupportedVersion is True: the controller is
 * built against Gateway API v1.6 (the CRD bundle version is not part of the translation input).
 */
import type { GatewayClass } from "../apis";
import type { ComputedCondition } from "../ir/status";
import type { TranslateContext } from "./context";
import { Reason, condition, fail, generationOf, ok, type Verdict } from "./conditions";

export const SUPPORTED_VERSION = "v1.6";

export interface ClassModel {
  name: string;
  object: GatewayClass;
  generation: number;
  accepted: Verdict;
}

/** Our GatewayClasses by name. */
export function ourClasses(ctx: TranslateContext): Map<string, ClassModel> {
  const out = new Map<string, ClassModel>();
  for (const gc of ctx.store.list<GatewayClass>("GatewayClass")) {
    const name = gc.metadata?.name;
    if (!name || gc.spec?.controllerName !== ctx.config.controllerName) continue;
    const params = gc.spec.parametersRef;
    const accepted = params
      ? fail(
          Reason.InvalidParameters,
          `parametersRef ${String(params.group)}/${String(params.kind)} ${String(params.name)} is not supported: this controller takes no parameters`,
        )
      : ok(Reason.Accepted, "GatewayClass is accepted");
    out.set(name, { name, object: gc, generation: generationOf(gc), accepted });
  }
  return out;
}

export function classConditions(model: ClassModel): ComputedCondition[] {
  return [
    condition("Accepted", model.accepted, model.generation),
    condition(
      "SupportedVersion",
      ok(Reason.SupportedVersion, `Gateway API ${SUPPORTED_VERSION} is supported`),
      model.generation,
    ),
  ];
}
