/**
 * The resource endpoints: GET (one, list, watch), POST, PUT, PATCH (merge, JSON, strategic,
 * apply), DELETE and DELETE on a collection, for the main resource and its /status subresource.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import YAML from "yaml";
import type { Cluster, Target, WriteOptions } from "./cluster";
import { ApiError, badRequest, methodNotAllowed, notFound, unsupportedMediaType } from "./errors";
import { checkIdentity } from "./lifecycle";
import { serverSideApply } from "./managed";
import { jsonPatch, mergePatch, strategicMerge } from "./patch";
import { apiVersionOf, resourceKey, type KubeObject } from "./resources";
import { fieldSelector, labelSelector } from "./selectors";
import { wantsTable, toTable } from "./table";
import { serveWatch, type OpenWatch } from "./watch";

export interface Reply {
  code: number;
  body: unknown;
  contentType?: string;
}

export interface RestContext {
  cluster: Cluster;
  watches: Set<OpenWatch>;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  body: string;
  warnings: string[];
  userInfo: KubeObject;
}

function parseJson(text: string): KubeObject {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body of the request was in an unknown format: ${(e as Error).message}`);
  }
}

/** The request's media type, without parameters ("" when it has no Content-Type). */
function mediaType(ctx: RestContext): string {
  return (ctx.req.headers["content-type"] ?? "").split(";")[0].trim();
}

/** A POST or PUT body: JSON or YAML (protobuf is not served). */
function parseObject(ctx: RestContext): KubeObject {
  const type = mediaType(ctx);
  if (type === "application/json" || type === "") return parseJson(ctx.body);
  if (type === "application/yaml") return YAML.parse(ctx.body);
  throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${type})`);
}

function writeOptions(ctx: RestContext, kind: string): WriteOptions {
  const q = ctx.query;
  const dryRun = q.getAll("dryRun").includes("All");
  const fieldManager = q.get("fieldManager") ?? undefined;
  const fieldValidation = q.get("fieldValidation") ?? undefined;
  return {
    dryRun,
    fieldManager,
    userAgent: ctx.req.headers["user-agent"],
    userInfo: ctx.userInfo,
    warnings: ctx.warnings,
    options: {
      kind,
      apiVersion: "meta.k8s.io/v1",
      ...(dryRun ? { dryRun: ["All"] } : {}),
      ...(fieldManager ? { fieldManager } : {}),
      ...(fieldValidation ? { fieldValidation } : {}),
    },
  };
}

function matcher(t: Target, q: URLSearchParams): (o: KubeObject) => boolean {
  const byLabel = labelSelector(q.get("labelSelector") ?? undefined);
  const byField = fieldSelector(q.get("fieldSelector") ?? undefined, resourceKey(t.type));
  return (o) => byLabel(o) && byField(o);
}

function list(ctx: RestContext, t: Target): Reply {
  const { cluster, query } = ctx;
  const match = matcher(t, query);
  const all = cluster.store.list(resourceKey(t.type), t.namespace).filter(match);
  const limit = Number(query.get("limit") ?? 0);
  const token = query.get("continue");
  let start = 0;
  if (token) {
    const after = Buffer.from(token, "base64").toString();
    start = all.findIndex((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}` > after);
    if (start < 0) start = all.length;
  }
  const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
  const more = start + page.length < all.length;
  const last = page[page.length - 1];
  const metadata: KubeObject = { resourceVersion: String(cluster.store.rv) };
  if (more && last) {
    metadata.continue = Buffer.from(`${last.metadata.namespace ?? ""}/${last.metadata.name}`).toString("base64");
    metadata.remainingItemCount = all.length - start - page.length;
  }
  const apiVersion = apiVersionOf(t.type.group, t.version);
  const items = page.map((o) => {
    const out = cluster.out(t.type, t.version, o);
    if (!t.type.custom) {
      delete out.apiVersion;
      delete out.kind;
    }
    return out;
  });
  const listObj = { kind: `${t.type.kind}List`, apiVersion, metadata, items };
  if (wantsTable(ctx.req.headers.accept)) return { code: 200, body: toTable(t, page.map((o) => cluster.out(t.type, t.version, o)), metadata, query) };
  return { code: 200, body: listObj };
}

function get(ctx: RestContext, t: Target): Reply {
  const obj = ctx.cluster.get(t);
  if (wantsTable(ctx.req.headers.accept) && !t.subresource) return { code: 200, body: toTable(t, [obj], { resourceVersion: obj.metadata.resourceVersion }, ctx.query) };
  return { code: 200, body: obj };
}

async function create(ctx: RestContext, t: Target): Promise<Reply> {
  if (t.name) throw methodNotAllowed();
  const body = parseObject(ctx);
  checkIdentity(t.type, t.version, body, t.namespace);
  return { code: 201, body: await ctx.cluster.create(t, body, writeOptions(ctx, "CreateOptions")) };
}

async function update(ctx: RestContext, t: Target): Promise<Reply> {
  const body = parseObject(ctx);
  checkIdentity(t.type, t.version, body, t.namespace, t.name);
  return { code: 200, body: await ctx.cluster.update(t, body, writeOptions(ctx, "UpdateOptions")) };
}

function patched(ctx: RestContext, t: Target, type: string, current: KubeObject): KubeObject {
  const patch = parseJson(ctx.body);
  const apply = (f: (a: unknown, b: unknown) => unknown) => f(current, patch) as KubeObject;
  if (type === "application/merge-patch+json") return apply(mergePatch);
  if (type === "application/json-patch+json") return apply(jsonPatch);
  if (type === "application/strategic-merge-patch+json") {
    if (t.type.custom) throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    return apply(strategicMerge);
  }
  throw unsupportedMediaType(type);
}

