import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { TaskStatus } from '../../contract/task/task-status.ts';

/**
 * The task life cycle, the one table every status change goes through (docs/API.md "Task life cycle"):
 *
 *   init ──claim──► todo ──agent/power started──► doing ──► done
 *     │               │                             ├─────► customerError  (catalogue fault: customer)
 *     │               ├──► customerError            ├─────► ovhError       (fault: provider, lost agent)
 *     ├──► ovhError   ├──► ovhError                 └─────► cancelled
 *     └──► cancelled  └──► cancelled
 *
 * init: created by the API, no runner has it yet. todo: a runner claimed it (lease set) and is preparing
 * (power driver reboot). doing: the agent is at work. Terminal statuses never change again, so a late or
 * duplicate report from an agent is ignored.
 */
export const allowedTransitions: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  init: ['todo', 'ovhError', 'cancelled'],
  todo: ['doing', 'customerError', 'ovhError', 'cancelled'],
  doing: ['done', 'customerError', 'ovhError', 'cancelled'],
  done: [],
  customerError: [],
  ovhError: [],
  cancelled: [],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return allowedTransitions[from].includes(to);
}

/** @throws ByoiError BYOI_TASK_TRANSITION when the table does not allow `from` → `to`. */
export function assertTransition(taskId: number, from: TaskStatus, to: TaskStatus): void {
  if (!canTransition(from, to)) throw new ByoiError('BYOI_TASK_TRANSITION', { taskId, from, to });
}

/** Statuses in which a task holds its server (the partial unique index of the tasks table). */
export const activeTaskStatuses = ['init', 'todo', 'doing'] as const satisfies readonly TaskStatus[];

export function isActiveStatus(status: TaskStatus): boolean {
  return (activeTaskStatuses as readonly TaskStatus[]).includes(status);
}
