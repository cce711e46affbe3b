import { createTaskBus, type TaskBus } from '../tasks/task-bus.ts';
import type { ClusterChannel } from './cluster-messages.ts';

/**
 * The task bus of one worker of `byoi serve --workers N`: what this worker emits goes to its own listeners, then
 * to the primary, which hands it to every other worker; what arrives from the primary goes to the local listeners
 * only. An SSE stream on worker B thus wakes for an event stored by an agent report on worker A. Per task, the
 * events of one worker keep their order (each IPC channel is ordered); the database stays the truth, and streams
 * still poll it.
 */
export function createRelayedTaskBus(channel: ClusterChannel): TaskBus {
  const local = createTaskBus();
  channel.onMessage((message) => {
    if (message.byoi !== 'bus') return;
    if (message.kind === 'event') local.emitEvent(message.event);
    else if (message.kind === 'created') local.emitCreated(message.taskId);
    else local.emitCancelled(message.taskId);
  });
  return {
    onCreated: local.onCreated,
    onCancelled: local.onCancelled,
    onEvent: local.onEvent,
    emitCreated(taskId) {
      local.emitCreated(taskId);
      channel.send({ byoi: 'bus', kind: 'created', taskId });
    },
    emitCancelled(taskId) {
      local.emitCancelled(taskId);
      channel.send({ byoi: 'bus', kind: 'cancelled', taskId });
    },
    emitEvent(event) {
      local.emitEvent(event);
      channel.send({ byoi: 'bus', kind: 'event', event });
    },
  };
}
