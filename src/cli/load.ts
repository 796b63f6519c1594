/**
 * The file loader of standalone mode: reads YAML files and directories (`.yaml`, `.yml` and
 * `.json`, in name order; subdirectories only when recursive, as `kubectl apply -f dir -R`) into
 * plain objects, each tagged with the file it came from.
 * `kind: List` documents are flattened. A file that cannot be read or parsed is an error with its
 * path and the parser's message; the other files are still loaded.
 */
import { readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { parseAllDocuments } from "yaml";

export interface LoadedObject {
  file: string;
  /** 0-based index of the YAML document in its file. */
  doc: number;
  object: Record<string, unknown>;
}

export interface LoadError {
  file: string;
  message: string;
}

export interface LoadResult {
  objects: LoadedObject[];
  errors: LoadError[];
  /** Every file that was read (for watching). */
  files: string[];
}

const EXTENSIONS = [".yaml", ".yml", ".json"];

export interface LoadOptions {
  /** Also read the subdirectories of directories (default: only the files directly in them). */
  recursive?: boolean;
}

/** The options of every command that reads manifests: `-f` (repeatable) and `-R`, as `kubectl apply` has them. */
export function fileOptions(command: Command): Command {
  return command
    .requiredOption("-f, --file <path>", "manifest file or directory (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("-R, --recursive", "also read the subdirectories of directories");
}

/** The manifest files under the given paths: files as given, directories walked in name order. */
export function manifestFiles(paths: string[], opts: LoadOptions = {}): { files: string[]; errors: LoadError[] } {
  const files: string[] = [];
  const errors: LoadError[] = [];
  const seenDirs = new Set<string>();
  const walk = (path: string, explicit: boolean): void => {
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      errors.push({ file: path, message: errorMessage(err) });
      return;
    }
    if (st.isDirectory()) {
      if (!explicit && !opts.recursive) return;
      const real = realpathOr(path);
      if (seenDirs.has(real)) return; // a symlink back up the tree
      seenDirs.add(real);
      let names: string[];
      try {
        names = readdirSync(path).sort();
      } catch (err) {
        errors.push({ file: path, message: errorMessage(err) });
        return;
      }
      for (const name of names) walk(join(path, name), false);
    } else if (explicit || EXTENSIONS.some(ext => path.endsWith(ext))) {
      files.push(path);
    }
  };
  for (const p of paths) walk(p, true);
  return { files: [...new Set(files)], errors };
}

/** Parses one YAML (or JSON) text; `file` names it in errors. */
export function parseManifests(text: string, file: string): { objects: LoadedObject[]; errors: LoadError[] } {
  const objects: LoadedObject[] = [];
  const errors: LoadError[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: false });
  } catch (err) {
    return { objects, errors: [{ file, message: errorMessage(err) }] };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      errors.push({ file, message: `document ${index + 1}: ${doc.errors[0].message}` });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      errors.push({ file, message: `document ${index + 1}: ${errorMessage(err)}` });
      return;
    }
    if (value === null || value === undefined) return;
    if (typeof value !== "object" || Array.isArray(value)) {
      errors.push({ file, message: `document ${index + 1}: expected a Kubernetes object, got ${Array.isArray(value) ? "a list" : typeof value}` });
      return;
    }
    const obj = value as Record<string, unknown>;
    if (obj.kind === "List" && Array.isArray(obj.items)) {
      for (const item of obj.items) {
        if (item && typeof item === "object" && !Array.isArray(item)) objects.push({ file, doc: index, object: item as Record<string, unknown> });
      }
      return;
    }
    objects.push({ file, doc: index, object: obj });
  });
  return { objects, errors };
}

/** Loads every manifest under the given files and directories. */
export function loadManifests(paths: string[], opts: LoadOptions = {}): LoadResult {
  const { files, errors } = manifestFiles(paths, opts);
  const objects: LoadedObject[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      errors.push({ file, message: errorMessage(err) });
      continue;
    }
    const parsed = parseManifests(text, file);
    objects.push(...parsed.objects);
    errors.push(...parsed.errors);
  }
  return { objects, errors, files };
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function errorMessage(err: unknown): string {
  if (err && typeof err === "object" && "code" in err && (err as { code?: string }).code === "ENOENT") return "no such file or directory";
  return err instanceof Error ? err.message : String(err);
}
