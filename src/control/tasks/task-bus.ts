import { EventEmitter } from 'node:events';
import type { TaskEvent } from './task-model.ts';

/**
 * In-process notifications about tasks. The database is the truth; the bus only wakes people up early:
 * the runner when a task is created or cancelled, SSE streams when an event was stored. Listeners that miss
 * a notification (another instance wrote it) catch up by polling the store.
 */
export interface TaskBus {
  /** A task was created in `init`: a runner may claim it now. */
  onCreated(listener: (taskId: number) => void): () => void;
  /** A task was cancelled by its owner: the runner should stop its agent. */
  onCancelled(listener: (taskId: number) => void): () => void;
  /** An event was stored for `taskId`. */
  onEvent(taskId: number, listener: (event: TaskEvent) => void): () => void;
  emitCreated(taskId: number): void;
  emitCancelled(taskId: number): void;
  emitEvent(event: TaskEvent): void;
}

export function createTaskBus(): TaskBus {
  const emitter = new EventEmitter();
  // One listener per open SSE stream: raise the limit so Node does not warn about a leak.
  emitter.setMaxListeners(0);
  const subscribe = <T>(name: string, listener: (value: T) => void) => {
    emitter.on(name, listener);
    return () => void emitter.off(name, listener);
  };
  return {
    onCreated: (listener) => subscribe('created', listener),
    onCancelled: (listener) => subscribe('cancelled', listener),
    onEvent: (taskId, listener) => subscribe(`event:${taskId}`, listener),
    emitCreated: (taskId) => void emitter.emit('created', taskId),
    emitCancelled: (taskId) => void emitter.emit('cancelled', taskId),
    emitEvent: (event) => void emitter.emit(`event:${event.taskId}`, event),
  };
}
