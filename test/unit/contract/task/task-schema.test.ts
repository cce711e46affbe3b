import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from 'typebox/value';
import { InstallStatusSchema, type InstallStatus } from '../../../../src/contract/task/install-status-schema.ts';
import { installSteps } from '../../../../src/contract/task/install-steps.ts';
import { TaskSchema, type Task } from '../../../../src/contract/task/task-schema.ts';

test("TaskSchema accepts OVH's /reinstall reply and the full install/start task", () => {
  const reinstall: Task = {
    taskId: 123456789,
    function: 'reinstallServer',
    status: 'init',
    comment: 'Start bare metal OS installation',
    startDate: '2024-11-20T15:22:14.449Z',
    doneDate: null,
    lastUpdate: '2024-11-20T15:22:14.449Z',
  };
  assert.ok(Value.Check(TaskSchema, reinstall));
  const installStart = {
    taskId: 123456789,
    ticketReference: null,
    lastUpdate: '2024-01-26T17:57:10+01:00',
    needSchedule: false,
    startDate: '2024-01-26T17:57:10+01:00',
    status: 'init',
    doneDate: null,
    tags: null,
    comment: 'Start dedicated server installation',
    plannedInterventionId: null,
    note: null,
    function: 'reinstallServer',
  };
  assert.ok(Value.Check(TaskSchema, installStart));
});

test('TaskSchema refuses unknown statuses, functions and extra fields', () => {
  const base = { taskId: 1, function: 'reinstallServer', status: 'done', comment: null, startDate: '2024-01-26T17:57:10Z', doneDate: null, lastUpdate: null };
  assert.ok(Value.Check(TaskSchema, base));
  assert.equal(Value.Check(TaskSchema, { ...base, status: 'failed' }), false);
  assert.equal(Value.Check(TaskSchema, { ...base, function: 'hardReboot' }), false);
  assert.equal(Value.Check(TaskSchema, { ...base, secret: 'x' }), false);
});

test("InstallStatusSchema accepts OVH's install/status example and byoi's step list", () => {
  assert.ok(
    Value.Check(InstallStatusSchema, {
      elapsedTime: 74,
      progress: [
        { comment: 'Checking BIOS version', status: 'done', error: '' },
        { comment: 'Running Hardware Reboot', status: 'doing', error: '' },
        { comment: 'Downloading OS image', status: 'todo', error: null },
      ],
    }),
  );
  const status: InstallStatus = {
    elapsedTime: 0,
    progress: installSteps.map((step, index) => ({ comment: step.comment, status: index === 0 ? 'doing' : 'todo', error: '' })),
  };
  assert.ok(Value.Check(InstallStatusSchema, status));
  assert.equal(Value.Check(InstallStatusSchema, { elapsedTime: -1, progress: [] }), false);
});
