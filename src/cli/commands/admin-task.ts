import type { Command } from 'commander';

/** The options of `byoi admin task list`. */
export interface TaskListFlags {
  status?: string;
  limit: string;
}

/** `byoi admin task list`: recent tasks of the fleet. */
export function registerAdminTask(admin: Command): void {
  admin
    .command('task')
    .description('Tasks of the fleet')
    .command('list')
    .description('Recent tasks, newest first (no secrets: the install request stays encrypted)')
    .option('--status <status>', 'only this status')
    .option('--limit <n>', 'how many', '50')
    .action(async (flags: TaskListFlags, command: Command) => {
      const { listTasksAction } = await import('./admin-task-actions.ts');
      await listTasksAction(flags, command);
    });
}
