import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOLDBACK_BYTES, planHoldback } from '../../../../src/deploy/pipeline/plan-holdback.ts';

const MiB = 1024 * 1024;

test('planHoldback() holds the first and last MiB of the image and the last MiB of the disk', () => {
  assert.equal(HOLDBACK_BYTES, MiB);
  assert.deepEqual(planHoldback(10 * MiB, 100 * MiB), [
    { start: 0, length: MiB },
    { start: 9 * MiB, length: MiB },
    { start: 99 * MiB, length: MiB },
  ]);
});

test('planHoldback() leaves the image tail out when the size is unknown, and clips small images', () => {
  assert.deepEqual(planHoldback(null, 100 * MiB), [
    { start: 0, length: MiB },
    { start: 99 * MiB, length: MiB },
  ]);
  assert.deepEqual(planHoldback(4096, 100 * MiB)[1], { start: 0, length: 4096 });
});
