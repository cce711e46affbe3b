import { AgentCallError, type AgentClient } from './agent-client.ts';
import type { AgentLog } from './agent-log.ts';

/** A running heartbeat; stop() ends it. */
export interface Heartbeat {
  stop(): void;
}

/**
 * Sends a heartbeat every `intervalSeconds` so the control plane keeps the task's lease. A failed heartbeat is
 * only logged (the next one may pass: the control plane may be restarting); a 401 or 410 means this installer
 * lost its task, and `onFatal` hears it once.
 */
export function startHeartbeat(client: AgentClient, intervalSeconds: number, onFatal: (error: AgentCallError) => void, log: AgentLog): Heartbeat {
  let stopped = false;
  let running = false;
  let failing = false;
  const beat = async () => {
    if (stopped || running) return;
    running = true;
    try {
      await client.heartbeat();
      if (failing) log.info('heartbeat: the control plane answers again');
      failing = false;
    } catch (error) {
      if (error instanceof AgentCallError && !error.retryable) {
        stopped = true;
        clearInterval(timer);
        onFatal(error);
      } else if (!failing) {
        failing = true;
        log.warn('heartbeat failed; retrying on the next beat', { reason: (error as Error).message });
      }
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void beat(), Math.max(1, intervalSeconds) * 1000);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
