/**
 * What a stream wants of one resource type: a wildcard subscription, explicit names, or both.
 *
 * Rules (xDS protocol, "How the client specifies what resources to return"):
 * - the name `*` subscribes to the wildcard explicitly, for any type;
 * - legacy wildcard: for Listener and Cluster, a client that has never named a resource of the type
 *   on this stream (SotW: every request had empty resource_names; delta: no non-empty
 *   resource_names_subscribe) is a wildcard subscriber;
 * - once a client has named any resource, an empty list means "nothing" (an unsubscription), not a
 *   wildcard.
 *
 * Sharing: a long list of names that arrives as a shared, frozen request (service.ts decodes a
 * request identical to a recent one once) becomes one shared, read-only set of names, so a hundred
 * Envoys subscribing to the same thousands of endpoint sets hold one set between them. A stream
 * copies it the first time its own subscription changes.
 */
import { TypeUrl } from "../types";

export const WILDCARD = "*";

function legacyWildcardType(type: string): boolean {
  return type === TypeUrl.Listener || type === TypeUrl.Cluster;
}

/** Name lists at least this long are shared when they come from a frozen (shared) request. */
const SHARE_MIN_NAMES = 64;

interface SharedNames {
  set: ReadonlySet<string>;
  /** The distinct names other than `*`, in order. */
  names: readonly string[];
  wildcard: boolean;
}

const sharedSets = new WeakMap<readonly string[], SharedNames>();

function sharedNamesOf(list: readonly string[]): SharedNames {
  let shared = sharedSets.get(list);
  if (!shared) {
    const set = new Set(list);
    const wildcard = set.delete(WILDCARD);
    shared = { set, names: Object.freeze([...set]), wildcard };
    sharedSets.set(list, shared);
  }
  return shared;
}

export class Subscription {
  wildcard = false;
  /** A request of this type has been received. */
  requested = false;
  /** A request of this type has named a resource (or `*`). */
  private explicit = false;
  private set: Set<string> | ReadonlySet<string> = new Set<string>();
  /** `set` is shared with other subscriptions (read-only). */
  private shared = false;

  constructor(readonly type: string) {}

  /** The names subscribed explicitly (not `*`). */
  get names(): ReadonlySet<string> {
    return this.set;
  }

  /** Whether `names` is a set shared by several subscriptions (and so never changes). */
  get namesShared(): boolean {
    return this.shared;
  }

  private own(): Set<string> {
    if (this.shared) {
      this.set = new Set(this.set);
      this.shared = false;
    }
    return this.set as Set<string>;
  }

  /** Takes a frozen, long list as the shared set of names (the subscription names nothing yet). */
  private adopt(list: readonly string[]): SharedNames | undefined {
    if (this.set.size > 0 || list.length < SHARE_MIN_NAMES || !Object.isFrozen(list)) return undefined;
    const shared = sharedNamesOf(list);
    this.set = shared.set;
    this.shared = true;
    return shared;
  }

  /**
   * Applies a SotW request's full resource_names (each request replaces the previous list).
   * Returns whether the subscription changed.
   */
  applySotw(resourceNames: readonly string[]): boolean {
    const before = { wildcard: this.wildcard, requested: this.requested };
    this.requested = true;
    if (resourceNames.length === 0) {
      const hadNames = this.set.size > 0;
      if (this.explicit) {
        this.wildcard = false;
        this.set = new Set();
        this.shared = false;
      } else {
        this.wildcard = legacyWildcardType(this.type);
      }
      return !before.requested || hadNames || before.wildcard !== this.wildcard;
    }
    this.explicit = true;
    const known = sharedSets.get(resourceNames);
    if (before.requested && this.shared && known?.set === this.set && known.wildcard === this.wildcard) return false;
    let wildcard = false;
    let same = before.requested;
    let count = 0;
    for (const name of resourceNames) {
      if (name === WILDCARD) wildcard = true;
      else if (!this.set.has(name)) same = false;
      else count++;
    }
    if (same && count === this.set.size && wildcard === this.wildcard) return false;
    this.set = new Set();
    this.shared = false;
    const shared = this.adopt(resourceNames);
    this.wildcard = shared ? shared.wildcard : wildcard;
    if (!shared) for (const name of resourceNames) if (name !== WILDCARD) (this.set as Set<string>).add(name);
    return true;
  }

  /**
   * Applies a delta request's subscribe and unsubscribe lists. Returns the names newly subscribed
   * (`*` when the wildcard was turned on) and the names unsubscribed.
   */
  applyDelta(subscribe: readonly string[], unsubscribe: readonly string[]): { added: readonly string[]; removed: string[] } {
    const first = !this.requested;
    this.requested = true;
    const removed: string[] = [];
    if (first && subscribe.length === 0 && legacyWildcardType(this.type)) {
      this.wildcard = true;
      return { added: [WILDCARD], removed };
    }
    const shared = unsubscribe.length === 0 ? this.adopt(subscribe) : undefined;
    if (shared) {
      this.explicit = true;
      if (!shared.wildcard || this.wildcard) return { added: shared.names, removed };
      this.wildcard = true;
      return { added: [WILDCARD, ...shared.names], removed };
    }
    const added: string[] = [];
    for (const name of subscribe) {
      this.explicit = true;
      if (name === WILDCARD) {
        if (!this.wildcard) added.push(WILDCARD);
        this.wildcard = true;
      } else if (!this.set.has(name)) {
        this.own().add(name);
        added.push(name);
      }
    }
    for (const name of unsubscribe) {
      if (name === WILDCARD) {
        this.wildcard = false;
      } else if (this.set.has(name)) {
        this.own().delete(name);
        removed.push(name);
      }
    }
    return { added, removed };
  }

  covers(name: string): boolean {
    return this.wildcard || this.set.has(name);
  }
}
