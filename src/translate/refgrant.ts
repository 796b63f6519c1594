/**
 * ReferenceGrant: a reference across namespaces is allowed only when a ReferenceGrant in the
 * target's namespace lists the referrer (group, kind, namespace) in `from` and the target
 * (group, kind, and name when the grant names one) in `to`. Same-namespace references need none.
 */
import type { ReferenceGrant } from "../apis";
import type { Store } from "../store";

export interface RefFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface RefTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function referenceAllowed(store: Store, from: RefFrom, to: RefTo): boolean {
  if (from.namespace === to.namespace) return true;
  for (const grant of store.list<ReferenceGrant>("ReferenceGrant", to.namespace)) {
    const spec = grant.spec;
    if (!spec || !Array.isArray(spec.from) || !Array.isArray(spec.to)) continue;
    const fromOk = spec.from.some(
      f => (f.group ?? "") === from.group && f.kind === from.kind && f.namespace === from.namespace,
    );
    if (!fromOk) continue;
    const toOk = spec.to.some(t => (t.group ?? "") === to.group && t.kind === to.kind && (!t.name || t.name === to.name));
    if (toOk) return true;
  }
  return false;
}
