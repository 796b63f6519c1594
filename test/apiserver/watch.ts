/**
 * Watch streams: newline-delimited JSON events over a chunked response. Without a resourceVersion
 * (or with "0") the current objects come first as ADDED; with one, the changes after it are
 * replayed from history, or an ERROR event with a 410 Expired Status says it is too old. Objects
 * that start or stop matching the selectors arrive as ADDED or DELETED, as kube's watch cache
 * sends them. BOOKMARK events on request; timeoutSeconds ends the stream.
 */
import type { ServerResponse } from "node:http";
import type { Cluster, Target } from "./cluster";
import { badRequest, expired } from "./errors";
import { apiVersionOf, resourceKey, type KubeObject } from "./resources";
import type { StoreEvent } from "./store";

export interface WatchParams {
  target: Target;
  matches: (o: KubeObject) => boolean;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  sendInitialEvents?: boolean;
}

/** An open watch, so tests can count and drop them. */
export interface OpenWatch {
  resource: string;
  namespace?: string;
  /** Sends a BOOKMARK at the current resourceVersion (if bookmarks were asked for). */
  bookmark(): void;
  /** Ends the stream: abruptly (socket destroyed) or cleanly (response ended). */
  close(abrupt: boolean): void;
}

export function serveWatch(cluster: Cluster, res: ServerResponse, p: WatchParams, open: Set<OpenWatch>): void {
  const { type, version, namespace } = p.target;
  const key = resourceKey(type);
  const write = (evType: string, object: KubeObject) => res.write(`${JSON.stringify({ type: evType, object })}\n`);
  const send = (evType: string, o: KubeObject) => write(evType, { ...o, apiVersion: apiVersionOf(type.group, version) });
  const inScope = (o: KubeObject) => namespace === undefined || o.metadata?.namespace === namespace;
  const matches = (o: KubeObject | undefined) => !!o && inScope(o) && p.matches(o);

  const rv = p.resourceVersion;
  const fromStart = rv === undefined || rv === "" || rv === "0";
  if (!fromStart && !/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  const deliver = (e: StoreEvent) => {
    if (e.resource !== key) return;
    const now = matches(e.object);
    const before = e.type === "MODIFIED" && matches(e.old);
    if (e.type === "MODIFIED" && now !== before) send(now ? "ADDED" : "DELETED", e.object);
    else if (now) send(e.type, e.object);
  };
  if (fromStart) {
    if (p.sendInitialEvents !== false) for (const o of cluster.store.list(key, namespace)) if (matches(o)) send("ADDED", o);
    if (p.sendInitialEvents && p.allowBookmarks) {
      write("BOOKMARK", bookmarkObject(type.kind, apiVersionOf(type.group, version), cluster.store.rv, true));
    }
  } else {
    const replay = cluster.store.since(Number(rv));
    if (replay === "expired") {
      write("ERROR", expired(`too old resource version: ${rv} (${cluster.store.oldestResumable})`).toStatus());
      res.end();
      return;
    }
    for (const e of replay) deliver(e);
  }
  const unsubscribe = cluster.store.subscribe(deliver);
  const w: OpenWatch = {
    resource: key,
    namespace,
    bookmark: () => p.allowBookmarks && write("BOOKMARK", bookmarkObject(type.kind, apiVersionOf(type.group, version), cluster.store.rv, false)),
    close: (abrupt) => (abrupt ? res.destroy() : res.end()),
  };
  open.add(w);
  const timer = p.timeoutSeconds ? setTimeout(() => res.end(), p.timeoutSeconds * 1000) : undefined;
  const done = () => {
    unsubscribe();
    open.delete(w);
    if (timer) clearTimeout(timer);
  };
  res.on("close", done);
  res.on("finish", done);
}

function bookmarkObject(kind: string, apiVersion: string, rv: number, initialEnd: boolean): KubeObject {
  const annotations = initialEnd ? { "k8s.io/initial-events-end": "true" } : undefined;
  return { kind, apiVersion, metadata: { resourceVersion: String(rv), ...(annotations ? { annotations } : {}) } };
}
