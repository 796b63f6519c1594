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

  /** Applies a SotW request's full resource_names (each request replaces the previous list). */
  applySotw(resourceNames: readonly string[]): void {
    this.requested = true;
    if (resourceNames.length === 0) {
      if (this.explicit) {
        this.wildcard = false;
        this.names.clear();
      } else {
        this.wildcard = legacyWildcardType(this.type);
      }
      return;
    }
    this.explicit = true;
    this.names.clear();
    this.wildcard = false;
    for (const name of resourceNames) {
      if (name === WILDCARD) this.wildcard = true;
      else this.names.add(name);
    }
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
