import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { Store } from '../store/open-store.ts';
import { findApplicationByKey, findApplicationById, openApplicationSecret } from '../store/applications-repo.ts';
import { findCredentialById, findSignedCaller, touchCredential } from '../store/credentials-repo.ts';
import { findAccountById, type Account } from '../store/accounts-repo.ts';
import { recordSignature } from '../store/replay-guard-repo.ts';
import { nowIso } from '../store/now-iso.ts';
import { effectiveState, type Credential } from './credential-model.ts';
import { isGranted } from './access-rule.ts';
import { candidateUrls, computeSignature, signaturesMatch } from './ovh-signature.ts';
import { csrfTokenFor, verifySessionToken } from './session-token.ts';
import type { AuthContext } from './auth-context.ts';
import type { Application } from '../store/applications-repo.ts';

/** What authenticate() needs to know about a request. */
export interface RequestFacts {
  method: string;
  /** The raw request target as received: path and query (what clients sign). */
  target: string;
  /** The API path for access rules: without the /1.0 or /v1 prefix and without the query. */
  apiPath: string;
  protocol: string;
  host: string;
  /** The exact body bytes (empty when there is none). */
  body: Uint8Array;
  applicationKey: string | undefined;
  consumerKey: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  sessionToken: string | undefined;
  csrfToken: string | undefined;
}

export interface AuthenticateOptions {
  clockSkewSeconds: number;
  publicUrl?: string | undefined;
  now?: number;
}

/**
 * Checks an OVH-signed request (or a browser session) and returns who made it. The checks run in this order,
 * each with OVH's error (docs/API.md "Authentication"):
 *   application key → timestamp within ±clockSkewSeconds → consumer key of this application → signature over
 *   the raw body, against every URL form a client may have signed → credential validated and unexpired →
 *   access rules grant method + path → a non-GET signature not seen before (replay guard).
 * The signature is checked before the credential's state, so without the application secret nobody learns
 * whether a consumer key is pending, refused or expired.
 */
export async function authenticate(store: Store, facts: RequestFacts, options: AuthenticateOptions): Promise<AuthContext> {
  const now = options.now ?? Date.now();
  if (facts.consumerKey === undefined && facts.sessionToken !== undefined) return authenticateSession(store, facts, now);

  if (facts.applicationKey === undefined || facts.applicationKey === '') throw new ByoiError('BYOI_AUTH_INVALID_KEY');
  // One query finds the credential with its application and account; the error path looks further.
  const caller = facts.consumerKey === undefined || facts.consumerKey === '' ? undefined : await findSignedCaller(store, facts.consumerKey);
  const matches = caller !== undefined && caller.application.applicationKey === facts.applicationKey;
  if (!matches && (await findApplicationByKey(store, facts.applicationKey)) === undefined) throw new ByoiError('BYOI_AUTH_INVALID_KEY');
  if (facts.consumerKey === undefined || facts.consumerKey === '') throw new ByoiError('BYOI_AUTH_NOT_AUTHENTICATED');

  const timestamp = facts.timestamp ?? '';
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Number(timestamp) - Math.floor(now / 1000)) > options.clockSkewSeconds) {
    throw new ByoiError('BYOI_AUTH_QUERY_TIME_OUT');
  }
  if (!matches) throw new ByoiError('BYOI_AUTH_NOT_CREDENTIAL');
  const { credential, application } = caller;

  const signature = facts.signature ?? '';
  const secret = openApplicationSecret(store, caller.secretEnc);
  const urls = candidateUrls({ protocol: facts.protocol, host: facts.host, path: facts.target, publicUrl: options.publicUrl });
  const valid = urls.some((url) =>
    signaturesMatch(
      computeSignature({
        applicationSecret: secret,
        consumerKey: facts.consumerKey as string,
        method: facts.method,
        url,
        body: facts.body,
        timestamp,
      }),
      signature,
    ),
  );
  if (!valid) throw new ByoiError('BYOI_AUTH_INVALID_SIGNATURE');

  const context = await authorise(store, credential, application, facts, now, 'signature', caller.account);

  // GETs may repeat (clients retry polls); a repeated signature on anything else is a replay. The entry lives
  // as long as the timestamp could still be accepted.
  if (facts.method !== 'GET' && facts.method !== 'HEAD') {
    const expiresAt = (Number(timestamp) + options.clockSkewSeconds + 1) * 1000;
    if (!(await recordSignature(store, `${facts.applicationKey}:${signature}`, expiresAt))) throw new ByoiError('BYOI_AUTH_REPLAYED');
  }
  await touchCredential(store, credential, now);
  return context;
}

async function authenticateSession(store: Store, facts: RequestFacts, now: number): Promise<AuthContext> {
  const claims = verifySessionToken(store.sessionKey, facts.sessionToken as string, Math.floor(now / 1000));
  if (claims === null) throw new ByoiError('BYOI_AUTH_SESSION');
  if (facts.method !== 'GET' && facts.method !== 'HEAD') {
    const expected = csrfTokenFor(store.sessionKey, facts.sessionToken as string);
    if (facts.csrfToken !== expected) throw new ByoiError('BYOI_AUTH_SESSION');
  }
  const credential = await findCredentialById(store, claims.credentialId);
  if (credential === undefined) throw new ByoiError('BYOI_AUTH_SESSION');
  const application = await findApplicationById(store, credential.applicationId);
  if (application === undefined) throw new ByoiError('BYOI_AUTH_SESSION');
  return authorise(store, credential, application, facts, now, 'session');
}

async function authorise(
  store: Store,
  credential: Credential,
  application: Application,
  facts: RequestFacts,
  now: number,
  via: AuthContext['via'],
  knownAccount?: Account,
): Promise<AuthContext> {
  if (effectiveState(credential, nowIso(now)) !== 'validated' || credential.accountId === null) throw new ByoiError('BYOI_AUTH_INVALID_CREDENTIAL');
  if (!isGranted(credential.rules, facts.method, facts.apiPath)) throw new ByoiError('BYOI_AUTH_NOT_GRANTED');
  const account = knownAccount ?? (await findAccountById(store, credential.accountId));
  if (account === undefined) throw new ByoiError('BYOI_AUTH_INVALID_CREDENTIAL');
  return { account, credential, application, via };
}
