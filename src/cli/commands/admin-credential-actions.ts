import type { Command } from 'commander';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { listCredentials, createCredential } from '../../control/store/credentials-repo.ts';
import { findApplicationByKey } from '../../control/store/applications-repo.ts';
import { credentialView, refuseCredential, revokeCredential, validateCredential } from '../../control/auth/credential-admin.ts';
import type { CredentialState } from '../../control/auth/credential-model.ts';
import type { AccessRule } from '../../control/auth/access-rule.ts';
import { integerFlag } from './serve-options.ts';
import type { CredentialCreateFlags, CredentialListFlags, CredentialValidateFlags } from './admin-credential.ts';
import { printJson, withAdminStore } from './admin-store.ts';

/** `byoi admin credential list`: prints the credentials (never their consumer keys), of one state if asked. */
export async function listCredentialsAction(flags: CredentialListFlags, command: Command): Promise<void> {
  printJson(
    await withAdminStore(command, async (store) => {
      const found = await listCredentials(store, flags.state === undefined ? {} : { state: flags.state as CredentialState });
      return Promise.all(found.map((one) => credentialView(store, one)));
    }),
  );
}

/** `byoi admin credential validate <credential>`: validates a pending credential for an account and prints it. */
export async function validateCredentialAction(reference: string, flags: CredentialValidateFlags, command: Command): Promise<void> {
  const expires = integerFlag(flags.expiresIn);
  if (typeof expires === 'string') throw new ByoiError('BYOI_API_INVALID_VALUE', { name: '--expires-in', reason: 'must be a number of seconds' });
  printJson(
    await withAdminStore(command, async (store) =>
      credentialView(store, await validateCredential(store, { reference, accountName: flags.account, expiresInSeconds: expires })),
    ),
  );
}

/** `byoi admin credential refuse <credential>`: refuses a pending credential and prints it. */
export async function refuseCredentialAction(reference: string, command: Command): Promise<void> {
  printJson(await withAdminStore(command, async (store) => credentialView(store, await refuseCredential(store, reference))));
}

/** `byoi admin credential revoke <credential>`: expires a credential now and prints it. */
export async function revokeCredentialAction(reference: string, command: Command): Promise<void> {
  printJson(await withAdminStore(command, async (store) => credentialView(store, await revokeCredential(store, reference))));
}

/** `byoi admin credential create`: creates a validated credential and prints its consumer key (shown this once). */
export async function createCredentialAction(flags: CredentialCreateFlags, command: Command): Promise<void> {
  const rules = parseRules(flags.rule);
  printJson(
    await withAdminStore(command, async (store) => {
      const found = await findApplicationByKey(store, flags.application);
      if (found === undefined) throw new ByoiError('BYOI_ADMIN_NOT_FOUND', { what: 'Application', name: flags.application });
      const { credential: created, consumerKey } = await createCredential(store, { applicationId: found.application.id, rules, redirection: null });
      await validateCredential(store, { reference: String(created.id), accountName: flags.account });
      return { credentialId: created.id, consumerKey };
    }),
  );
}

function parseRules(rules: string[] | undefined): AccessRule[] {
  if (rules === undefined) return (['GET', 'POST', 'PUT', 'DELETE'] as const).map((method) => ({ method, path: '/*' }));
  return rules.map((text) => {
    const match = /^(GET|POST|PUT|DELETE)\s+(\/\S*)$/.exec(text.trim());
    if (match === null) throw new ByoiError('BYOI_API_INVALID_VALUE', { name: '--rule', reason: `"${text}" is not "METHOD /path"` });
    return { method: match[1] as AccessRule['method'], path: match[2] as string };
  });
}
