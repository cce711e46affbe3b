import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, defaultRetryPolicy, resolveRetryPolicy, sleep, withRetries } from '../../../../src/deploy/source/retry-policy.ts';
import { DownloadError } from '../../../../src/deploy/source/download-error.ts';

describe('retry policy', () => {
  it('backoffDelayMs() doubles from the base, stays within [ceiling/2, ceiling] and the maximum', () => {
    const policy = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
    assert.equal(backoffDelayMs(policy, 1, null, () => 0), 50);
    assert.equal(backoffDelayMs(policy, 1, null, () => 1), 100);
    assert.equal(backoffDelayMs(policy, 3, null, () => 1), 400);
    assert.equal(backoffDelayMs(policy, 10, null, () => 1), 1000);
    assert.equal(backoffDelayMs(policy, 10, null, () => 0), 500);
  });

  it('backoffDelayMs() honours Retry-After up to maxRetryAfterMs', () => {
    assert.equal(backoffDelayMs(defaultRetryPolicy, 1, 2000), 2000);
    assert.equal(backoffDelayMs(defaultRetryPolicy, 1, 3_600_000), defaultRetryPolicy.maxRetryAfterMs);
    assert.equal(backoffDelayMs(defaultRetryPolicy, 1, -5), 0);
  });

  it('resolveRetryPolicy() refuses values that are not non-negative integers', () => {
    assert.throws(() => resolveRetryPolicy({ maxAttempts: 0 }), RangeError);
    assert.throws(() => resolveRetryPolicy({ baseDelayMs: 1.5 }), RangeError);
    assert.throws(() => resolveRetryPolicy({ maxResumes: -1 }), RangeError);
    assert.deepEqual(resolveRetryPolicy(), defaultRetryPolicy);
  });

  it('withRetries() retries retryable errors only, up to maxAttempts', async () => {
    const policy = resolveRetryPolicy({ baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 });
    let calls = 0;
    const retries: number[] = [];
    await assert.rejects(
      withRetries(async () => {
        calls += 1;
        throw new DownloadError('BYOI_DOWNLOAD_FAILED', 'HTTP 503 Service Unavailable', { retryable: true });
      }, { policy, onRetry: (attempt) => retries.push(attempt) }),
      { message: 'Could not download image: HTTP 503 Service Unavailable' },
    );
    assert.equal(calls, 3);
    assert.deepEqual(retries, [1, 2]);

    calls = 0;
    await assert.rejects(
      withRetries(async () => {
        calls += 1;
        throw new DownloadError('BYOI_DOWNLOAD_FAILED', 'HTTP 404 Not Found');
      }, { policy }),
      { message: 'Could not download image: HTTP 404 Not Found' },
    );
    assert.equal(calls, 1);
  });

  it('sleep() ends at once with BYOI_DEPLOY_CANCELLED when the signal fires', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const started = performance.now();
    await assert.rejects(sleep(10_000, controller.signal), { code: 'BYOI_DEPLOY_CANCELLED' });
    assert.ok(performance.now() - started < 1000);
  });
});
