import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, retryWithBackoff } from '../../../src/agent/retry-with-backoff.ts';

test('backoffDelay() doubles from the minimum up to the maximum, with ±20 % jitter', () => {
  const policy = { minDelayMs: 500, maxDelayMs: 10_000 };
  assert.deepEqual([1, 2, 3, 6, 10].map((attempt) => backoffDelay(policy, attempt, () => 0.5)), [500, 1000, 2000, 10_000, 10_000]);
  assert.equal(backoffDelay(policy, 1, () => 0), 400);
  assert.equal(backoffDelay(policy, 1, () => 1), 600);
});

test('retryWithBackoff() retries what may pass, stops on what will not, and gives up at the deadline', async () => {
  let calls = 0;
  const value = await retryWithBackoff(async () => (++calls < 3 ? Promise.reject(new Error('again')) : 'ok'), { minDelayMs: 1, maxDelayMs: 2, deadlineMs: 1000 }, { isRetryable: () => true });
  assert.deepEqual([value, calls], ['ok', 3]);
  await assert.rejects(retryWithBackoff(async () => Promise.reject(new Error('final')), { minDelayMs: 1, maxDelayMs: 2, deadlineMs: 1000 }, { isRetryable: () => false }), /final/);
  await assert.rejects(retryWithBackoff(async () => Promise.reject(new Error('late')), { minDelayMs: 20, maxDelayMs: 20, deadlineMs: 50 }, { isRetryable: () => true }), /late/);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('cut')), 10);
  await assert.rejects(retryWithBackoff(async () => Promise.reject(new Error('x')), { minDelayMs: 1000, maxDelayMs: 1000, deadlineMs: 60_000 }, { isRetryable: () => true, signal: controller.signal }), /cut/);
});
