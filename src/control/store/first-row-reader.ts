import { CompiledQuery } from 'kysely';
import type { Store } from './open-store.ts';
import { preparedStatement } from './prepared-statements.ts';

/** Reads the first row of one fixed statement for the given parameters (undefined when there is none). */
export type FirstRowReader<Row> = (parameters: readonly unknown[]) => Promise<Row | undefined>;

/**
 * The first row of a fixed statement (its text compiled for the store's database), for the per-request reads of
 * signed calls. On a SQLite file it runs on the store's read-only second connection (open-store.ts `raw`),
 * straight through better-sqlite3: about half the CPU of the same read through Kysely's driver (its connection
 * lock, its async steps, all() for one row); being its own connection, it sees committed rows only, as the boot
 * lookup does. Elsewhere (PostgreSQL, `sqlite::memory:`) it goes through Kysely, on PostgreSQL as a named
 * prepared statement (prepared-statements.ts). The rows are the same objects either way.
 */
export function firstRowReader<Row>(store: Store, text: string): FirstRowReader<Row> {
  const raw = store.raw;
  if (raw !== undefined && 'sqlite' in raw) {
    const statement = raw.sqlite.prepare(text);
    return async (parameters) => statement.get(...parameters) as Row | undefined;
  }
  const prepared = preparedStatement(text);
  return async (parameters) => (await store.db.executeQuery<Row>(CompiledQuery.raw(prepared, [...parameters]))).rows[0];
}
