import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterChannel, ClusterMessage } from '../../../../src/control/cluster/cluster-messages.ts';
import { createRelayedTaskBus } from '../../../../src/control/cluster/relayed-task-bus.ts';
import type { TaskEvent } from '../../../../src/control/tasks/task-model.ts';

/** Two workers and a primary in memory: what one sends reaches the others, in order, as cluster IPC would. */
function fakeCluster(size: number): ClusterChannel[] {
  const listeners = Array.from({ length: size }, () => new Set<(message: ClusterMessage) => void>());
  return listeners.map((own, index) => ({
    send(message) {
      const copy = JSON.parse(JSON.stringify(message)) as ClusterMessage;
      listeners.forEach((others, other) => other !== index && others.forEach((listener) => listener(copy)));
    },
    onMessage(listener) {
      own.add(listener);
      return () => void own.delete(listener);
    },
  }));
}

const event = (id: number, taskId: number): TaskEvent => ({ id, taskId, at: '2026-01-01T00:00:00.000Z', type: 'task.progress', data: { percent: id } });

test('createRelayedTaskBus() delivers an event emitted in one worker to listeners in the others, in order, once each', () => {
  const [a, b] = fakeCluster(2).map(createRelayedTaskBus) as [ReturnType<typeof createRelayedTaskBus>, ReturnType<typeof createRelayedTaskBus>];
  const onA: number[] = [];
  const onB: number[] = [];
  a.onEvent(7, (e) => onA.push(e.id));
  b.onEvent(7, (e) => onB.push(e.id));
  b.onEvent(8, () => assert.fail('another task'));
  for (let id = 1; id <= 5; id++) a.emitEvent(event(id, 7));
  assert.deepEqual(onA, [1, 2, 3, 4, 5]);
  assert.deepEqual(onB, [1, 2, 3, 4, 5]);
});

test('createRelayedTaskBus() relays created and cancelled, so a runner in the leader hears about tasks made elsewhere', () => {
  const [leader, follower] = fakeCluster(2).map(createRelayedTaskBus) as [ReturnType<typeof createRelayedTaskBus>, ReturnType<typeof createRelayedTaskBus>];
  const heard: string[] = [];
  leader.onCreated((id) => heard.push(`created ${id}`));
  leader.onCancelled((id) => heard.push(`cancelled ${id}`));
  follower.emitCreated(3);
  follower.emitCancelled(3);
  assert.deepEqual(heard, ['created 3', 'cancelled 3']);
});
