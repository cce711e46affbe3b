import { createHash } from 'node:crypto';
import pg from 'pg';

const names = new Map<string, string>();

/**
 * Marks an SQL text as one PostgreSQL should keep prepared (parsed and planned once per connection) and returns
 * it. For the per-request reads with a fixed text (boot lookup, signed caller, server and task reads): parsing
 * and planning them again on every call cost the database more than running them. Only marked texts are
 * prepared, so the statements a connection keeps stay few (Kysely's other queries vary in text). SQLite keeps
 * every statement prepared already (open-store.ts).
 */
export function preparedStatement(text: string): string {
  if (!names.has(text)) names.set(text, `byoi_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`);
  return text;
}

/** The name PostgreSQL keeps a marked text under, for callers that query the pool with a config object. */
export function preparedStatementName(text: string): string {
  preparedStatement(text);
  return names.get(text) as string;
}

/**
 * The pg client of byoi's pool: a query whose text was marked by preparedStatement() runs as a named prepared
 * statement (pg prepares it on the connection's first use and then only binds and executes it); any other
 * query is passed on unchanged.
 */
export class PreparingClient extends pg.Client {
  // pg declares query() as a set of overloads; this forwards every form unchanged but one, and returns what
  // the caller's overload returns.
  override query(config: unknown, values?: unknown, callback?: unknown): any {
    if (typeof config === 'string' && Array.isArray(values)) {
      const name = names.get(config);
      // @ts-expect-error the overloads again: (QueryConfig, callback?) is one of them.
      if (name !== undefined) return super.query({ name, text: config, values }, callback);
    }
    // @ts-expect-error the overloads again: the arguments are the caller's, as received.
    return super.query(config, values, callback);
  }
}
