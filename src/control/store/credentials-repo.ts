import { CompiledQuery, sql, type Selectable } from 'kysely';
import type { CredentialsTable } from './database-schema.ts';
import type { Store } from './open-store.ts';
import { nowIso } from './now-iso.ts';
import { preparedStatement } from './prepared-statements.ts';
import { createReadBatcher } from './read-batcher.ts';
import { perStore } from './per-store.ts';
import { firstRowReader } from './first-row-reader.ts';
import { credentialColumns } from './table-columns.ts';
import { hashToken } from '../crypto/hash-token.ts';
import { randomToken } from '../crypto/random-token.ts';
import type { AccessRule } from '../auth/access-rule.ts';
import type { Credential, CredentialState } from '../auth/credential-model.ts';
import type { Application } from './applications-repo.ts';
import type { Account } from './accounts-repo.ts';

/**
 * Creates a pending credential. The consumer key is returned in clear once; the table keeps its SHA-256,
 * which is how a signed request (X-Ovh-Consumer carries the key in clear) finds its credential.
 */
export async function createCredential(
  store: Store,
  input: { applicationId: number; rules: AccessRule[]; redirection: string | null },
): Promise<{ credential: Credential; consumerKey: string }> {
  const consumerKey = randomToken(32);
  const row = await store.db
    .insertInto('credentials')
    .values({
      application_id: input.applicationId,
      account_id: null,
      consumer_key_hash: hashToken(consumerKey),
      validation_token: randomToken(24),
      state: 'pendingValidation',
      access_rules: JSON.stringify(input.rules),
      redirection: input.redirection,
      created_at: nowIso(),
      validated_at: null,
      expires_at: null,
      last_use_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { credential: toCredential(row), consumerKey };
}

export async function findCredentialByConsumerKey(store: Store, consumerKey: string): Promise<Credential | undefined> {
  const row = await store.db.selectFrom('credentials').selectAll().where('consumer_key_hash', '=', hashToken(consumerKey)).executeTakeFirst();
  return row && toCredential(row);
}

export async function findCredentialById(store: Store, id: number): Promise<Credential | undefined> {
  const row = await store.db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toCredential(row);
}

export async function findCredentialByValidationToken(store: Store, token: string): Promise<Credential | undefined> {
  const row = await store.db.selectFrom('credentials').selectAll().where('validation_token', '=', token).executeTakeFirst();
  return row && toCredential(row);
}

export async function listCredentials(store: Store, filter: { state?: CredentialState; accountId?: number } = {}): Promise<Credential[]> {
  let query = store.db.selectFrom('credentials').selectAll().orderBy('id');
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  if (filter.accountId !== undefined) query = query.where('account_id', '=', filter.accountId);
  return (await query.execute()).map(toCredential);
}

/** Moves a credential to a new state; `validated` binds it to an account with an optional expiry. */
export async function setCredentialState(
  store: Store,
  id: number,
  change: { state: 'validated'; accountId: number; expiresAt: string | null } | { state: 'refused' | 'expired' },
): Promise<void> {
  if (change.state === 'validated') {
    await store.db
      .updateTable('credentials')
      .set({ state: 'validated', account_id: change.accountId, validated_at: nowIso(), expires_at: change.expiresAt })
      .where('id', '=', id)
      .execute();
  } else {
    await store.db.updateTable('credentials').set({ state: change.state }).where('id', '=', id).execute();
  }
}

/** Records a use, at most once a minute per credential so signed GETs do not each cost a write. */
export async function touchCredential(store: Store, credential: Credential, now: number = Date.now()): Promise<void> {
  if (credential.lastUseAt !== null && Date.parse(credential.lastUseAt) > now - 60_000) return;
  await store.db.updateTable('credentials').set({ last_use_at: nowIso(now) }).where('id', '=', credential.id).execute();
}

/**
 * Everything a signed request needs about its consumer key, in one query: the credential, its application
 * (with the sealed secret) and its account. The hot path of every signed call; on PostgreSQL the callers of the
 * same event-loop turn share that query (read-batcher.ts).
 */
export async function findSignedCaller(
  store: Store,
  consumerKey: string,
): Promise<{ credential: Credential; application: Application; secretEnc: string; account: Account | undefined } | undefined> {
  const row = await signedCallerReader(store)(hashToken(consumerKey));
  if (row === undefined) return undefined;
  const credential = toCredential(row);
  const application: Application = {
    id: row.application_id,
    accountId: row.app_account_id,
    applicationKey: row.app_application_key,
    name: row.app_name,
    description: row.app_description,
    createdAt: row.app_created_at,
  };
  const account: Account | undefined =
    row.account_id === null || row.account_name === null
      ? undefined
      : { id: row.account_id, name: row.account_name, operator: row.account_operator === 1, createdAt: row.account_created_at ?? '' };
  return { credential, application, secretEnc: row.app_secret_enc, account };
}

/** The store's reader of signed-caller rows by consumer key hash; its SQL is compiled once (building it costs more than running it). */
const signedCallerReader = perStore((store): ((consumerKeyHash: string) => Promise<SignedCallerRow | undefined>) => {
  if (store.dialect === 'postgres') return batchedSignedCallerReader(store);
  const readRow = firstRowReader<SignedCallerRow>(store, signedCallerQuery(store).where('c.consumer_key_hash', '=', '').compile().sql);
  return (consumerKeyHash) => readRow([consumerKeyHash]);
});

function batchedSignedCallerReader(store: Store): (consumerKeyHash: string) => Promise<SignedCallerRow | undefined> {
  const text = preparedStatement(signedCallerQuery(store).where(sql<boolean>`c.consumer_key_hash = ANY(${[] as string[]})`).compile().sql);
  return createReadBatcher<string, SignedCallerRow>({
    idOfKey: (consumerKeyHash) => consumerKeyHash,
    idOfRow: (row) => row.consumer_key_hash,
    fetch: async (hashes) => (await store.db.executeQuery<SignedCallerRow>(CompiledQuery.raw(text, [hashes]))).rows,
  });
}

function signedCallerQuery(store: Store) {
  return store.db
    .selectFrom('credentials as c')
    .innerJoin('applications as a', 'a.id', 'c.application_id')
    .leftJoin('accounts as u', 'u.id', 'c.account_id')
    .select(credentialColumns.map((column) => `c.${column}` as const))
    .select([
      'a.account_id as app_account_id',
      'a.application_key as app_application_key',
      'a.secret_enc as app_secret_enc',
      'a.name as app_name',
      'a.description as app_description',
      'a.created_at as app_created_at',
      'u.name as account_name',
      'u.operator as account_operator',
      'u.created_at as account_created_at',
    ]);
}

type SignedCallerRow = Awaited<ReturnType<ReturnType<typeof signedCallerQuery>['executeTakeFirstOrThrow']>>;

function toCredential(row: Selectable<CredentialsTable>): Credential {
  return {
    id: row.id,
    applicationId: row.application_id,
    accountId: row.account_id,
    state: row.state as CredentialState,
    rules: JSON.parse(row.access_rules) as AccessRule[],
    redirection: row.redirection,
    validationToken: row.validation_token,
    createdAt: row.created_at,
    validatedAt: row.validated_at,
    expiresAt: row.expires_at,
    lastUseAt: row.last_use_at,
  };
}
