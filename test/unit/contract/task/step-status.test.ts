import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from 'typebox/value';
import { byoiStepStatuses, stepStatuses, StepStatusSchema } from '../../../../src/contract/task/step-status.ts';

test("stepStatuses holds OVH's whole enum, and byoi's own statuses are a subset of it", () => {
  assert.deepEqual([...stepStatuses].sort(), ['doing', 'done', 'error', 'expired', 'idle', 'pending', 'stopping', 'todo']);
  for (const status of byoiStepStatuses) assert.ok(Value.Check(StepStatusSchema, status));
  assert.equal(Value.Check(StepStatusSchema, 'failed'), false);
});
