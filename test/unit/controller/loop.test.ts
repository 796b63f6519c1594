import { describe, expect, it } from "vitest";
import { Debouncer, RebuildLoop, publishTo, type PipelineOutput } from "../../../src/controller/loop";
import { Store } from "../../../src/store";
import type { Snapshot } from "../../../src/xds/types";
import { FakeTimers, RecordingLogger } from "./fakes";

function debounced(opts: { quietMs?: number; capMs?: number } = {}) {
  const timers = new FakeTimers();
  const runs: number[] = [];
  const start = timers.now();
  const errors: unknown[] = [];
  let body: () => Promise<void> | void = () => undefined;
  const d = new Debouncer(
    async () => {
      runs.push(timers.now() - start);
      await body();
    },
    { quietMs: opts.quietMs ?? 100, capMs: opts.capMs ?? 500, timers, onError: e => errors.push(e) },
  );
  return { d, timers, runs, errors, setBody: (b: () => Promise<void> | void) => (body = b) };
}

describe("Debouncer", () => {
  it("runs once, 100 ms after the last of a burst", async () => {
    const { d, timers, runs } = debounced();
    d.trigger();
    await timers.advance(50);
    d.trigger();
    await timers.advance(70);
    d.trigger();
    await timers.advance(99);
    expect(runs).toEqual([]);
    await timers.advance(1);
    expect(runs).toEqual([220]);
    await timers.advance(1_000);
    expect(runs).toEqual([220]);
  });

  it("never waits longer than the cap after the first change of a burst", async () => {
    const { d, timers, runs } = debounced();
    for (let i = 0; i < 20; i++) {
      d.trigger();
      await timers.advance(50);
    }
    expect(runs[0]).toBe(500);
    expect(runs.length).toBeGreaterThanOrEqual(2);
  });

  it("a change during a run schedules exactly one more run after it", async () => {
    const { d, timers, runs, setBody } = debounced();
    let release!: () => void;
    setBody(() => new Promise<void>(r => (release = r)));
    d.trigger();
    await timers.advance(100);
    expect(runs).toEqual([100]);
    d.trigger();
    d.trigger();
    await timers.advance(300);
    expect(runs).toEqual([100]);
    setBody(() => undefined);
    release();
    await timers.advance(100);
    expect(runs).toEqual([100, 500]);
    await timers.advance(1_000);
    expect(runs).toHaveLength(2);
  });

  it("a failing run is reported and the next change still runs", async () => {
    const { d, timers, runs, errors, setBody } = debounced();
    setBody(() => {
      throw new Error("boom");
    });
    d.trigger();
    await timers.advance(100);
    expect(errors).toHaveLength(1);
    setBody(() => undefined);
    d.trigger();
    await timers.advance(100);
    expect(runs).toHaveLength(2);
  });

  it("flush runs a scheduled run now; stop cancels it", async () => {
    const { d, timers, runs } = debounced();
    d.trigger();
    expect(d.busy).toBe(true);
    await d.flush();
    expect(runs).toEqual([0]);
    expect(d.busy).toBe(false);
    d.trigger();
    d.stop();
    await timers.advance(1_000);
    expect(runs).toEqual([0]);
    d.trigger();
    await timers.advance(1_000);
    expect(runs).toEqual([0]);
  });
});

const snapshot = (gateway: string, version: string): Snapshot => ({ gateway, version, resources: new Map() });

function loopHarness(update: (store: Store) => PipelineOutput) {
  const timers = new FakeTimers();
  const log = new RecordingLogger();
  let store = Store.empty();
  const published: Array<ReadonlyMap<string, Snapshot>> = [];
  const results: PipelineOutput[] = [];
  const loop = new RebuildLoop({
    store: () => store,
    pipeline: { update },
    publish: s => published.push(s),
    onResult: r => results.push(r),
    log,
    timers,
  });
  return { loop, timers, log, published, results, setStore: (s: Store) => (store = s) };
}

const output = (version: string): PipelineOutput => ({
  ir: { gateways: [] },
  status: [],
  snapshots: new Map([["default/eg", snapshot("default/eg", version)]]),
  problems: [],
});

describe("RebuildLoop", () => {
  it("ignores changes until started, then rebuilds once per burst and publishes", async () => {
    let n = 0;
    const h = loopHarness(() => output(`v${++n}`));
    h.loop.trigger();
    await h.timers.advance(1_000);
    expect(h.published).toHaveLength(0);
    h.loop.start();
    await h.timers.advance(100);
    expect(h.published.map(p => p.get("default/eg")!.version)).toEqual(["v1"]);
    for (let i = 0; i < 5; i++) h.loop.trigger();
    await h.timers.advance(100);
    expect(h.published).toHaveLength(2);
    expect(h.results).toHaveLength(2);
  });

  it("a throwing pipeline is logged, keeps the published snapshots, and the loop goes on", async () => {
    let fail = true;
    const h = loopHarness(() => {
      if (fail) throw new Error("bad object");
      return output("v2");
    });
    h.loop.start();
    await h.timers.advance(100);
    expect(h.published).toHaveLength(0);
    expect(h.loop.stats.failures).toBe(1);
    expect(h.log.lines.some(l => l.level === "error" && String(l.fields?.error).includes("bad object"))).toBe(true);
    fail = false;
    h.loop.trigger();
    await h.timers.advance(100);
    expect(h.published).toHaveLength(1);
  });

  it("reads the store at rebuild time, not at trigger time", async () => {
    const seen: Store[] = [];
    const h = loopHarness(s => {
      seen.push(s);
      return output("v");
    });
    h.loop.start();
    const later = Store.empty().with("Namespace", { metadata: { name: "x" } });
    h.setStore(later);
    await h.timers.advance(100);
    expect(seen).toEqual([later]);
  });
});

describe("publishTo", () => {
  it("sets every snapshot and deletes Gateways that have none", () => {
    const state = new Map<string, Snapshot>([["old/gw", snapshot("old/gw", "x")]]);
    const cache = {
      set: (s: Snapshot) => (state.set(s.gateway, s), { changed: true, problems: [] as string[] }),
      delete: (k: string) => state.delete(k),
      keys: () => [...state.keys()],
    };
    const log = new RecordingLogger();
    publishTo(cache, log)(new Map([["a/b", snapshot("a/b", "1")]]));
    expect([...state.keys()]).toEqual(["a/b"]);
  });

  it("logs snapshots the cache refuses", () => {
    const log = new RecordingLogger();
    const cache = { set: () => ({ changed: false, problems: ["cluster x has no endpoints"] }), delete: () => false, keys: () => [] };
    publishTo(cache, log)(new Map([["a/b", snapshot("a/b", "1")]]));
    expect(log.lines[0]).toMatchObject({ level: "error", fields: { gateway: "a/b" } });
  });
});

describe("publishTo with present Gateways", () => {
  it("keeps the previous snapshot of a Gateway that is present but failed to render", () => {
    const state = new Map<string, Snapshot>([["a/keep", snapshot("a/keep", "old")], ["a/gone", snapshot("a/gone", "old")]]);
    const cache = {
      set: (s: Snapshot) => (state.set(s.gateway, s), { changed: true, problems: [] as string[] }),
      delete: (k: string) => state.delete(k),
      keys: () => [...state.keys()],
    };
    publishTo(cache, new RecordingLogger())(new Map(), new Set(["a/keep"]));
    expect([...state.keys()]).toEqual(["a/keep"]);
  });
});
