import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The environment variable that points the PostgreSQL leg at a database the tests may create schemas in. */
export const postgresUrlVariable = 'BYOI_TEST_POSTGRES_URL';

export interface DatabaseLeg {
  name: 'sqlite' | 'postgres';
  /** Why this leg is skipped here, or undefined when it runs. */
  skip: string | undefined;
  /** A fresh, empty database for one fixture, and how to drop it. */
  create(dir: string): Promise<{ url: string; drop: () => Promise<void> }>;
}

/**
 * The two databases every integration suite runs on. PostgreSQL needs BYOI_TEST_POSTGRES_URL (for example
 * postgres://byoi:byoi@127.0.0.1:5432/byoi_test); each fixture gets its own schema, dropped afterwards.
 * Without the variable the leg is skipped with the reason, except under CI=true, where that is a failure.
 */
/** SQLite in a file of the fixture's directory: for unit tests, which need no PostgreSQL. */
export const sqliteLeg: DatabaseLeg = {
  name: 'sqlite',
  skip: undefined,
  async create(dir) {
    return { url: `sqlite:${dir}/byoi.db`, drop: async () => undefined };
  },
};

export function databaseLegs(): DatabaseLeg[] {
  const pgUrl = process.env[postgresUrlVariable];
  let pgSkip: string | undefined;
  if (pgUrl === undefined || pgUrl === '') {
    if (process.env.CI === 'true') throw new Error(`CI must run the PostgreSQL leg: set ${postgresUrlVariable} (see .ci/run)`);
    pgSkip = `${postgresUrlVariable} is not set (e.g. postgres://byoi:byoi@127.0.0.1:5432/byoi_test)`;
  }
  return [
    sqliteLeg,
    {
      name: 'postgres',
      skip: pgSkip,
      async create() {
        const schema = `byoi_test_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: pgUrl });
        await admin.connect();
        await admin.query(`CREATE SCHEMA ${schema}`);
        await admin.end();
        const url = new URL(pgUrl as string);
        url.searchParams.set('options', `-c search_path=${schema}`);
        return {
          url: url.toString(),
          drop: async () => {
            const client = new pg.Client({ connectionString: pgUrl });
            await client.connect();
            await client.query(`DROP SCHEMA ${schema} CASCADE`);
            await client.end();
          },
        };
      },
    },
  ];
}
