import type { Command } from 'commander';
import { createAccount, listAccounts } from '../../control/store/accounts-repo.ts';
import type { AccountCreateFlags } from './admin-account.ts';
import { printJson, withAdminStore } from './admin-store.ts';

/** `byoi admin account create <name>`: prints the new account. */
export async function createAccountAction(name: string, flags: AccountCreateFlags, command: Command): Promise<void> {
  printJson(await withAdminStore(command, (store) => createAccount(store, { name, operator: flags.operator === true })));
}

/** `byoi admin account list`: prints every account. */
export async function listAccountsAction(command: Command): Promise<void> {
  printJson(await withAdminStore(command, (store) => listAccounts(store)));
}
