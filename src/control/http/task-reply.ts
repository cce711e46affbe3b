import type { Static } from 'typebox';
import type { ControlTask } from '../tasks/task-model.ts';
import type { TaskSummary } from '../store/tasks-repo.ts';
import type { InstallStatusReplySchema, TaskReplySchema } from './schemas/task-schemas.ts';

/** The OVH task shape of a task (no secret ever: comments are catalogue messages). */
export function toTaskReply(task: TaskSummary): Static<typeof TaskReplySchema> {
  return {
    taskId: task.id,
    function: task.function,
    status: task.status,
    comment: task.comment,
    startDate: task.startDate,
    doneDate: task.doneDate,
    lastUpdate: task.lastUpdate,
    needSchedule: false,
    note: null,
    ticketReference: null,
    plannedInterventionId: null,
    tags: null,
  };
}

/** `install/status`: every step with OVH's {comment, status, error}, plus byoi's live figures. */
export function toInstallStatus(task: ControlTask, eventsPath: string, now: number = Date.now()): Static<typeof InstallStatusReplySchema> {
  const end = task.doneDate === null ? now : Date.parse(task.doneDate);
  return {
    elapsedTime: Math.max(0, Math.floor((end - Date.parse(task.startDate)) / 1000)),
    progress: task.steps.map((step) => ({ comment: step.comment, status: step.status, error: step.error ?? '' })),
    byoi: {
      taskId: task.id,
      status: task.status,
      bytesDownloaded: task.progress?.bytesDownloaded ?? null,
      bytesTotal: task.progress?.bytesTotal ?? null,
      bytesWritten: task.progress?.bytesWritten ?? null,
      rate: task.progress?.rate ?? null,
      etaSeconds: task.progress?.etaSeconds ?? null,
      events: eventsPath,
    },
  };
}
