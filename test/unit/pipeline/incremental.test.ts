/**
 * Incremental equals full: a Pipeline (and a Translator) fed a random sequence of edits gives,
 * after every edit, exactly what a fresh one gives for the same snapshot: IR, status, problems,
 * and every snapshot's version and resource bytes. Deterministic seeds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config";
import { Pipeline, type PipelineResult } from "../../../src/pipeline";
import type { Store } from "../../../src/store";
import { ROUTE_LEVEL, translate } from "../../../src/translate";
import { translateWith } from "../../../src/translate/pipeline";
import { Translator } from "../../../src/translate/translator";
import { stubRouteLevel } from "../translate/helpers";
import { apply, edit, storeOf, world, type Edit } from "./world";

const config = loadConfig({});

function summary(r: PipelineResult) {
  const snapshots = [...r.snapshots].map(([gateway, s]) => ({
    gateway,
    version: s.version,
    resources: [...s.resources].map(([type, map]) => [type, [...map].map(([name, e]) => [name, e.version, Buffer.from(e.bytes).toString("base64")])]),
  }));
  return { ir: JSON.stringify(r.ir), status: JSON.stringify(r.status), problems: r.problems, snapshots };
}

/** Applies the edits one by one; `rebuilt` also makes some snapshots from scratch (no shared history). */
function* snapshots(objects: Record<string, unknown>[], edits: Edit[], rebuilt = false): Generator<Store> {
  let store = storeOf(objects);
  yield store;
  for (const [i, e] of edits.entries()) {
    store = apply(store, e);
    // a relist: the same content, all new objects, no history linking the two snapshots
    if (rebuilt && i % 3 === 2) store = storeOf(listAll(store));
    yield store;
  }
}

function listAll(store: Store): Record<string, unknown>[] {
  const kinds = ["GatewayClass", "Gateway", "HTTPRoute", "Service", "EndpointSlice", "Backend", "BackendTLSPolicy", "ConfigMap", "Secret", "ReferenceGrant", "Namespace"] as const;
  return kinds.flatMap(k => store.list(k)) as Record<string, unknown>[];
}

const SEED = 20_260_301;

describe("incremental pipeline", () => {
  it("after every edit of a random sequence, equals a fresh pipeline byte for byte", () => {
    fc.assert(
      fc.property(world, fc.array(edit, { minLength: 1, maxLength: 12 }), (objects, edits) => {
        const pipeline = new Pipeline(config, translate);
        for (const store of snapshots(objects, edits)) {
          expect(summary(pipeline.update(store))).toEqual(summary(new Pipeline(config, translate).update(store)));
        }
      }),
      { seed: SEED, numRuns: 120 },
    );
  });

  it("also across snapshots built from scratch (no edit history between them)", () => {
    fc.assert(
      fc.property(world, fc.array(edit, { minLength: 1, maxLength: 9 }), (objects, edits) => {
        const pipeline = new Pipeline(config, translate);
        for (const store of snapshots(objects, edits, true)) {
          expect(summary(pipeline.update(store))).toEqual(summary(new Pipeline(config, translate).update(store)));
        }
      }),
      { seed: SEED + 1, numRuns: 60 },
    );
  });
});

describe("incremental Translator", () => {
  it("editing its route book in place (never rebuilding it), equals a fresh translation", () => {
    fc.assert(
      fc.property(world, fc.array(edit, { minLength: 1, maxLength: 12 }), (objects, edits) => {
        const translator = new Translator(ROUTE_LEVEL, { tracked: true, rebuildShare: Infinity });
        for (const store of snapshots(objects, edits)) {
          const ctx = { store, config };
          expect(JSON.stringify(translator.translate(ctx))).toBe(JSON.stringify(translate(ctx)));
        }
      }),
      { seed: SEED + 4, numRuns: 150 },
    );
  });

  it("with route-level functions that do not report what they read, equals a fresh translation", () => {
    fc.assert(
      fc.property(world, fc.array(edit, { minLength: 1, maxLength: 12 }), (objects, edits) => {
        const translator = new Translator(stubRouteLevel, { tracked: false, rebuildShare: Infinity });
        for (const store of snapshots(objects, edits)) {
          const ctx = { store, config };
          expect(JSON.stringify(translator.translate(ctx))).toBe(JSON.stringify(translateWith(ctx, stubRouteLevel)));
        }
      }),
      { seed: SEED + 2, numRuns: 100 },
    );
  });

  it("a configuration change starts afresh", () => {
    fc.assert(
      fc.property(world, edit, (objects, e) => {
        const translator = new Translator(stubRouteLevel, { tracked: false });
        const store = storeOf(objects);
        translator.translate({ store, config });
        const other = loadConfig({ PEG_CONTROLLER_NAME: "example.com/other" });
        const next = apply(store, e);
        expect(JSON.stringify(translator.translate({ store: next, config: other }))).toBe(JSON.stringify(translateWith({ store: next, config: other }, stubRouteLevel)));
      }),
      { seed: SEED + 3, numRuns: 40 },
    );
  });
});
