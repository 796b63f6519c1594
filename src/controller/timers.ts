/**
 * Time, injected: the debouncer, the status writer's retries and start-up backoff take a Timers
 * so tests drive them with a fake clock.
 */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: handle => clearTimeout(handle as NodeJS.Timeout),
};

export function sleep(timers: Timers, ms: number): Promise<void> {
  return new Promise(resolve => timers.setTimeout(resolve, ms));
}

/** Exponential backoff: base * 2^attempt, capped (attempt counts from 0). */
export function backoffDelay(attempt: number, baseMs = 500, capMs = 30_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
}

/**
 * Runs `fn` until it resolves, sleeping with exponential backoff between failures. `onError` sees
 * each failure (for a log line). Gives up only when `signal` is aborted.
 */
export async function retryWithBackoff<T>(
  fn: () => Promise<T>,
  opts: { timers: Timers; baseMs?: number; capMs?: number; onError?: (err: unknown, attempt: number, delayMs: number) => void; signal?: AbortSignal },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      const delay = backoffDelay(attempt, opts.baseMs, opts.capMs);
      opts.onError?.(err, attempt, delay);
      await sleep(opts.timers, delay);
      if (opts.signal?.aborted) throw err;
    }
  }
}

/** Kubernetes timestamps (metav1.Time) have second precision. */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
