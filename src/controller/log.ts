/** The logger the controller writes to: Pepr's in the watcher, a recorder in tests. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === "object") {
    const e = err as { status?: number; statusText?: string; data?: { message?: string } };
    if (e.status !== undefined) return `HTTP ${e.status}${e.statusText ? ` ${e.statusText}` : ""}${e.data?.message ? `: ${e.data.message}` : ""}`;
  }
  return String(err);
}

/** The HTTP status of a failed API call (kubernetes-fluent-client throws the response), if any. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err && typeof err === "object") {
    const s = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof s === "number") return s;
  }
  return undefined;
}
