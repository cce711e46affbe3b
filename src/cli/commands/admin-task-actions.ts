import type { Command } from 'commander';
import { listTasks } from '../../control/store/tasks-repo.ts';
import type { TaskListFlags } from './admin-task.ts';
import { printJson, withAdminStore } from './admin-store.ts';

/** `byoi admin task list`: prints recent tasks, newest first, each step as `id:status`. */
export async function listTasksAction(flags: TaskListFlags, command: Command): Promise<void> {
  const filter: { status?: string; limit: number } = { limit: Number(flags.limit) || 50 };
  if (flags.status !== undefined) filter.status = flags.status;
  const tasks = await withAdminStore(command, (store) => listTasks(store, filter));
  printJson(tasks.map(({ steps, progress, result, ...rest }) => ({ ...rest, steps: steps.map((s) => `${s.id}:${s.status}`) })));
}
