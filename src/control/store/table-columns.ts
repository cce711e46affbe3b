import type { CredentialsTable, ServersTable, TasksTable } from './database-schema.ts';

// Every column of the tables that per-request statements read whole. Those statements are kept prepared on
// PostgreSQL (prepared-statements.ts), where `SELECT *` would fail with "cached plan must not change result
// type" as soon as a migration adds a column while an older instance holds the statement (a rolling upgrade).
// test/unit/control/store/table-columns.test.ts checks these lists against the migrated tables.

export const credentialColumns = [
  'id', 'application_id', 'account_id', 'consumer_key_hash', 'validation_token', 'state', 'access_rules', 'redirection',
  'created_at', 'validated_at', 'expires_at', 'last_use_at',
] as const satisfies readonly (keyof CredentialsTable)[];

export const serverColumns = [
  'id', 'service_name', 'account_id', 'display_name', 'mac', 'boot_mode', 'memory_size_mb', 'power_driver', 'power_config_enc',
  'disk_groups', 'efi_bootloader_path', 'boot_id', 'boot_script', 'os', 'state', 'datacenter', 'ip', 'created_at', 'updated_at',
] as const satisfies readonly (keyof ServersTable)[];

export const taskColumns = [
  'id', 'server_id', 'account_id', 'task_function', 'status', 'comment', 'start_date', 'done_date', 'last_update', 'active',
  'request_enc', 'disk_group_id', 'target_disk', 'steps', 'progress', 'result', 'error_code', 'error_message', 'lease_owner',
  'lease_expires_at', 'attempts', 'agent_token_hash', 'cancel_requested',
] as const satisfies readonly (keyof TasksTable)[];

/** `alias.a, alias.b, ...`: a column list for hand-written SQL. */
export function columnList(alias: string, columns: readonly string[]): string {
  return columns.map((column) => `${alias}.${column}`).join(', ');
}
