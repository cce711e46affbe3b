import { test } from 'node:test';
import assert from 'node:assert/strict';
import { taskStatuses, isTerminalTaskStatus } from '../../../../src/contract/task/task-status.ts';
import { allowedTransitions, assertTransition, canTransition } from '../../../../src/control/tasks/task-transitions.ts';

test('allowedTransitions covers every status, and terminal statuses lead nowhere', () => {
  assert.deepEqual(Object.keys(allowedTransitions).sort(), [...taskStatuses].sort());
  for (const status of taskStatuses) {
    if (isTerminalTaskStatus(status)) assert.deepEqual(allowedTransitions[status], [], status);
    else assert.ok(allowedTransitions[status].length > 0, status);
  }
});

test('canTransition() follows init → todo → doing → done and the failure exits', () => {
  assert.equal(canTransition('init', 'todo'), true);
  assert.equal(canTransition('todo', 'doing'), true);
  assert.equal(canTransition('doing', 'done'), true);
  assert.equal(canTransition('doing', 'customerError'), true);
  assert.equal(canTransition('init', 'cancelled'), true);
  assert.equal(canTransition('init', 'done'), false);
  assert.equal(canTransition('init', 'customerError'), false);
  assert.equal(canTransition('done', 'doing'), false);
  assert.equal(canTransition('todo', 'init'), false);
});

test('assertTransition() throws BYOI_TASK_TRANSITION naming the move', () => {
  assert.throws(() => assertTransition(5, 'done', 'doing'), { code: 'BYOI_TASK_TRANSITION', message: 'Task 5 cannot go from done to doing' });
});
