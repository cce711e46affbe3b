import type { Generated } from 'kysely';

/**
 * The tables of the control plane, as Kysely sees them. Portable subset shared by SQLite and PostgreSQL:
 * timestamps are ISO 8601 UTC text ("2026-11-25T10:00:00.000Z", which sorts as text), JSON is text,
 * booleans are integers 0/1, ids are integers. Secrets: columns ending in `_enc` hold SecretBox values,
 * columns ending in `_hash` hold hashToken() values. See migrations.ts for the DDL.
 */
export interface Database {
  meta: MetaTable;
  accounts: AccountsTable;
  applications: ApplicationsTable;
  credentials: CredentialsTable;
  servers: ServersTable;
  tasks: TasksTable;
  task_events: TaskEventsTable;
  replay_guard: ReplayGuardTable;
  agent_sessions: AgentSessionsTable;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface AccountsTable {
  id: Generated<number>;
  name: string;
  operator: number;
  created_at: string;
}

export interface ApplicationsTable {
  id: Generated<number>;
  account_id: number;
  application_key: string;
  secret_enc: string;
  name: string;
  description: string;
  created_at: string;
}

export interface CredentialsTable {
  id: Generated<number>;
  application_id: number;
  /** Null until an operator validates the credential for an account. */
  account_id: number | null;
  consumer_key_hash: string;
  /** The non-secret token of the validation URL (OVH's credentialToken). */
  validation_token: string;
  state: string;
  /** JSON: [{method, path}]. */
  access_rules: string;
  redirection: string | null;
  created_at: string;
  validated_at: string | null;
  expires_at: string | null;
  last_use_at: string | null;
}

export interface ServersTable {
  id: Generated<number>;
  service_name: string;
  account_id: number;
  display_name: string;
  /** Lower case, colon separated. */
  mac: string;
  boot_mode: string;
  memory_size_mb: number;
  power_driver: string;
  /** SecretBox value of the driver's JSON config (BMC address, user, password...). */
  power_config_enc: string | null;
  /** JSON: DiskGroup[] (fleet/server-model.ts). */
  disk_groups: string;
  efi_bootloader_path: string | null;
  boot_id: number;
  boot_script: string | null;
  os: string;
  state: string;
  datacenter: string;
  ip: string | null;
  created_at: string;
  updated_at: string;
}

export interface TasksTable {
  id: Generated<number>;
  server_id: number;
  account_id: number;
  task_function: string;
  status: string;
  comment: string;
  start_date: string;
  done_date: string | null;
  last_update: string;
  /** 1 while status is init, todo or doing; a partial unique index allows one active task per server. */
  active: number;
  /** SecretBox value of the normalised install request (it holds httpHeaders and user data). */
  request_enc: string | null;
  disk_group_id: number | null;
  /** JSON: the disk the image goes to ({diskGroupId, index, sizeBytes, path?, device?}). */
  target_disk: string | null;
  /** JSON: TaskStep[]. */
  steps: string;
  /** JSON: TaskProgress or null. */
  progress: string | null;
  /** JSON: the deploy result the agent reported, or null. */
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  attempts: number;
  agent_token_hash: string | null;
  cancel_requested: number;
}

export interface TaskEventsTable {
  id: Generated<number>;
  task_id: number;
  at: string;
  type: string;
  /** JSON, never a secret. */
  data: string;
  /** For an event an agent batch stored: which one (installer, batch, item), unique per task. */
  agent_key: string | null;
}

export interface ReplayGuardTable {
  /** SHA-256 of the X-Ovh-Signature of a non-GET call. */
  signature_hash: string;
  expires_at: string;
}

/** One installer session: an agent token handed out for a task (src/control/agent/agent-sessions-repo.ts). */
export interface AgentSessionsTable {
  /** hashToken() of the agent token. */
  token_hash: string;
  task_id: number;
  created_at: string;
  /** When the agent first fetched its job. */
  enrolled_at: string | null;
  /** The highest event batch number applied (0: none yet). */
  last_seq: number;
  /** When this installer's result was recorded; its token is useless from then on. */
  result_at: string | null;
  /** The instance-id written to the config drive (cloud-init reports it back at first boot). */
  instance_uuid: string | null;
  /** hashToken() of the first-boot (phone home) token of this installer's config drive. */
  phone_home_hash: string | null;
  phone_home_at: string | null;
}
