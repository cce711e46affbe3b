import type { Selectable } from 'kysely';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { AccountsTable } from './database-schema.ts';
import { isUniqueViolation, type Store } from './open-store.ts';
import { nowIso } from './now-iso.ts';

/** A tenant: it owns servers; operators also manage the fleet. */
export interface Account {
  id: number;
  name: string;
  operator: boolean;
  createdAt: string;
}

export async function createAccount(store: Store, input: { name: string; operator: boolean }): Promise<Account> {
  try {
    const row = await store.db
      .insertInto('accounts')
      .values({ name: input.name, operator: input.operator ? 1 : 0, created_at: nowIso() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAccount(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ByoiError('BYOI_ADMIN_CONFLICT', { what: 'Account', name: input.name });
    throw error;
  }
}

export async function findAccountByName(store: Store, name: string): Promise<Account | undefined> {
  const row = await store.db.selectFrom('accounts').selectAll().where('name', '=', name).executeTakeFirst();
  return row && toAccount(row);
}

export async function findAccountById(store: Store, id: number): Promise<Account | undefined> {
  const row = await store.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAccount(row);
}

/** Like findAccountByName(), but a missing account is an error that names it. */
export async function requireAccount(store: Store, name: string): Promise<Account> {
  const account = await findAccountByName(store, name);
  if (account === undefined) throw new ByoiError('BYOI_ADMIN_NOT_FOUND', { what: 'Account', name });
  return account;
}

export async function listAccounts(store: Store): Promise<Account[]> {
  const rows = await store.db.selectFrom('accounts').selectAll().orderBy('id').execute();
  return rows.map(toAccount);
}

function toAccount(row: Selectable<AccountsTable>): Account {
  return { id: row.id, name: row.name, operator: row.operator === 1, createdAt: row.created_at };
}
