import type { Selectable } from 'kysely';
import type { ApplicationsTable } from './database-schema.ts';
import type { Store } from './open-store.ts';
import { nowIso } from './now-iso.ts';
import { randomToken } from '../crypto/random-token.ts';
import { perStore } from './per-store.ts';

/** An API application (OVH's application key and secret); its secret is only readable through openSecret(). */
export interface Application {
  id: number;
  accountId: number;
  applicationKey: string;
  name: string;
  description: string;
  createdAt: string;
}

const purpose = 'applications.secret';

/** Creates an application; the clear secret is returned here once and never again. */
export async function createApplication(
  store: Store,
  input: { accountId: number; name: string; description: string },
): Promise<{ application: Application; applicationSecret: string }> {
  const applicationSecret = randomToken(32);
  const row = await store.db
    .insertInto('applications')
    .values({
      account_id: input.accountId,
      application_key: randomToken(16),
      secret_enc: store.secrets.seal(applicationSecret, purpose),
      name: input.name,
      description: input.description,
      created_at: nowIso(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { application: toApplication(row), applicationSecret };
}

/** The application of a key with its decrypted secret, for signature checks. */
export async function findApplicationByKey(
  store: Store,
  applicationKey: string,
): Promise<{ application: Application; secret: string } | undefined> {
  const row = await store.db.selectFrom('applications').selectAll().where('application_key', '=', applicationKey).executeTakeFirst();
  if (row === undefined) return undefined;
  return { application: toApplication(row), secret: openApplicationSecret(store, row.secret_enc) };
}

const openedSecrets = perStore(() => new Map<string, string>());

/**
 * Decrypts an application secret, remembering it per sealed value: every signed request needs it and an
 * application's secret never changes (a new secret is a new application), so the cache cannot go stale.
 */
export function openApplicationSecret(store: Store, sealed: string): string {
  const cache = openedSecrets(store);
  let secret = cache.get(sealed);
  if (secret === undefined) {
    secret = store.secrets.open(sealed, purpose);
    if (cache.size >= 1000) cache.clear();
    cache.set(sealed, secret);
  }
  return secret;
}

export async function findApplicationById(store: Store, id: number): Promise<Application | undefined> {
  const row = await store.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toApplication(row);
}

export async function listApplications(store: Store, accountId?: number): Promise<Application[]> {
  let query = store.db.selectFrom('applications').selectAll().orderBy('id');
  if (accountId !== undefined) query = query.where('account_id', '=', accountId);
  return (await query.execute()).map(toApplication);
}

export function toApplication(row: Selectable<ApplicationsTable>): Application {
  return {
    id: row.id,
    accountId: row.account_id,
    applicationKey: row.application_key,
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
  };
}
