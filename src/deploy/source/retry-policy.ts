import { setTimeout as delay } from 'node:timers/promises';
import { cancelledError, isRetryable } from './download-error.ts';

/** How often and how patiently a download tries again. Every field is in the unit its name says. */
export interface RetryPolicy {
  /**
   * Failed attempts in a row that delivered no new byte (a refused request, a 5xx, a cut before the first new
   * byte) before the download fails.
   * @default 5
   */
  maxAttempts: number;
  /**
   * Resumes (new requests after a cut, from a non-zero offset) in one download before it fails.
   * @default 10
   */
  maxResumes: number;
  /** First backoff delay; it doubles with each failed attempt in a row. @default 500 */
  baseDelayMs: number;
  /** Upper bound of a backoff delay. @default 15000 */
  maxDelayMs: number;
  /** Upper bound of a delay asked for by Retry-After; a longer one is shortened to this. @default 60000 */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: Readonly<RetryPolicy> = {
  maxAttempts: 5,
  maxResumes: 10,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
};

/** Fills a partial policy with defaults; throws a RangeError for a value that is not a sane integer. */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...partial };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`Cannot use retry policy: ${name} is ${String(value)}, not a non-negative integer`);
    }
  }
  if (policy.maxAttempts < 1) throw new RangeError('Cannot use retry policy: maxAttempts must be at least 1');
  return policy;
}

/**
 * The wait before attempt `attempt + 1` (attempt is 1 after the first failure): exponential backoff with "equal
 * jitter" (half fixed, half random) so that many agents cut by the same outage do not come back in step.
 * A server's Retry-After wins, bounded by `maxRetryAfterMs`.
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs: number | null, random: () => number = Math.random): number {
  if (retryAfterMs !== null) return Math.min(Math.max(0, retryAfterMs), policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Waits `ms`, or throws BYOI_DEPLOY_CANCELLED as soon as the signal fires. */
export async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw cancelledError(signal);
  if (ms <= 0) return;
  try {
    await delay(ms, undefined, signal === undefined ? {} : { signal });
  } catch (error) {
    if (signal?.aborted) throw cancelledError(signal);
    throw error;
  }
}

export interface WithRetriesOptions {
  policy: RetryPolicy;
  signal?: AbortSignal | undefined;
  /** Told before each wait: the failed attempt's number (1-based), the wait and the error. */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not retryable (see `isRetryable`), or has
 * failed `policy.maxAttempts` times; then throws the last error. Used for the short idempotent requests (probe,
 * range reads); `downloadImage()` keeps its own loop because it also tracks progress between attempts.
 */
export async function withRetries<T>(attempt: () => Promise<T>, options: WithRetriesOptions): Promise<T> {
  for (let failures = 1; ; failures += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (options.signal?.aborted) throw cancelledError(options.signal);
      if (!isRetryable(error) || failures >= options.policy.maxAttempts) throw error;
      const retryAfterMs = (error as { retryAfterMs?: number | null }).retryAfterMs ?? null;
      const delayMs = backoffDelayMs(options.policy, failures, retryAfterMs);
      options.onRetry?.(failures, delayMs, error);
      await sleep(delayMs, options.signal);
    }
  }
}
