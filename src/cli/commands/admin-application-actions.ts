import type { Command } from 'commander';
import { requireAccount } from '../../control/store/accounts-repo.ts';
import { createApplication, listApplications } from '../../control/store/applications-repo.ts';
import type { ApplicationCreateFlags, ApplicationListFlags } from './admin-application.ts';
import { printJson, withAdminStore } from './admin-store.ts';

/** `byoi admin application create`: prints the new application with its secret (shown this once). */
export async function createApplicationAction(flags: ApplicationCreateFlags, command: Command): Promise<void> {
  const created = await withAdminStore(command, async (store) => {
    const account = await requireAccount(store, flags.account);
    return createApplication(store, { accountId: account.id, name: flags.name, description: flags.description });
  });
  printJson({ applicationId: created.application.id, applicationKey: created.application.applicationKey, applicationSecret: created.applicationSecret });
}

/** `byoi admin application list`: prints the applications (never their secrets), of one account if asked. */
export async function listApplicationsAction(flags: ApplicationListFlags, command: Command): Promise<void> {
  printJson(
    await withAdminStore(command, async (store) => {
      const accountId = flags.account === undefined ? undefined : (await requireAccount(store, flags.account)).id;
      return listApplications(store, accountId);
    }),
  );
}
