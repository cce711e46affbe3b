import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from 'typebox/value';
import { isTerminalTaskStatus, taskStatuses, TaskStatusSchema, type TaskStatusValue } from '../../../../src/contract/task/task-status.ts';

test("taskStatuses lists OVH's TaskStatusEnum and marks done, customerError, ovhError and cancelled terminal", () => {
  assert.deepEqual([...taskStatuses], ['init', 'todo', 'doing', 'done', 'customerError', 'ovhError', 'cancelled']);
  assert.deepEqual(taskStatuses.filter(isTerminalTaskStatus), ['done', 'customerError', 'ovhError', 'cancelled']);
});

test('TaskStatusSchema accepts the statuses and nothing else', () => {
  const status: TaskStatusValue = 'doing';
  assert.ok(Value.Check(TaskStatusSchema, status));
  for (const value of taskStatuses) assert.ok(Value.Check(TaskStatusSchema, value));
  for (const value of ['error', 'Done', '', null]) assert.equal(Value.Check(TaskStatusSchema, value), false);
});
