import type { AgentEventsBatch } from '../contract/agent/agent-protocol.ts';
import type { DeployEvent } from '../contract/deploy-events.ts';
import { AgentCallError } from './agent-client.ts';
import { backoffDelay } from './retry-with-backoff.ts';

export interface EventForwarderOptions {
  /** Posts one batch; throws AgentCallError (or anything) on failure. */
  send(batch: AgentEventsBatch): Promise<unknown>;
  /** The control plane refused the token (401) or the task ended (410): the forwarder has stopped. */
  onFatal(error: AgentCallError): void;
  /** Told once when posting starts failing (events are kept and retried) and once when it works again. */
  onTrouble?(trouble: { failing: boolean; reason: string }): void;
  /** Time to gather events into one batch. @default 1000 */
  intervalMs?: number;
  /** Events kept while the control plane cannot be reached; beyond it the oldest progress and notices go. @default 1000 */
  maxQueue?: number;
  /** @default 200 */
  maxBatch?: number;
  /** Retry delays after a failed post. @default 500 .. 10000 ms */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** Forwards deploy events to the control plane in numbered batches. */
export interface EventForwarder {
  push(event: DeployEvent): void;
  /** Sends everything queued now; resolves true once delivered, false when `timeoutMs` passed first or it stopped. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Stops sending; queued events are dropped. */
  stop(): void;
  /** Events dropped because the queue was full. */
  readonly dropped: number;
}

/**
 * The agent's event queue. Events are batched for `intervalMs`, numbered from 1 and posted one batch at a time; a
 * batch that fails is posted again unchanged (same number, same events) after a backoff, so the control plane can
 * ignore a replay. The queue is bounded: consecutive `write.progress` events collapse into the latest one, and
 * when the control plane stays out of reach the oldest progress and notices are dropped first. Phase events,
 * warnings and the end are kept (there are a few dozen per deploy).
 */
export function createEventForwarder(options: EventForwarderOptions): EventForwarder {
  const intervalMs = options.intervalMs ?? 1000;
  const maxQueue = options.maxQueue ?? 1000;
  const maxBatch = options.maxBatch ?? 200;
  const policy = { minDelayMs: options.minDelayMs ?? 500, maxDelayMs: options.maxDelayMs ?? 10_000 };
  const queue: DeployEvent[] = [];
  let inFlight: AgentEventsBatch | null = null;
  let nextSeq = 1;
  let sending = false;
  let stopped = false;
  let flushing = false;
  let failures = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | null = null;
  let idleWaiters: Array<(delivered: boolean) => void> = [];

  const isIdle = () => queue.length === 0 && inFlight === null;
  const notifyIdle = (delivered: boolean) => {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const waiter of waiters) waiter(delivered);
  };

  function schedule(delayMs: number): void {
    if (timer !== null || sending || stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void sendNext();
    }, delayMs);
  }

  async function sendNext(): Promise<void> {
    if (stopped || sending) return;
    if (inFlight === null) {
      if (queue.length === 0) {
        notifyIdle(true);
        return;
      }
      inFlight = { seq: nextSeq, events: queue.splice(0, maxBatch) as AgentEventsBatch['events'] };
    }
    sending = true;
    try {
      await options.send(inFlight);
      sending = false;
      nextSeq += 1;
      inFlight = null;
      if (failures > 0) options.onTrouble?.({ failing: false, reason: 'events delivered again' });
      failures = 0;
      if (queue.length > 0) schedule(flushing ? 0 : intervalMs);
      else notifyIdle(true);
    } catch (error) {
      sending = false;
      if (error instanceof AgentCallError && !error.retryable) {
        stopped = true;
        notifyIdle(false);
        options.onFatal(error);
        return;
      }
      failures += 1;
      if (failures === 1) options.onTrouble?.({ failing: true, reason: (error as Error).message });
      schedule(backoffDelay(policy, failures));
    }
  }

  function drop(): void {
    let index = queue.findIndex((event) => event.type === 'write.progress' || event.type === 'download.notice');
    if (index < 0) index = 0;
    queue.splice(index, 1);
    dropped += 1;
  }

  return {
    push(event) {
      if (stopped) return;
      const last = queue.at(-1);
      if (event.type === 'write.progress' && last?.type === 'write.progress') queue[queue.length - 1] = event;
      else queue.push(event);
      while (queue.length > maxQueue) drop();
      if (!sending && inFlight === null) schedule(flushing ? 0 : intervalMs);
    },
    flush(timeoutMs) {
      if (stopped) return Promise.resolve(false);
      if (isIdle() && !sending) return Promise.resolve(true);
      flushing = true;
      // Send now unless a failed post is waiting out its backoff.
      if (timer !== null && failures === 0) {
        clearTimeout(timer);
        timer = null;
        void sendNext();
      }
      return new Promise((resolve) => {
        const deadline = setTimeout(() => {
          idleWaiters = idleWaiters.filter((waiter) => waiter !== settle);
          resolve(false);
        }, timeoutMs);
        const settle = (delivered: boolean) => {
          clearTimeout(deadline);
          resolve(delivered);
        };
        idleWaiters.push(settle);
      });
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      notifyIdle(false);
    },
    get dropped() {
      return dropped;
    },
  };
}
