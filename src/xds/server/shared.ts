/**
 * Responses shared by streams. When many streams get the same resources (every Envoy of a Gateway
 * on its initial sync, or after a change), the response bytes are assembled once and written to
 * each stream as they are. That works because nonces are unique across the whole process, not per
 * stream: a shared response has one nonce, which no other response on any stream has.
 *
 * A stream's resources are recognised as a canonical list (a snapshot's whole type, or what
 * changed between two snapshots) by comparing references, never by hashing content.
 */
import type { EncodedResource } from "../types";
import type { WireMessage } from "./wire";
import { build } from "./wire";

let counter = 0;

/** A nonce no other response of this process has. */
export function newNonce(): string {
  return (++counter).toString(36);
}

/** True when `list` holds exactly the elements of `canonical`, in order. */
export function sameList<T>(list: readonly T[], canonical: readonly T[] | undefined): boolean {
  if (list === canonical) return true;
  if (!canonical || list.length !== canonical.length) return false;
  for (let i = 0; i < list.length; i++) if (list[i] !== canonical[i]) return false;
  return true;
}

export interface SharedResponse {
  nonce: string;
  msg: WireMessage;
}

const cache = new WeakMap<object, Map<string, SharedResponse>>();

/**
 * The response for `canonical` (plus `key`: the type and version fields) built once: its bytes in
 * one chunk, with a nonce of its own.
 */
export function shared(canonical: object, key: string, make: (nonce: string) => WireMessage): SharedResponse {
  let byKey = cache.get(canonical);
  if (!byKey) cache.set(canonical, (byKey = new Map()));
  let entry = byKey.get(key);
  if (!entry) {
    const nonce = newNonce();
    const msg = make(nonce);
    entry = { nonce, msg: { chunks: [build(msg)], size: msg.size, resources: msg.resources } };
    byKey.set(key, entry);
  }
  return entry;
}

const lists = new WeakMap<ReadonlyMap<string, EncodedResource>, EncodedResource[]>();

/** A snapshot type map's resources as one canonical array (cached per map). */
export function listOf(map: ReadonlyMap<string, EncodedResource>): EncodedResource[] {
  let list = lists.get(map);
  if (!list) lists.set(map, (list = [...map.values()]));
  return list;
}
