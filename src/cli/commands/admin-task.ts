import type { Command } from 'commander';
import { listTasks } from '../../control/store/tasks-repo.ts';
import { printJson, withAdminStore } from './admin-store.ts';

/** `byoi admin task list`: recent tasks of the fleet. */
export function registerAdminTask(admin: Command): void {
  admin
    .command('task')
    .description('Tasks of the fleet')
    .command('list')
    .description('Recent tasks, newest first (no secrets: the install request stays encrypted)')
    .option('--status <status>', 'only this status')
    .option('--limit <n>', 'how many', '50')
    .action(async (flags: { status?: string; limit: string }, command: Command) => {
      const filter: { status?: string; limit: number } = { limit: Number(flags.limit) || 50 };
      if (flags.status !== undefined) filter.status = flags.status;
      const tasks = await withAdminStore(command, (store) => listTasks(store, filter));
      printJson(tasks.map(({ steps, progress, result, ...rest }) => ({ ...rest, steps: steps.map((s) => `${s.id}:${s.status}`) })));
    });
}
