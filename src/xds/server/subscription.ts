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
 */
import { TypeUrl } from "../types";

export const WILDCARD = "*";

function legacyWildcardType(type: string): boolean {
  return type === TypeUrl.Listener || type === TypeUrl.Cluster;
}

export class Subscription {
  wildcard = false;
  readonly names = new Set<string>();
  /** A request of this type has been received. */
  requested = false;
  /** A request of this type has named a resource (or `*`). */
  private explicit = false;

  constructor(readonly type: string) {}

  /**
   * Applies a SotW request's full resource_names (each request replaces the previous list).
   * Returns whether the subscription changed.
   */
  applySotw(resourceNames: readonly string[]): boolean {
    const before = { wildcard: this.wildcard, requested: this.requested };
    this.requested = true;
    if (resourceNames.length === 0) {
      const hadNames = this.names.size > 0;
      if (this.explicit) {
        this.wildcard = false;
        this.names.clear();
      } else {
        this.wildcard = legacyWildcardType(this.type);
      }
      return !before.requested || hadNames || before.wildcard !== this.wildcard;
    }
    this.explicit = true;
    let wildcard = false;
    let same = before.requested;
    let count = 0;
    for (const name of resourceNames) {
      if (name === WILDCARD) wildcard = true;
      else if (!this.names.has(name)) same = false;
      else count++;
    }
    if (same && count === this.names.size && wildcard === this.wildcard) return false;
    this.names.clear();
    this.wildcard = wildcard;
    for (const name of resourceNames) if (name !== WILDCARD) this.names.add(name);
    return true;
  }

  /**
   * Applies a delta request's subscribe and unsubscribe lists. Returns the names newly subscribed
   * (`*` when the wildcard was turned on) and the names unsubscribed.
   */
  applyDelta(subscribe: readonly string[], unsubscribe: readonly string[]): { added: string[]; removed: string[] } {
    const first = !this.requested;
    this.requested = true;
    const added: string[] = [];
    const removed: string[] = [];
    if (first && subscribe.length === 0 && legacyWildcardType(this.type)) {
      this.wildcard = true;
      added.push(WILDCARD);
    }
    for (const name of subscribe) {
      this.explicit = true;
      if (name === WILDCARD) {
        if (!this.wildcard) added.push(WILDCARD);
        this.wildcard = true;
      } else if (!this.names.has(name)) {
        this.names.add(name);
        added.push(name);
      }
    }
    for (const name of unsubscribe) {
      if (name === WILDCARD) {
        this.wildcard = false;
      } else if (this.names.delete(name)) {
        removed.push(name);
      }
    }
    return { added, removed };
  }

  covers(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }
}
