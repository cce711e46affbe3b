import type { Command } from 'commander';
import { requireAccount } from '../../control/store/accounts-repo.ts';
import { createApplication, listApplications } from '../../control/store/applications-repo.ts';
import { printJson, withAdminStore } from './admin-store.ts';

/** `byoi admin application create|list`: API applications (application key + secret). */
export function registerAdminApplication(admin: Command): void {
  const application = admin.command('application').description('API applications (application key and secret)');
  application
    .command('create')
    .description('Create an application; its secret is printed this once')
    .requiredOption('--account <name>', 'owning account')
    .option('--name <name>', 'application name', 'cli')
    .option('--description <text>', 'description', '')
    .action(async (flags: { account: string; name: string; description: string }, command: Command) => {
      const created = await withAdminStore(command, async (store) => {
        const account = await requireAccount(store, flags.account);
        return createApplication(store, { accountId: account.id, name: flags.name, description: flags.description });
      });
      printJson({ applicationId: created.application.id, applicationKey: created.application.applicationKey, applicationSecret: created.applicationSecret });
    });
  application
    .command('list')
    .description('List applications (never their secrets)')
    .option('--account <name>', 'only this account')
    .action(async (flags: { account?: string }, command: Command) => {
      printJson(
        await withAdminStore(command, async (store) => {
          const accountId = flags.account === undefined ? undefined : (await requireAccount(store, flags.account)).id;
          return listApplications(store, accountId);
        }),
      );
    });
}
