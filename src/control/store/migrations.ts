import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { SqlDialectName } from './open-store.ts';

/**
 * In-code migrations (static imports, so a bundle carries them). Never edit a released migration: add one.
 * Each runs on SQLite and PostgreSQL; `dialect` picks the id column type, the only difference.
 */
export function migrationProvider(dialect: SqlDialectName): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return { '0001-control-plane': initial(dialect), '0002-agent-sessions': agentSessions(), '0003-agent-event-keys': agentEventKeys() };
    },
  };
}

function initial(dialect: SqlDialectName): Migration {
  // Untyped on purpose: a migration describes the schema as it was, not Database as it is now.
  const id = (db: Kysely<any>, table: string) =>
    dialect === 'postgres'
      ? db.schema.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : db.schema.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await id(db, 'accounts')
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('operator', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await id(db, 'applications')
        .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
        .addColumn('application_key', 'text', (c) => c.notNull().unique())
        .addColumn('secret_enc', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await id(db, 'credentials')
        .addColumn('application_id', 'integer', (c) => c.notNull().references('applications.id'))
        .addColumn('account_id', 'integer', (c) => c.references('accounts.id'))
        .addColumn('consumer_key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('validation_token', 'text', (c) => c.notNull().unique())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('access_rules', 'text', (c) => c.notNull())
        .addColumn('redirection', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('validated_at', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('last_use_at', 'text')
        .execute();

      await id(db, 'servers')
        .addColumn('service_name', 'text', (c) => c.notNull().unique())
        .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('mac', 'text', (c) => c.notNull().unique())
        .addColumn('boot_mode', 'text', (c) => c.notNull())
        .addColumn('memory_size_mb', 'integer', (c) => c.notNull())
        .addColumn('power_driver', 'text', (c) => c.notNull())
        .addColumn('power_config_enc', 'text')
        .addColumn('disk_groups', 'text', (c) => c.notNull())
        .addColumn('efi_bootloader_path', 'text')
        .addColumn('boot_id', 'integer', (c) => c.notNull())
        .addColumn('boot_script', 'text')
        .addColumn('os', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('datacenter', 'text', (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('servers_account').on('servers').columns(['account_id', 'service_name']).execute();

      await id(db, 'tasks')
        .addColumn('server_id', 'integer', (c) => c.notNull().references('servers.id').onDelete('cascade'))
        .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
        .addColumn('task_function', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('start_date', 'text', (c) => c.notNull())
        .addColumn('done_date', 'text')
        .addColumn('last_update', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('request_enc', 'text')
        .addColumn('disk_group_id', 'integer')
        .addColumn('target_disk', 'text')
        .addColumn('steps', 'text', (c) => c.notNull())
        .addColumn('progress', 'text')
        .addColumn('result', 'text')
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('agent_token_hash', 'text', (c) => c.unique())
        .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('tasks_server').on('tasks').columns(['server_id', 'id']).execute();
      await db.schema.createIndex('tasks_status').on('tasks').columns(['status', 'id']).execute();
      // At most one running task per server, enforced by the database so two API instances cannot race.
      await db.schema
        .createIndex('tasks_one_active_per_server')
        .on('tasks')
        .column('server_id')
        .unique()
        .where(sql.ref('active'), '=', sql.lit(1))
        .execute();

      await id(db, 'task_events')
        .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('task_events_task').on('task_events').columns(['task_id', 'id']).execute();

      await db.schema
        .createTable('replay_guard')
        .addColumn('signature_hash', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('replay_guard_expiry').on('replay_guard').column('expires_at').execute();
    },
  };
}

/**
 * The agent protocol's per-installer state (src/control/agent/): one row per agent token handed out. The token
 * itself stays in tasks.agent_token_hash (the current one); this row outlives it so that a duplicate or late
 * result is recognised, holds the last applied event batch number, and the hashed first-boot token.
 */
function agentSessions(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('agent_sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('enrolled_at', 'text')
        .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('result_at', 'text')
        .addColumn('instance_uuid', 'text')
        .addColumn('phone_home_hash', 'text', (c) => c.unique())
        .addColumn('phone_home_at', 'text')
        .execute();
      await db.schema.createIndex('agent_sessions_task').on('agent_sessions').column('task_id').execute();
    },
  };
}

/**
 * The key of an event an agent batch stored (agent/apply-agent-batch.ts): unique per task, so a batch applied by
 * two processes at once (a retry racing its original) stores each event once. Other events have none; NULLs
 * never conflict, on either database.
 */
function agentEventKeys(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('task_events').addColumn('agent_key', 'text').execute();
      await db.schema.createIndex('task_events_agent_key').on('task_events').columns(['task_id', 'agent_key']).unique().execute();
    },
  };
}
