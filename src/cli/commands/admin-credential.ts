import type { Command } from 'commander';

/** The options of `byoi admin credential list`. */
export interface CredentialListFlags {
  state?: string;
}

/** The options of `byoi admin credential validate`. */
export interface CredentialValidateFlags {
  account: string;
  expiresIn?: string;
}

/** The options of `byoi admin credential create`. */
export interface CredentialCreateFlags {
  application: string;
  account: string;
  rule?: string[];
}

/** `byoi admin credential list|validate|refuse|revoke|create`. */
export function registerAdminCredential(admin: Command): void {
  const credential = admin.command('credential').description('Consumer keys: validate the ones users requested');
  credential
    .command('list')
    .description('List credentials (never their consumer keys)')
    .option('--state <state>', 'pendingValidation, validated, refused or expired')
    .action(async (flags: CredentialListFlags, command: Command) => {
      const { listCredentialsAction } = await import('./admin-credential-actions.ts');
      await listCredentialsAction(flags, command);
    });
  credential
    .command('validate <credential>')
    .description('Validate a pending credential (its id, credentialToken or consumer key) for an account')
    .requiredOption('--account <name>', 'account the credential acts for')
    .option('--expires-in <seconds>', 'expire after this many seconds (default: never)')
    .action(async (reference: string, flags: CredentialValidateFlags, command: Command) => {
      const { validateCredentialAction } = await import('./admin-credential-actions.ts');
      await validateCredentialAction(reference, flags, command);
    });
  credential
    .command('refuse <credential>')
    .description('Refuse a pending credential')
    .action(async (reference: string, _flags: unknown, command: Command) => {
      const { refuseCredentialAction } = await import('./admin-credential-actions.ts');
      await refuseCredentialAction(reference, command);
    });
  credential
    .command('revoke <credential>')
    .description('Expire a credential now')
    .action(async (reference: string, _flags: unknown, command: Command) => {
      const { revokeCredentialAction } = await import('./admin-credential-actions.ts');
      await revokeCredentialAction(reference, command);
    });
  credential
    .command('create')
    .description('Create a validated credential for an application and an account; the consumer key is printed this once')
    .requiredOption('--application <key>', 'application key')
    .requiredOption('--account <name>', 'account the credential acts for')
    .option('--rule <rule...>', 'access rules as "METHOD /path*" (default: all four methods on /*)')
    .action(async (flags: CredentialCreateFlags, command: Command) => {
      const { createCredentialAction } = await import('./admin-credential-actions.ts');
      await createCredentialAction(flags, command);
    });
}
