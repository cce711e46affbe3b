import { stepStatusesBefore } from '../tasks/step-transitions.ts';
import { isActiveStatus } from '../tasks/task-transitions.ts';
import type { TaskBus } from '../tasks/task-bus.ts';
import type { TaskService } from '../tasks/task-service.ts';
import type { Store } from '../store/open-store.ts';
import { nowIso } from '../store/now-iso.ts';
import { advanceTaskStep } from '../store/task-steps-repo.ts';
import { appendTaskEvent } from '../store/task-events-repo.ts';

/**
 * Records what became of an install's first boot on its `first-boot` step: `done` when the installed system
 * phoned home (the first-boot route), `error` with a catalogue message when the boot service saw the disk fail
 * to boot. Works on a running install (one that waits for its first boot) and on one already `done` (the default:
 * an install is done once written and rebooted, and the first boot comes later). The task's status never changes
 * here: a waiting install is ended by its runner (ok) or by the caller's finish() (failure).
 *
 * The boot service may call it with `app.store`, `app.tasks` and `app.taskBus`.
 *
 * @returns false when the task is not an install, ended otherwise than `done`, or its step already has an outcome
 */
export async function recordFirstBoot(
  services: { store: Store; tasks: TaskService; bus: TaskBus },
  taskId: number,
  outcome: { ok: true } | { ok: false; message: string },
): Promise<boolean> {
  const status = outcome.ok ? 'done' : 'error';
  const error = outcome.ok ? null : outcome.message;
  const task = await services.tasks.get(taskId);
  if (task === undefined || task.function !== 'reinstallServer') return false;
  const index = task.steps.findIndex((s) => s.id === 'first-boot');
  if (index === -1) return false;
  if (isActiveStatus(task.status) && (await services.tasks.setStep(taskId, 'first-boot', status, error))) return true;
  // A finished task's steps are the core's to freeze, except this one: the confirmation comes after `done` (the
  // task may also have become done since it was read: the UPDATE checks both statuses again).
  const now = nowIso();
  const target = { taskId, index, stepId: 'first-boot', taskStatuses: ['done'] as const, from: stepStatusesBefore[status] };
  if (!(await advanceTaskStep(services.store, target, { status, error, now }))) return false;
  const event = await appendTaskEvent(services.store, {
    taskId,
    at: now,
    type: 'task.step',
    data: { step: 'first-boot', comment: task.steps[index]?.comment, status, error },
  });
  services.bus.emitEvent(event);
  return true;
}
