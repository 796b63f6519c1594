/**
 * What a delta client holds of one resource type, per name: a version, ABSENT (it was told the
 * resource does not exist), or nothing. Stored as a snapshot's type map the client holds as a whole
 * (`base`, shared with the snapshot: no per-stream copy) plus per-name overrides, so that a stream
 * that follows every change costs memory in proportion to its differences from the snapshot, and
 * moving it to the next snapshot costs work in proportion to the change.
 */
import type { EncodedResource } from "../types";

export const ABSENT = "";

export class Held {
  private base: ReadonlyMap<string, EncodedResource> | undefined;
  /** name → version, ABSENT, or null (holds nothing, whatever `base` says). */
  private overrides = new Map<string, string | null>();

  get(name: string): string | undefined {
    const o = this.overrides.get(name);
    if (o !== undefined) return o === null ? undefined : o;
    return this.base?.get(name)?.version;
  }

  set(name: string, version: string): void {
    if (this.base?.get(name)?.version === version) this.overrides.delete(name);
    else this.overrides.set(name, version);
  }

  forget(name: string): void {
    if (this.base?.has(name)) this.overrides.set(name, null);
    else this.overrides.delete(name);
  }

  /** True when the client holds nothing of this type. */
  empty(): boolean {
    return this.base === undefined && this.overrides.size === 0;
  }

  /** Holds every resource of `map`, except `missing` names (which it holds nothing of). */
  holdAll(map: ReadonlyMap<string, EncodedResource>, missing: Iterable<string> = []): void {
    this.base = map;
    this.overrides = new Map();
    for (const name of missing) this.overrides.set(name, null);
  }

  /** Uses `next` as the base without changing what is held; `touched` must list every name whose version differs between the two. */
  rebase(next: ReadonlyMap<string, EncodedResource>, touched: Iterable<string>): void {
    if (!this.base) return;
    const keep: Array<[string, string | undefined]> = [];
    for (const name of touched) keep.push([name, this.get(name)]);
    this.base = next;
    for (const [name, v] of keep) {
      if (next.get(name)?.version === v) this.overrides.delete(name);
      else this.overrides.set(name, v ?? null);
    }
  }

  /** Whether `base` is this map (the stream is in step with that snapshot). */
  basedOn(map: ReadonlyMap<string, EncodedResource>): boolean {
    return this.base === map;
  }

  hasBase(): boolean {
    return this.base !== undefined;
  }

  /** Every name held (a version or ABSENT). */
  names(): string[] {
    const out: string[] = [];
    for (const name of this.base?.keys() ?? []) if (!this.overrides.has(name)) out.push(name);
    for (const [name, v] of this.overrides) if (v !== null) out.push(name);
    return out;
  }

  /** Forgets everything but `names`. */
  keepOnly(names: ReadonlySet<string>): void {
    const kept = new Map<string, string | null>();
    for (const name of names) {
      const v = this.get(name);
      if (v !== undefined) kept.set(name, v);
    }
    this.base = undefined;
    this.overrides = kept;
  }
}
