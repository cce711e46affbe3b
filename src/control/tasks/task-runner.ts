import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/config-schema.ts';
import type { Store } from '../store/open-store.ts';
import type { TaskBus } from './task-bus.ts';
import type { TaskService } from './task-service.ts';

/**
 * The seam through which tasks get executed. The control plane core only creates tasks in `init` and keeps
 * their history; a TaskRunner (the agent protocol engineer's) drives them:
 *
 *   1. bus.onCreated(id) (or a poll) → tasks.claimNext(owner): init → todo with a lease
 *   2. read the server (store/servers-repo.ts) and its power config (readPowerConfig), issue an agent token
 *      (tasks.issueAgentToken), let the boot service hand out the installer, and reboot the server through
 *      a PowerDriver (power/power-driver.ts); setStep('reboot-installer', ...)
 *   3. when the agent enrols: transition(id, 'doing'); the agent fetches tasks.readInstallRequest(id)
 *   4. agent events → setStep / recordProgress / notice; heartbeats → renewLease
 *   5. the result → finish(id, {ok: true, result}) or finish(id, {ok: false, error})
 *   6. bus.onCancelled(id) → stop the agent; the task is already `cancelled`
 *
 * A lease that runs out ends the task as ovhError (the tasks plugin runs expireLeases() on a timer), so a lost
 * agent or a crashed runner never leaves a server locked. After a restart, start() finds its tasks in the
 * database (todo/doing with a lease) and resumes tracking them.
 */
export interface TaskRunner {
  readonly name: string;
  /** Called once the app is ready (after listen). */
  start(context: TaskRunnerContext): Promise<void>;
  /** Called on close; stop claiming and release timers. Running agents may keep going: their leases decide. */
  stop(): Promise<void>;
}

export interface TaskRunnerContext {
  store: Store;
  tasks: TaskService;
  bus: TaskBus;
  config: Config;
  log: FastifyBaseLogger;
}
