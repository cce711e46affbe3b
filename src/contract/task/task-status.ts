import Type, { type Static } from 'typebox';

/** OVH dedicated.TaskStatusEnum, in life-cycle order. */
export const taskStatuses = ['init', 'todo', 'doing', 'done', 'customerError', 'ovhError', 'cancelled'] as const;

/** One of taskStatuses. */
export type TaskStatus = (typeof taskStatuses)[number];

/** Statuses a task never leaves. `done` is the only success; clients (Terraform, ovhcloud-cli) stop polling on any of them. */
export const terminalTaskStatuses: ReadonlySet<TaskStatus> = new Set<TaskStatus>(['done', 'customerError', 'ovhError', 'cancelled']);

/** True when a task in this status is finished, successfully or not. */
export function isTerminalTaskStatus(status: TaskStatus): boolean {
  return terminalTaskStatuses.has(status);
}

/** Schema of a task status. */
export const TaskStatusSchema = Type.Enum(taskStatuses, {
  description: 'init, todo, doing: pending; done: success; customerError, ovhError, cancelled: failed',
});

/** A task status as the schema types it. */
export type TaskStatusValue = Static<typeof TaskStatusSchema>;
