/**
 * The pipeline's one-pass strict encoder (encodeChecked) against the reference, protobufjs's
 * `encode(fromObject(message))` after strictProblems: the same bytes for every message rendered
 * from the golden inputs, the examples and a generated world; and the same verdict and bytes
 * for messages with problems slipped in.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { generateWorld } from "../../../bench/generate";
import { loadConfig } from "../../../src/config";
import { storeFromObjects } from "../../../src/store/objects";
import { translate } from "../../../src/translate";
import { encodeChecked, encodeMessage, strictProblems } from "../../../src/xds/encode";
import { renderGateway } from "../../../src/xds/render";
import { type EnvoyMessage, TypeUrl, messageName } from "../../../src/xds/types";
import { gateway } from "./render-fixtures";

const ROOT = join(__dirname, "../../..");
const VIRTUAL_HOST = "envoy.config.route.v3.VirtualHost";

function yamlObjects(dir: string): unknown[] {
  return readdirSync(dir)
    .filter(f => f.endsWith(".yaml"))
    .flatMap(f => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map(d => d.toJS()))
    .filter(o => o && typeof o === "object");
}

/** Every message (type name, message) the renderer produced for some input. */
function rendered(): Array<[string, EnvoyMessage]> {
  const worlds = [
    yamlObjects(join(ROOT, "test/golden/xds")),
    yamlObjects(join(ROOT, "manifests/examples")),
    ...readdirSync(join(ROOT, "test/golden/translate"))
      .filter(f => f.endsWith(".in.yaml"))
      .map(f => parseAllDocuments(readFileSync(join(ROOT, "test/golden/translate", f), "utf8")).map(d => d.toJS())),
    generateWorld(30),
  ];
  const out: Array<[string, EnvoyMessage]> = [];
  const gateways = [gateway, ...worlds.flatMap(objects => translate({ store: storeFromObjects(objects).store, config: loadConfig({}) }).ir.gateways)];
  for (const gw of gateways) {
    const r = renderGateway(gw);
    for (const m of r.listeners) out.push([messageName(TypeUrl.Listener), m]);
    for (const m of r.routes) {
      out.push([messageName(TypeUrl.Route), m]);
      for (const vh of m.virtualHosts as EnvoyMessage[]) out.push([VIRTUAL_HOST, vh]);
    }
    for (const m of r.clusters) out.push([messageName(TypeUrl.Cluster), m]);
    for (const m of r.endpoints) out.push([messageName(TypeUrl.Endpoint), m]);
    for (const m of r.secrets) out.push([messageName(TypeUrl.Secret), m]);
  }
  return out;
}

const messages = rendered();

/** What the reference says: refused (strictProblems, or protobufjs itself throws), or the bytes. */
function reference(type: string, message: EnvoyMessage): string {
  if (strictProblems(type, message).length > 0) return "refused";
  try {
    return Buffer.from(encodeMessage(type, message)).toString("hex");
  } catch {
    return "refused";
  }
}

function ours(type: string, message: EnvoyMessage): string {
  try {
    return Buffer.from(encodeChecked(type, message)).toString("hex");
  } catch {
    return "refused";
  }
}

describe("encodeChecked", () => {
  it("has rendered messages of every type to compare, TLS, CORS, redirects and mirrors among them", () => {
    const all = JSON.stringify(messages);
    expect(new Set(messages.map(([t]) => t)).size).toBe(6);
    for (const needle of ["UpstreamTlsContext", "CorsPolicy", "redirect", "requestMirrorPolicies", "DownstreamTlsContext"]) expect(all).toContain(needle);
  });

  it("gives protobufjs's bytes for every rendered message", () => {
    for (const [type, message] of messages) expect(ours(type, message), `${type} ${String(message.name ?? message.clusterName)}`).toBe(reference(type, message));
  });

  it("refuses what strictProblems refuses, and otherwise gives the same bytes, with problems slipped in", () => {
    const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.string({ maxLength: 3 }), fc.integer(), fc.double(), fc.boolean(), fc.constant([]), fc.constant({}), fc.constant([null]), fc.constant("12"), fc.constant({ seconds: 1.5 }), fc.constantFrom(`\ud800${"x".repeat(45)}`, "é\ud800z", "ü".repeat(50), "AAEC"));
    const mutation = fc.record({ message: fc.nat(messages.length - 1), path: fc.array(fc.nat(20), { minLength: 1, maxLength: 6 }), value: junk, rename: fc.boolean() });
    fc.assert(
      fc.property(mutation, ({ message, path, value, rename }) => {
        const [type, original] = messages[message];
        const copy = structuredClone(original);
        mutate(copy, path, value, rename);
        expect(ours(type, copy)).toBe(reference(type, copy));
      }),
      { seed: 42, numRuns: 3000 },
    );
  });
});

/** Follows `path` (indexes into keys or items) into the message and replaces or renames what it reaches. */
function mutate(target: unknown, path: number[], value: unknown, rename: boolean): void {
  let node = target as Record<string, unknown>;
  for (let i = 0; i < path.length; i++) {
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    const key = keys[path[i] % keys.length];
    const child = node[key];
    const last = i === path.length - 1 || child === null || typeof child !== "object";
    if (last) {
      if (rename && !Array.isArray(node)) {
        delete node[key];
        node[`${key}X`] = child;
      } else node[key] = value;
      return;
    }
    node = child as Record<string, unknown>;
  }
}
