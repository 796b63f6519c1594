/**
 * A small Kubernetes REST client for the watcher: list (paged), get, create, server-side apply
 * (our field manager, forced), delete, and status merge patches with a resourceVersion
 * precondition. Connection settings (server, credentials, TLS) come from kubernetes-fluent-client's
 * kubeconfig loading, read once and refreshed every minute (service account tokens rotate); one
 * keep-alive connection pool serves every request, where a request through the fluent API would
 * open a pool of its own.
 */
import { fetch } from "kubernetes-fluent-client";
import { FetchMethods } from "kubernetes-fluent-client/dist/fluent/shared-types";
import { k8sCfg } from "kubernetes-fluent-client/dist/fluent/utils";
import type { KubeObject } from "../apis";
import { pathOf, type KindInfo } from "./kinds";
import type { Timers } from "./timers";

export class ApiError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion?: string;
}

export interface KubeClient {
  list(info: KindInfo, opts?: { labelSelector?: string; namespace?: string }): Promise<ListResult>;
  get(info: KindInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  create(info: KindInfo, obj: KubeObject): Promise<KubeObject>;
  apply(info: KindInfo, obj: KubeObject, opts?: { force?: boolean }): Promise<KubeObject>;
  delete(info: KindInfo, namespace: string | undefined, name: string): Promise<void>;
  patchStatus(info: KindInfo, namespace: string | undefined, name: string, resourceVersion: string | undefined, status: Record<string, unknown>): Promise<KubeObject>;
}

interface Connection {
  server: string;
  headers: Record<string, string>;
  dispatcher: unknown;
  at: number;
}

const REFRESH_MS = 60_000;
const PAGE = 500;

export class RestClient implements KubeClient {
  private conn?: Promise<Connection>;

  constructor(
    private readonly timers: Pick<Timers, "now">,
    private readonly fieldManager: string,
  ) {}

  private async connection(): Promise<Connection> {
    const now = this.timers.now();
    const current = this.conn && (await this.conn.catch(() => undefined));
    if (current && now - current.at < REFRESH_MS) return current;
    this.conn = (async () => {
      const { opts, serverUrl } = await k8sCfg(FetchMethods.GET);
      const o = opts as unknown as { headers: Record<string, string>; dispatcher: unknown };
      return { server: String(serverUrl).replace(/\/$/, ""), headers: o.headers, dispatcher: o.dispatcher, at: now };
    })();
    const next = await this.conn;
    if (current && current.dispatcher !== next.dispatcher) {
      void (current.dispatcher as { close?: () => Promise<void> }).close?.().catch(() => undefined);
    }
    return next;
  }

  private async request<T>(method: string, path: string, opts: { query?: Record<string, string>; body?: unknown; contentType?: string } = {}): Promise<T> {
    const conn = await this.connection();
    const url = new URL(conn.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { ...conn.headers, Accept: "application/json", "User-Agent": "pepr-envoy-gateway" };
    if (opts.contentType) headers["Content-Type"] = opts.contentType;
    const init = { method, headers, dispatcher: conn.dispatcher, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) };
    const resp = await fetch<T>(url, init as Parameters<typeof fetch>[1]);
    if (resp.e !== undefined && !resp.headers?.get("content-type")) {
      throw new ApiError(undefined, `${method} ${path}: ${resp.statusText}`);
    }
    if (!resp.ok) {
      const data = resp.data as { message?: string; reason?: string } | undefined;
      const msg = typeof data === "object" && data?.message ? data.message : resp.statusText;
      throw new ApiError(resp.status, `${method} ${path}: ${resp.status} ${msg}`, typeof data === "object" ? data?.reason : undefined);
    }
    return resp.data;
  }

  async list(info: KindInfo, opts: { labelSelector?: string; namespace?: string } = {}): Promise<ListResult> {
    const items: KubeObject[] = [];
    let cont: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const query: Record<string, string> = { limit: String(PAGE) };
      if (opts.labelSelector) query.labelSelector = opts.labelSelector;
      if (cont) query.continue = cont;
      const page = await this.request<{ items?: KubeObject[]; metadata?: { continue?: string; resourceVersion?: string } }>("GET", pathOf(info, opts.namespace), { query });
      items.push(...(page.items ?? []));
      cont = page.metadata?.continue || undefined;
      resourceVersion ??= page.metadata?.resourceVersion;
    } while (cont);
    return { items, resourceVersion };
  }

  async get(info: KindInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.request<KubeObject>("GET", pathOf(info, namespace, name));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  create(info: KindInfo, obj: KubeObject): Promise<KubeObject> {
    return this.request<KubeObject>("POST", pathOf(info, obj.metadata?.namespace), { body: obj });
  }

  apply(info: KindInfo, obj: KubeObject, opts: { force?: boolean } = {}): Promise<KubeObject> {
    const query = { fieldManager: this.fieldManager, force: String(opts.force ?? true) };
    return this.request<KubeObject>("PATCH", pathOf(info, obj.metadata?.namespace, obj.metadata?.name), {
      query,
      body: obj,
      contentType: "application/apply-patch+yaml",
    });
  }

  async delete(info: KindInfo, namespace: string | undefined, name: string): Promise<void> {
    try {
      await this.request("DELETE", pathOf(info, namespace, name), { body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" } });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return;
      throw err;
    }
  }

  patchStatus(info: KindInfo, namespace: string | undefined, name: string, resourceVersion: string | undefined, status: Record<string, unknown>): Promise<KubeObject> {
    const body = { metadata: resourceVersion ? { resourceVersion } : {}, status };
    return this.request<KubeObject>("PATCH", `${pathOf(info, namespace, name)}/status`, {
      query: { fieldManager: this.fieldManager },
      body,
      contentType: "application/merge-patch+json",
    });
  }
}
