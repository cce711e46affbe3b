import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { Store } from '../store/open-store.ts';
import { requireAccount, findAccountById } from '../store/accounts-repo.ts';
import { findApplicationById } from '../store/applications-repo.ts';
import {
  findCredentialByConsumerKey,
  findCredentialById,
  findCredentialByValidationToken,
  setCredentialState,
} from '../store/credentials-repo.ts';
import { nowIso } from '../store/now-iso.ts';
import { effectiveState, type Credential } from './credential-model.ts';
import type { AccessRule } from './access-rule.ts';

/** An operator's view of a credential: never the consumer key (only its hash is stored anyway). */
export interface CredentialView {
  credentialId: number;
  applicationKey: string;
  applicationName: string;
  account: string | null;
  state: string;
  rules: AccessRule[];
  redirection: string | null;
  credentialToken: string;
  creation: string;
  validatedAt: string | null;
  expiration: string | null;
  lastUse: string | null;
}

/**
 * Finds a credential from what an operator has: its numeric id, its validation URL's credentialToken, or the
 * consumer key itself (looked up by hash).
 */
export async function resolveCredential(store: Store, reference: string): Promise<Credential> {
  const byId = /^\d{1,10}$/.test(reference) ? await findCredentialById(store, Number(reference)) : undefined;
  const found = byId ?? (await findCredentialByValidationToken(store, reference)) ?? (await findCredentialByConsumerKey(store, reference));
  if (found === undefined) throw new ByoiError('BYOI_ADMIN_NOT_FOUND', { what: 'Credential', name: /^\d+$/.test(reference) ? reference : '(given key)' });
  return found;
}

/**
 * Validates a pending credential for `accountName`. Like OVH, the account is chosen at validation, not by the
 * application: an application written by one party can be used by many accounts.
 */
export async function validateCredential(
  store: Store,
  input: { reference: string; accountName: string; expiresInSeconds?: number | undefined },
): Promise<Credential> {
  const credential = await resolveCredential(store, input.reference);
  if (credential.state !== 'pendingValidation') {
    throw new ByoiError('BYOI_ADMIN_STATE', { action: 'validate', what: 'credential', name: String(credential.id), reason: `it is ${credential.state}` });
  }
  const account = await requireAccount(store, input.accountName);
  const expiresAt = input.expiresInSeconds === undefined || input.expiresInSeconds === 0 ? null : nowIso(Date.now() + input.expiresInSeconds * 1000);
  await setCredentialState(store, credential.id, { state: 'validated', accountId: account.id, expiresAt });
  return (await findCredentialById(store, credential.id)) as Credential;
}

export async function refuseCredential(store: Store, reference: string): Promise<Credential> {
  const credential = await resolveCredential(store, reference);
  if (credential.state !== 'pendingValidation') {
    throw new ByoiError('BYOI_ADMIN_STATE', { action: 'refuse', what: 'credential', name: String(credential.id), reason: `it is ${credential.state}` });
  }
  await setCredentialState(store, credential.id, { state: 'refused' });
  return (await findCredentialById(store, credential.id)) as Credential;
}

/** Ends a credential for good (OVH: a deleted or logged-out credential reads as expired). */
export async function revokeCredential(store: Store, reference: string): Promise<Credential> {
  const credential = await resolveCredential(store, reference);
  await setCredentialState(store, credential.id, { state: 'expired' });
  return (await findCredentialById(store, credential.id)) as Credential;
}

export async function credentialView(store: Store, credential: Credential): Promise<CredentialView> {
  const application = await findApplicationById(store, credential.applicationId);
  const account = credential.accountId === null ? undefined : await findAccountById(store, credential.accountId);
  return {
    credentialId: credential.id,
    applicationKey: application?.applicationKey ?? '',
    applicationName: application?.name ?? '',
    account: account?.name ?? null,
    state: effectiveState(credential, nowIso()),
    rules: credential.rules,
    redirection: credential.redirection,
    credentialToken: credential.validationToken,
    creation: credential.createdAt,
    validatedAt: credential.validatedAt,
    expiration: credential.expiresAt,
    lastUse: credential.lastUseAt,
  };
}
