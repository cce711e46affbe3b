import type { TaskEvent } from '../tasks/task-model.ts';

/**
 * What `byoi serve --workers N` processes tell each other over cluster IPC. Workers send to the primary; the
 * primary relays `bus` messages to every other worker and `runner` calls to the leader (the worker that runs the
 * task runner). One IPC channel per worker keeps each sender's messages in order.
 */
export type ClusterMessage =
  | { byoi: 'bus'; kind: 'created' | 'cancelled'; taskId: number }
  | { byoi: 'bus'; kind: 'event'; event: TaskEvent }
  | { byoi: 'runner'; call: 'completeInstall' | 'firstBootConfirmed'; taskId: number }
  /** A worker listens (the leader: and did the first-start work); apiUrl as `byoi serve` prints it. */
  | { byoi: 'ready'; apiUrl: string };

export function isClusterMessage(value: unknown): value is ClusterMessage {
  if (typeof value !== 'object' || value === null) return false;
  const tag = (value as { byoi?: unknown }).byoi;
  return tag === 'bus' || tag === 'runner' || tag === 'ready';
}

/** A worker's end of the IPC channel to the primary. */
export interface ClusterChannel {
  send(message: ClusterMessage): void;
  onMessage(listener: (message: ClusterMessage) => void): () => void;
}

/** This worker's channel (process.send); null in a process that was not forked by the primary. */
export function workerChannel(): ClusterChannel | null {
  if (process.send === undefined) return null;
  return {
    send(message) {
      // The primary may be gone while the worker shuts down: the message has nobody to go to.
      if (process.connected) process.send?.(message);
    },
    onMessage(listener) {
      const handler = (message: unknown) => {
        if (isClusterMessage(message)) listener(message);
      };
      process.on('message', handler);
      return () => void process.off('message', handler);
    },
  };
}
