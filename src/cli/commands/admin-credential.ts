import type { Command } from 'commander';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { listCredentials, createCredential } from '../../control/store/credentials-repo.ts';
import { findApplicationByKey } from '../../control/store/applications-repo.ts';
import { credentialView, refuseCredential, revokeCredential, validateCredential } from '../../control/auth/credential-admin.ts';
import type { CredentialState } from '../../control/auth/credential-model.ts';
import type { AccessRule } from '../../control/auth/access-rule.ts';
import { integerFlag } from './serve-options.ts';
import { printJson, withAdminStore } from './admin-store.ts';

/** `byoi admin credential list|validate|refuse|revoke|create`. */
export function registerAdminCredential(admin: Command): void {
  const credential = admin.command('credential').description('Consumer keys: validate the ones users requested');
  credential
    .command('list')
    .description('List credentials (never their consumer keys)')
    .option('--state <state>', 'pendingValidation, validated, refused or expired')
    .action(async (flags: { state?: string }, command: Command) => {
      printJson(
        await withAdminStore(command, async (store) => {
          const found = await listCredentials(store, flags.state === undefined ? {} : { state: flags.state as CredentialState });
          return Promise.all(found.map((one) => credentialView(store, one)));
        }),
      );
    });
  credential
    .command('validate <credential>')
    .description('Validate a pending credential (its id, credentialToken or consumer key) for an account')
    .requiredOption('--account <name>', 'account the credential acts for')
    .option('--expires-in <seconds>', 'expire after this many seconds (default: never)')
    .action(async (reference: string, flags: { account: string; expiresIn?: string }, command: Command) => {
      const expires = integerFlag(flags.expiresIn);
      if (typeof expires === 'string') throw new ByoiError('BYOI_API_INVALID_VALUE', { name: '--expires-in', reason: 'must be a number of seconds' });
      printJson(
        await withAdminStore(command, async (store) =>
          credentialView(store, await validateCredential(store, { reference, accountName: flags.account, expiresInSeconds: expires })),
        ),
      );
    });
  credential
    .command('refuse <credential>')
    .description('Refuse a pending credential')
    .action(async (reference: string, _flags: unknown, command: Command) => {
      printJson(await withAdminStore(command, async (store) => credentialView(store, await refuseCredential(store, reference))));
    });
  credential
    .command('revoke <credential>')
    .description('Expire a credential now')
    .action(async (reference: string, _flags: unknown, command: Command) => {
      printJson(await withAdminStore(command, async (store) => credentialView(store, await revokeCredential(store, reference))));
    });
  credential
    .command('create')
    .description('Create a validated credential for an application and an account; the consumer key is printed this once')
    .requiredOption('--application <key>', 'application key')
    .requiredOption('--account <name>', 'account the credential acts for')
    .option('--rule <rule...>', 'access rules as "METHOD /path*" (default: all four methods on /*)')
    .action(async (flags: { application: string; account: string; rule?: string[] }, command: Command) => {
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
    });
}

function parseRules(rules: string[] | undefined): AccessRule[] {
  if (rules === undefined) return (['GET', 'POST', 'PUT', 'DELETE'] as const).map((method) => ({ method, path: '/*' }));
  return rules.map((text) => {
    const match = /^(GET|POST|PUT|DELETE)\s+(\/\S*)$/.exec(text.trim());
    if (match === null) throw new ByoiError('BYOI_API_INVALID_VALUE', { name: '--rule', reason: `"${text}" is not "METHOD /path"` });
    return { method: match[1] as AccessRule['method'], path: match[2] as string };
  });
}
