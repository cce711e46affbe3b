import type { AccessRule } from './access-rule.ts';

/** OVH auth.CredentialStateEnum. */
export type CredentialState = 'pendingValidation' | 'validated' | 'refused' | 'expired';

export interface Credential {
  id: number;
  applicationId: number;
  accountId: number | null;
  state: CredentialState;
  rules: AccessRule[];
  redirection: string | null;
  validationToken: string;
  createdAt: string;
  validatedAt: string | null;
  expiresAt: string | null;
  lastUseAt: string | null;
}

/** The state a client sees: a validated credential past its expiry reads as expired. */
export function effectiveState(credential: Credential, nowIso: string): CredentialState {
  if (credential.state === 'validated' && credential.expiresAt !== null && credential.expiresAt <= nowIso) return 'expired';
  return credential.state;
}
