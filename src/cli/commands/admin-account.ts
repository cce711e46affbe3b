import type { Command } from 'commander';

/** The options of `byoi admin account create`. */
export interface AccountCreateFlags {
  operator?: boolean;
}

/** `byoi admin account create|list`. */
export function registerAdminAccount(admin: Command): void {
  const account = admin.command('account').description('Accounts (tenants); operators manage the fleet');
  account
    .command('create <name>')
    .description('Create an account')
    .option('--operator', 'may use the admin API')
    .action(async (name: string, flags: AccountCreateFlags, command: Command) => {
      const { createAccountAction } = await import('./admin-account-actions.ts');
      await createAccountAction(name, flags, command);
    });
  account
    .command('list')
    .description('List accounts')
    .action(async (_flags: unknown, command: Command) => {
      const { listAccountsAction } = await import('./admin-account-actions.ts');
      await listAccountsAction(command);
    });
}
