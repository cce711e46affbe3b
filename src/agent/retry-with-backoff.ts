/** Delays between attempts: exponential from `minDelayMs`, capped at `maxDelayMs`, with ±20 % jitter. */
export interface BackoffPolicy {
  minDelayMs: number;
  maxDelayMs: number;
  /** Give up once this much time passed since the first attempt (the last error is thrown). */
  deadlineMs: number;
}

/** The delay before attempt `attempt` (1 = the first retry). */
export function backoffDelay(policy: Pick<BackoffPolicy, 'minDelayMs' | 'maxDelayMs'>, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Calls `fn` until it succeeds, `isRetryable(error)` says no, the deadline passes or `signal` fires (which
 * rejects with the signal's reason). `onRetry` hears about each failure that will be retried.
 *
 * @example
 * ```ts
 * const job = await retryWithBackoff(() => client.getJob(), { minDelayMs: 500, maxDelayMs: 10_000, deadlineMs: 600_000 },
 *   { isRetryable: (e) => e instanceof AgentCallError && e.retryable });
 * ```
 */
export async function retryWithBackoff<T>(
  fn: (attempt: number) => Promise<T>,
  policy: BackoffPolicy,
  options: { isRetryable: (error: unknown) => boolean; signal?: AbortSignal; onRetry?: (error: unknown, attempt: number, delayMs: number) => void },
): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted === true) throw options.signal.reason;
      if (!options.isRetryable(error)) throw error;
      const delayMs = backoffDelay(policy, attempt);
      if (Date.now() - started + delayMs > policy.deadlineMs) throw error;
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}

/** Waits `ms`, or rejects with the signal's reason when it fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
