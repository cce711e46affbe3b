import type { Command } from 'commander';
import { addStoreOptions } from './store-options.ts';
import { registerAdminAccount } from './admin-account.ts';
import { registerAdminApplication } from './admin-application.ts';
import { registerAdminCredential } from './admin-credential.ts';
import { registerAdminServer } from './admin-server.ts';
import { registerAdminTask } from './admin-task.ts';

/**
 * `byoi admin ...`: operator commands on the control plane's database (the same one `byoi serve` uses; SQLite
 * in WAL mode allows both at once). The admin API (/1.0/admin/...) does the same over HTTP.
 */
export function registerAdmin(program: Command): void {
  const admin = addStoreOptions(program.command('admin').description('Manage accounts, API keys, credentials and the fleet'));
  registerAdminAccount(admin);
  registerAdminApplication(admin);
  registerAdminCredential(admin);
  registerAdminServer(admin);
  registerAdminTask(admin);
}
