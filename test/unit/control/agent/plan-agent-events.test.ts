import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAgentEvents } from '../../../../src/control/agent/plan-agent-events.ts';
import { installSteps } from '../../../../src/contract/task/install-steps.ts';
import type { TaskStep } from '../../../../src/control/tasks/task-model.ts';

function steps(statuses: Record<string, TaskStep['status']> = {}): TaskStep[] {
  return installSteps.map((step) => ({ id: step.id, comment: step.comment, status: statuses[step.id] ?? 'todo', error: null, startedAt: null, doneAt: null }));
}

test('planAgentEvents() maps a whole deploy onto the install steps', () => {
  const phases = ['preflight', 'wipe', 'write', 'verify', 'gpt', 'config-drive', 'boot', 'commit'];
  const events = [{ type: 'deploy.start' }, ...phases.flatMap((phase) => [{ type: 'phase.start', phase }, { type: 'phase.end', phase, seconds: 0 }]), { type: 'deploy.end', result: {} }];
  const plan = planAgentEvents(events, steps({ 'reboot-installer': 'done' }));
  assert.deepEqual(plan.steps.map((change) => `${change.step}:${change.status}`), [
    'check-image:doing', 'check-image:done',
    'download-write:doing', 'download-write:done',
    'verify-checksum:doing', 'verify-checksum:done',
    'move-gpt:doing', 'move-gpt:done',
    'config-drive:doing', 'config-drive:done',
  ]);
});

test('planAgentEvents() keeps the last progress, turns notices and warnings into messages, and skips junk', () => {
  const plan = planAgentEvents(
    [
      { type: 'write.progress', bytesDownloaded: 1, bytesTotal: null, bytesWritten: 1, rate: 1, etaSeconds: null },
      { type: 'download.notice', what: 'retry', message: 'attempt 1 of 5 failed' },
      { type: 'write.progress', bytesDownloaded: 50, bytesTotal: 100, bytesWritten: 40, rate: 10.6, etaSeconds: 5 },
      { type: 'warning', warning: { code: 'BYOI_EFI_PATH_NOT_FOUND', message: 'efiBootloaderPath x does not exist' } },
      { type: 'write.progress', bytesDownloaded: 'lots' },
      null,
      'text',
      { type: 'phase.start', phase: 'teleport' },
    ],
    steps(),
  );
  assert.deepEqual(plan.progress, { bytesDownloaded: 50, bytesTotal: 100, bytesWritten: 40, rate: 11, etaSeconds: 5 });
  assert.deepEqual(plan.notices, ['attempt 1 of 5 failed', 'efiBootloaderPath x does not exist']);
  assert.deepEqual(plan.steps, []);
});

test('planAgentEvents() never moves a step back, and closes the steps before one that starts', () => {
  const replayed = planAgentEvents([{ type: 'phase.start', phase: 'preflight' }], steps({ 'check-image': 'done' }));
  assert.deepEqual(replayed.steps, []);
  const jumped = planAgentEvents([{ type: 'phase.start', phase: 'gpt' }], steps({ 'check-image': 'doing' }));
  assert.deepEqual(jumped.steps.map((change) => `${change.step}:${change.status}`), ['check-image:done', 'download-write:done', 'verify-checksum:done', 'move-gpt:doing']);
});