async function apply(ctx: RestContext, t: Target): Promise<Reply> {
  const q = ctx.query;
  const manager = q.get("fieldManager");
  if (!manager) throw badRequest("PATCH /apply requires fieldManager to be set");
  let applied: KubeObject;
  try {
    applied = YAML.parse(ctx.body);
  } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message}`);
  }
  checkIdentity(t.type, t.version, applied, t.namespace, t.name);
  if (!applied.apiVersion || !applied.kind) throw badRequest("apiVersion and kind must be set in an applied configuration");
  applied.metadata.name ??= t.name;
  const force = q.get("force") === "true";
  const opts = writeOptions(ctx, "PatchOptions");
  const mo = { manager, apiVersion: applied.apiVersion, listKeys: ctx.cluster.listKeys(t.type, t.version), now: ctx.cluster.now(), subresource: t.subresource, force };
  const current = ctx.cluster.store.get(resourceKey(t.type), t.namespace, t.name!);
  if (!current) {
    if (t.subresource) throw notFound(t.type, t.name!);
    const created = serverSideApply(undefined, applied, mo);
    const managed = (obj: KubeObject) => (obj.metadata.managedFields = created.metadata.managedFields);
    return { code: 201, body: await ctx.cluster.create(t, created, { ...opts, options: { ...opts.options, kind: "CreateOptions" } }, managed) };
  }
  const base = ctx.cluster.out(t.type, t.version, current);
  const merged = serverSideApply(base, applied, mo);
  delete merged.metadata.resourceVersion;
  const managed = (_old: KubeObject, next: KubeObject) => (next.metadata.managedFields = merged.metadata.managedFields);
  return { code: 200, body: await ctx.cluster.update(t, merged, { ...opts, options: { ...opts.options, kind: "UpdateOptions" } }, managed) };
}

async function patch(ctx: RestContext, t: Target): Promise<Reply> {
  if (!t.name) throw methodNotAllowed();
  const type = mediaType(ctx);
  if (type === "application/apply-patch+yaml") return apply(ctx, t);
  const current = ctx.cluster.get(t);
  const next = patched(ctx, t, type, current);
  if (!next || typeof next !== "object") throw badRequest("the patch did not produce an object");
  checkIdentity(t.type, t.version, next, t.namespace, t.name);
  // A resourceVersion in the patch is a precondition; one left from the current object is not.
  if (next.metadata?.resourceVersion === current.metadata.resourceVersion) delete next.metadata.resourceVersion;
  return { code: 200, body: await ctx.cluster.update(t, next, writeOptions(ctx, "PatchOptions")) };
}

function deleteOptions(ctx: RestContext): KubeObject {
  const body = ctx.body.trim() ? parseJson(ctx.body) : {};
  const policy = ctx.query.get("propagationPolicy");
  return { ...body, ...(policy ? { propagationPolicy: policy } : {}) };
}

async function remove(ctx: RestContext, t: Target): Promise<Reply> {
  const { object, gone } = await ctx.cluster.remove(t, deleteOptions(ctx), writeOptions(ctx, "DeleteOptions"));
  return { code: gone ? 200 : 202, body: object };
}

async function removeCollection(ctx: RestContext, t: Target): Promise<Reply> {
  const match = matcher(t, ctx.query);
  const items = ctx.cluster.store.list(resourceKey(t.type), t.namespace).filter(match);
  const options = deleteOptions(ctx);
  const removed: KubeObject[] = [];
  for (const o of items) {
    const r = await ctx.cluster.remove({ ...t, namespace: o.metadata.namespace, name: o.metadata.name }, options, writeOptions(ctx, "DeleteOptions"));
    removed.push(r.object);
  }
  return { code: 200, body: { kind: `${t.type.kind}List`, apiVersion: apiVersionOf(t.type.group, t.version), metadata: { resourceVersion: String(ctx.cluster.store.rv) }, items: removed } };
}

/** Handles one resource request; returns undefined when the reply was streamed (watch). */
export async function handleResource(ctx: RestContext, t: Target, watchPath: boolean): Promise<Reply | undefined> {
  const method = ctx.req.method ?? "GET";
  const q = ctx.query;
  if (t.subresource && t.subresource !== "status") throw notFound(t.type, `${t.name}/${t.subresource}`);
  if (t.subresource && !t.type.status) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
  const isWatch = watchPath || ["true", "1"].includes(q.get("watch") ?? "");
  if (method === "GET" && isWatch) {
    const byName = t.name ? (o: KubeObject) => o.metadata.name === t.name : () => true;
    const match = matcher(t, q);
    const timeout = q.get("timeoutSeconds");
    serveWatch(ctx.cluster, ctx.res, {
      target: { ...t, name: undefined },
      matches: (o) => byName(o) && match(o),
      resourceVersion: q.get("resourceVersion") ?? undefined,
      timeoutSeconds: timeout ? Number(timeout) : undefined,
      allowBookmarks: q.get("allowWatchBookmarks") === "true",
      sendInitialEvents: q.has("sendInitialEvents") ? q.get("sendInitialEvents") === "true" : undefined,
    }, ctx.watches);
    return undefined;
  }
  if (method === "GET") return t.name ? get(ctx, t) : list(ctx, t);
  if (method === "POST") return create(ctx, t);
  if (method === "PUT" && t.name) return update(ctx, t);
  if (method === "PATCH") return patch(ctx, t);
  if (method === "DELETE") return t.name ? remove(ctx, t) : removeCollection(ctx, t);
  throw methodNotAllowed();
}
