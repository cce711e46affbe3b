import type { Command } from 'commander';

/** The options of `byoi admin application create`. */
export interface ApplicationCreateFlags {
  account: string;
  name: string;
  description: string;
}

/** The options of `byoi admin application list`. */
export interface ApplicationListFlags {
  account?: string;
}

/** `byoi admin application create|list`: API applications (application key + secret). */
export function registerAdminApplication(admin: Command): void {
  const application = admin.command('application').description('API applications (application key and secret)');
  application
    .command('create')
    .description('Create an application; its secret is printed this once')
    .requiredOption('--account <name>', 'owning account')
    .option('--name <name>', 'application name', 'cli')
    .option('--description <text>', 'description', '')
    .action(async (flags: ApplicationCreateFlags, command: Command) => {
      const { createApplicationAction } = await import('./admin-application-actions.ts');
      await createApplicationAction(flags, command);
    });
  application
    .command('list')
    .description('List applications (never their secrets)')
    .option('--account <name>', 'only this account')
    .action(async (flags: ApplicationListFlags, command: Command) => {
      const { listApplicationsAction } = await import('./admin-application-actions.ts');
      await listApplicationsAction(flags, command);
    });
}
