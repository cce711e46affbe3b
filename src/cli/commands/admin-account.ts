import type { Command } from 'commander';
import { createAccount, listAccounts } from '../../control/store/accounts-repo.ts';
import { printJson, withAdminStore } from './admin-store.ts';

/** `byoi admin account create|list`. */
export function registerAdminAccount(admin: Command): void {
  const account = admin.command('account').description('Accounts (tenants); operators manage the fleet');
  account
    .command('create <name>')
    .description('Create an account')
    .option('--operator', 'may use the admin API')
    .action(async (name: string, flags: { operator?: boolean }, command: Command) => {
      printJson(await withAdminStore(command, (store) => createAccount(store, { name, operator: flags.operator === true })));
    });
  account
    .command('list')
    .description('List accounts')
    .action(async (_flags: unknown, command: Command) => {
      printJson(await withAdminStore(command, (store) => listAccounts(store)));
    });
}
