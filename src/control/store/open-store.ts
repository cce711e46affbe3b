import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHmac, timingSafeEqual } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { createSecretBox, type SecretBox } from '../crypto/secret-box.ts';
import { deriveKey } from '../crypto/derive-key.ts';
import type { Database } from './database-schema.ts';
import { migrationProvider } from './migrations.ts';
import { PreparingClient } from './prepared-statements.ts';

export type SqlDialectName = 'sqlite' | 'postgres';

/** The database handle and the keys that go with it; one per process, shared by every plugin. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialectName;
  /** Encrypts the `_enc` columns. */
  readonly secrets: SecretBox;
  /** HMAC key for browser session tokens. */
  readonly sessionKey: Buffer;
  /** The database URL without its password, for logs. */
  readonly description: string;
  /**
   * For the boot lookup's hot read (boot/server-lookup.ts), which runs one fixed statement outside Kysely so it can
   * take its row as an array (no per-column property sets, about half of the read's CPU). SQLite file: a second
   * connection, read-only, to the same file; being its own connection, it sees committed rows only, like another
   * process would, and never the inside of a transaction open on Kysely's connection. PostgreSQL: Kysely's pool.
   * Undefined for `sqlite::memory:` (a second connection would open another, empty database).
   */
  readonly raw?: { readonly sqlite: SQLite.Database } | { readonly pg: pg.Pool };
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** `sqlite:PATH`, `sqlite::memory:` or `postgres://...`. */
  url: string;
  /** The 32-byte master key (load-secret-key.ts). */
  masterKey: Uint8Array;
}

/**
 * Opens the database named by `url`, brings its schema up to date with the in-code migrations and checks
 * that `masterKey` is the key the database was first used with (a wrong key would otherwise only show up
 * when a secret is read).
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const description = redactUrl(options.url);
  const { db, dialect, path, pool } = connect(options.url, description);
  let raw: Store['raw'] = pool === undefined ? undefined : { pg: pool };
  try {
    await migrate(db, dialect);
    await checkKey(db, options.masterKey);
    // After the migrations: the file is in WAL mode, so this reader never blocks the writer nor waits for it.
    if (path !== undefined && path !== ':memory:') raw = { sqlite: openSqliteReader(path) };
  } catch (error) {
    await db.destroy().catch(() => undefined);
    if (error instanceof ByoiError) throw error;
    throw new ByoiError('BYOI_STORE_UNAVAILABLE', { database: description, reason: (error as Error).message }, { cause: error });
  }
  return {
    db,
    dialect,
    secrets: createSecretBox(deriveKey(options.masterKey, 'encryption')),
    sessionKey: deriveKey(options.masterKey, 'session'),
    description,
    raw,
    close: async () => {
      if (raw !== undefined && 'sqlite' in raw) raw.sqlite.close();
      await db.destroy();
    },
  };
}

function openSqliteReader(path: string): SQLite.Database {
  const reader = new SQLite(path, { readonly: true, fileMustExist: true });
  reader.pragma('busy_timeout = 5000');
  return reader;
}

function connect(url: string, description: string): { db: Kysely<Database>; dialect: SqlDialectName; path?: string; pool?: pg.Pool } {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new ByoiError('BYOI_STORE_UNAVAILABLE', { database: description, reason: 'the sqlite: URL has no file path' });
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
      // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
      if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    }
    let database: SQLite.Database;
    try {
      database = new SQLite(path);
    } catch (error) {
      throw new ByoiError('BYOI_STORE_UNAVAILABLE', { database: description, reason: (error as Error).message }, { cause: error });
    }
    // WAL lets `byoi admin` read and write while `byoi serve` runs; busy_timeout waits out the other writer.
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
    return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }), dialect: 'sqlite', path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url, max: 10, Client: PreparingClient });
    // An idle client that loses its connection emits 'error' on the pool; without a listener it would crash the process.
    pool.on('error', () => undefined);
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres', pool };
  }
  throw new ByoiError('BYOI_STORE_UNAVAILABLE', { database: description, reason: 'the URL must start with sqlite: or postgres://' });
}

/**
 * Kysely's SQLite driver prepares every query again; preparing costs more than running these small queries, so
 * prepared statements are kept by SQL text. Safe because better-sqlite3 runs each statement to completion
 * synchronously (Kysely only streams with iterate(), which this control plane does not use).
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => void database.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (statement === undefined) {
        statement = database.prepare(text);
        if (statements.size >= 500) statements.clear();
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

async function migrate(db: Kysely<Database>, dialect: SqlDialectName): Promise<void> {
  // Kysely looks for its tables in every schema unless told which: with two byoi schemas in one PostgreSQL
  // database (search_path, as OPERATIONS.md allows; the tests do it), it would find the other's and never make its own.
  const schema =
    dialect === 'postgres' ? (await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    migrationTableName: 'byoi_migrations',
    migrationLockTableName: 'byoi_migrations_lock',
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

async function checkKey(db: Kysely<Database>, masterKey: Uint8Array): Promise<void> {
  const check = createHmac('sha256', deriveKey(masterKey, 'check')).update('byoi secret key check').digest('hex');
  const row = await db.selectFrom('meta').select('value').where('key', '=', 'secret_key_check').executeTakeFirst();
  if (row === undefined) {
    await db.insertInto('meta').values({ key: 'secret_key_check', value: check }).onConflict((oc) => oc.column('key').doNothing()).execute();
    return checkKey(db, masterKey);
  }
  if (row.value.length !== check.length || !timingSafeEqual(Buffer.from(row.value), Buffer.from(check))) {
    throw new ByoiError('BYOI_CONFIG_SECRET_KEY', {
      reason: 'this database was set up with another secret key; give the original key (BYOI_SECRET_KEY or DATA_DIR/secret.key)',
    });
  }
}

/** postgres://user:password@host/db → postgres://user:***@host/db */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}

/** True when `error` is a unique-constraint violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
