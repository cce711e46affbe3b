import type { TaskService } from '../tasks/task-service.ts';
import { isActiveStatus } from '../tasks/task-transitions.ts';

/**
 * For the boot service, when it renders the rescue script of a server with a running install: a fresh one-time
 * agent token for that task (it authenticates `byoi agent` for exactly that task, hence that server; issuing a
 * new one invalidates the previous). Null when the task no longer wants an installer: it is not a running
 * install, or its agent already reported a successful result (the runner is switching boot and rebooting: the
 * server must boot its disk now, as boot/task-wants-installer.ts also decides from the steps).
 *
 * @example
 * ```ts
 * const token = await issueInstallerToken(app.tasks, task.id);
 * if (token === null) return diskScript(server);
 * ```
 */
export async function issueInstallerToken(tasks: TaskService, taskId: number): Promise<string | null> {
  const task = await tasks.get(taskId);
  if (task === undefined || task.function !== 'reinstallServer' || !isActiveStatus(task.status) || task.result !== null) return null;
  return tasks.issueAgentToken(taskId);
}
