/**
 * Which resources are served: the built-in kinds plus those registered by stored
 * CustomResourceDefinitions (one type per CRD, its served versions, names and subresources).
 */
import { builtinTypes, resourceKey, typeFromCRD, type KubeObject, type ResourceType } from "./resources";

export class Registry {
  private readonly builtins: ResourceType[] = builtinTypes();
  private readonly custom = new Map<string, ResourceType>();

  all(): ResourceType[] {
    return [...this.builtins, ...[...this.custom.values()].sort((a, b) => resourceKey(a).localeCompare(resourceKey(b)))];
  }

  /** The type served at group/version/plural, if any. */
  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.plural === plural && t.versions.includes(version));
  }

  byKey(key: string): ResourceType | undefined {
    return this.all().find((t) => resourceKey(t) === key);
  }

  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.kind === kind && t.versions.includes(version));
  }

  /** Whether some resource is served at group/version. */
  servesGroupVersion(group: string, version: string): boolean {
    return this.all().some((t) => t.group === group && t.versions.includes(version));
  }

  /** API groups with their versions, preferred first, built-in groups first. */
  groups(): { name: string; versions: string[] }[] {
    const out: { name: string; versions: string[] }[] = [];
    for (const t of this.all()) {
      let g = out.find((x) => x.name === t.group);
      if (!g) {
        g = { name: t.group, versions: [] };
        out.push(g);
      }
      for (const v of t.versions) if (!g.versions.includes(v)) g.versions.push(v);
    }
    return out;
  }

  /** Registers (or re-registers) the type of a stored CRD; returns the type or undefined if not servable. */
  setCRD(crd: KubeObject): ResourceType | undefined {
    const t = typeFromCRD(crd);
    this.custom.delete(crd.metadata.name);
    if (t) this.custom.set(crd.metadata.name, t);
    return t;
  }

  removeCRD(crd: KubeObject): ResourceType | undefined {
    const t = this.custom.get(crd.metadata.name);
    this.custom.delete(crd.metadata.name);
    return t;
  }
}
