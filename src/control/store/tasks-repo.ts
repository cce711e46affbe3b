import { CompiledQuery, type Selectable, type Updateable } from 'kysely';
import type { TaskStatus } from '../../contract/task/task-status.ts';
import type { TasksTable } from './database-schema.ts';
import type { Store } from './open-store.ts';
import { preparedStatement } from './prepared-statements.ts';
import { createReadBatcher } from './read-batcher.ts';
import { perStore } from './per-store.ts';
import { firstRowReader, type FirstRowReader } from './first-row-reader.ts';
import { columnList, taskColumns } from './table-columns.ts';
import type { ControlTask, ControlTaskFunction, TaskProgress, TaskStep } from '../tasks/task-model.ts';
import type { TargetDisk } from '../fleet/server-model.ts';

export interface NewTask {
  serverId: number;
  accountId: number;
  function: ControlTaskFunction;
  comment: string;
  now: string;
  requestEnc: string | null;
  diskGroupId: number | null;
  targetDisk: TargetDisk | null;
  steps: TaskStep[];
}

/** Inserts a task in `init`. Throws the database's unique violation when the server already has an active task. */
export async function insertTask(store: Store, task: NewTask): Promise<ControlTask> {
  const row = await store.db
    .insertInto('tasks')
    .values({
      server_id: task.serverId,
      account_id: task.accountId,
      task_function: task.function,
      status: 'init',
      comment: task.comment,
      start_date: task.now,
      done_date: null,
      last_update: task.now,
      active: 1,
      request_enc: task.requestEnc,
      disk_group_id: task.diskGroupId,
      target_disk: task.targetDisk === null ? null : JSON.stringify(task.targetDisk),
      steps: JSON.stringify(task.steps),
      progress: null,
      result: null,
      error_code: null,
      error_message: null,
      lease_owner: null,
      lease_expires_at: null,
      attempts: 0,
      agent_token_hash: null,
      cancel_requested: 0,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTask(row);
}

export async function findTask(store: Store, id: number): Promise<ControlTask | undefined> {
  const row = await store.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toTask(row);
}

/**
 * What a writer saw when it read a task, for a compare-and-set: its status and its steps column's text exactly as
 * stored. Every step write rewrites that text, so an unchanged text means unchanged steps.
 */
export interface TaskVersion {
  status: TaskStatus;
  stepsText: string;
}

/** The task `id` with the version updateTaskAndSteps() compares against, both from one read. */
export async function findTaskVersion(store: Store, id: number): Promise<{ task: ControlTask; version: TaskVersion } | undefined> {
  const row = await store.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) return undefined;
  const task = toTask(row);
  return { task, version: { status: task.status, stepsText: row.steps } };
}

/** The task `id` of server `serverId`, or undefined (a task id of another server is not found, like OVH). */
export async function findServerTask(store: Store, serverId: number, id: number): Promise<ControlTask | undefined> {
  const row = await serverTaskReader(store)([id, serverId]);
  return row && toTask(row);
}

/**
 * Polled by every client waiting for an install: the SQL is compiled once per store (as findSignedCaller()'s),
 * parameters in the order of the where clauses.
 */
const serverTaskReader = perStore((store): FirstRowReader<Selectable<TasksTable>> =>
  firstRowReader(store, serverTaskQuery(store, 0, 0).compile().sql),
);

/**
 * The task `id` of the server `serviceName` when `accountId` owns that server, in one statement (the task GET,
 * polled by every client waiting for an install, would otherwise read the server, then the task).
 * `serverFound` is false when the account has no such server: the caller answers exactly as requireServer().
 * It reads only the reply's columns: not the sealed request, the steps or the progress a poll does not show.
 * On PostgreSQL the task GETs of the same event-loop turn share that statement (read-batcher.ts).
 */
export async function findOwnedServerTask(
  store: Store,
  accountId: number,
  serviceName: string,
  id: number,
): Promise<{ serverFound: boolean; task: TaskSummary | undefined }> {
  const key: OwnedServerTaskKey = { accountId, serviceName, taskId: id };
  const row = await ownedServerTaskReader(store)(key);
  if (row === undefined) return { serverFound: false, task: undefined };
  // A LEFT JOIN without a task leaves every t column null, its primary key included.
  return { serverFound: true, task: row.id === null ? undefined : toTaskSummary(row) };
}

/** What the OVH task reply shows of a task (toTaskReply()). */
export type TaskSummary = Pick<ControlTask, 'id' | 'function' | 'status' | 'comment' | 'startDate' | 'doneDate' | 'lastUpdate'>;

interface OwnedServerTaskKey {
  accountId: number;
  serviceName: string;
  taskId: number;
}

const taskSummaryColumns = ['id', 'task_function', 'status', 'comment', 'start_date', 'done_date', 'last_update'] as const satisfies readonly (typeof taskColumns)[number][];

type OwnedServerTaskRow = Pick<Selectable<TasksTable>, (typeof taskSummaryColumns)[number]> & { byoi_server_id: number };

const ownedServerTaskColumns = `s.id AS byoi_server_id, ${columnList('t', taskSummaryColumns)}`;

/** SQLite: one statement per request (in-process and synchronous, a batch would save nothing). */
const ownedServerTaskSqlite =
  `SELECT ${ownedServerTaskColumns} FROM servers s LEFT JOIN tasks t ON t.server_id = s.id AND t.id = ? ` +
  'WHERE s.service_name = ? AND s.account_id = ?';

/** PostgreSQL: the keys as three parallel arrays, each row naming the key it answers. */
const ownedServerTaskPostgres = preparedStatement(
  'SELECT k.account_id AS byoi_key_account_id, k.service_name AS byoi_key_service_name, k.task_id AS byoi_key_task_id, ' +
    `${ownedServerTaskColumns} FROM unnest($1::integer[], $2::text[], $3::integer[]) AS k(task_id, service_name, account_id) ` +
    'JOIN servers s ON s.service_name = k.service_name AND s.account_id = k.account_id ' +
    'LEFT JOIN tasks t ON t.server_id = s.id AND t.id = k.task_id',
);

type KeyedOwnedServerTaskRow = OwnedServerTaskRow & { byoi_key_account_id: number; byoi_key_service_name: string; byoi_key_task_id: number };

/** The owned-server-task read of the store's database: a batcher on PostgreSQL, one statement a call on SQLite. */
const ownedServerTaskReader = perStore((store): ((key: OwnedServerTaskKey) => Promise<OwnedServerTaskRow | undefined>) => {
  if (store.dialect === 'sqlite') {
    const readRow = firstRowReader<OwnedServerTaskRow>(store, ownedServerTaskSqlite);
    return (key) => readRow([key.taskId, key.serviceName, key.accountId]);
  }
  const loadRow = createReadBatcher<OwnedServerTaskKey, KeyedOwnedServerTaskRow>({
    // The service name last: the numbers before it hold no space, so two keys never share an id.
    idOfKey: (key) => `${key.accountId} ${key.taskId} ${key.serviceName}`,
    idOfRow: (row) => `${row.byoi_key_account_id} ${row.byoi_key_task_id} ${row.byoi_key_service_name}`,
    fetch: async (keys) => {
      const values = [keys.map((key) => key.taskId), keys.map((key) => key.serviceName), keys.map((key) => key.accountId)];
      return (await store.db.executeQuery<KeyedOwnedServerTaskRow>(CompiledQuery.raw(ownedServerTaskPostgres, values))).rows;
    },
  });
  // PostgreSQL text cannot hold NUL, so no server has such a name; sent in a batch it would fail its neighbours too.
  return async (key) => (key.serviceName.includes('\0') ? undefined : loadRow(key));
});

function serverTaskQuery(store: Store, id: number, serverId: number) {
  return store.db.selectFrom('tasks').select(taskColumns).where('id', '=', id).where('server_id', '=', serverId);
}

export async function findActiveTask(store: Store, serverId: number): Promise<ControlTask | undefined> {
  const row = await store.db.selectFrom('tasks').selectAll().where('server_id', '=', serverId).where('active', '=', 1).executeTakeFirst();
  return row && toTask(row);
}

export async function findLatestTask(store: Store, serverId: number, taskFunction: ControlTaskFunction): Promise<ControlTask | undefined> {
  const row = await store.db
    .selectFrom('tasks')
    .selectAll()
    .where('server_id', '=', serverId)
    .where('task_function', '=', taskFunction)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toTask(row);
}

export async function listTaskIds(
  store: Store,
  serverId: number,
  filter: { function?: string; status?: string },
): Promise<number[]> {
  let query = store.db.selectFrom('tasks').select('id').where('server_id', '=', serverId).orderBy('id');
  if (filter.function !== undefined) query = query.where('task_function', '=', filter.function);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return (await query.execute()).map((row) => row.id);
}

export async function listTasks(store: Store, filter: { status?: string; limit?: number } = {}): Promise<ControlTask[]> {
  let query = store.db.selectFrom('tasks').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 100);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return (await query.execute()).map(toTask);
}

/**
 * Column changes a task update may make; JSON columns are serialised here. Not the steps: a whole-array write
 * goes through updateTaskAndSteps(), single steps through task-steps-repo.ts.
 */
export interface TaskPatch {
  status?: TaskStatus;
  comment?: string;
  doneDate?: string | null;
  lastUpdate: string;
  active?: boolean;
  progress?: TaskProgress | null;
  result?: unknown;
  errorCode?: string | null;
  errorMessage?: string | null;
  leaseOwner?: string | null;
  leaseExpiresAt?: string | null;
  attempts?: number;
  agentTokenHash?: string | null;
  cancelRequested?: boolean;
}

/**
 * Updates task `id`; with `expectStatus`, only while the task is still in that status (the compare-and-set
 * that keeps two writers from both moving a task). Returns whether a row changed.
 */
export async function updateTask(store: Store, id: number, patch: TaskPatch, expectStatus?: TaskStatus): Promise<boolean> {
  let query = store.db.updateTable('tasks').set(patchColumns(patch)).where('id', '=', id);
  if (expectStatus !== undefined) query = query.where('status', '=', expectStatus);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Updates task `id` with `patch` and the whole `steps` array, only while its status and steps are still those of
 * `read` (findTaskVersion()): a step another writer changed since is never overwritten by a stale copy. Returns
 * whether a row changed; false means read again and recompute.
 */
export async function updateTaskAndSteps(store: Store, id: number, patch: TaskPatch, steps: TaskStep[], read: TaskVersion): Promise<boolean> {
  const result = await store.db
    .updateTable('tasks')
    .set({ ...patchColumns(patch), steps: JSON.stringify(steps) })
    .where('id', '=', id)
    .where('status', '=', read.status)
    .where('steps', '=', read.stepsText)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

function patchColumns(patch: TaskPatch): Updateable<TasksTable> {
  const set: Updateable<TasksTable> = { last_update: patch.lastUpdate };
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.comment !== undefined) set.comment = patch.comment;
  if (patch.doneDate !== undefined) set.done_date = patch.doneDate;
  if (patch.active !== undefined) set.active = patch.active ? 1 : 0;
  if (patch.progress !== undefined) set.progress = patch.progress === null ? null : JSON.stringify(patch.progress);
  if (patch.result !== undefined) set.result = patch.result === null ? null : JSON.stringify(patch.result);
  if (patch.errorCode !== undefined) set.error_code = patch.errorCode;
  if (patch.errorMessage !== undefined) set.error_message = patch.errorMessage;
  if (patch.leaseOwner !== undefined) set.lease_owner = patch.leaseOwner;
  if (patch.leaseExpiresAt !== undefined) set.lease_expires_at = patch.leaseExpiresAt;
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.agentTokenHash !== undefined) set.agent_token_hash = patch.agentTokenHash;
  if (patch.cancelRequested !== undefined) set.cancel_requested = patch.cancelRequested ? 1 : 0;
  return set;
}

/**
 * Claims the oldest task in `init` for `owner`: status todo, a lease until `leaseExpiresAt`, attempts + 1.
 * One statement, so two claimers never get the same task; on PostgreSQL, SKIP LOCKED lets concurrent
 * claimers pass each other. Undefined means "nothing claimable right now" (poll again later).
 */
export async function claimTask(
  store: Store,
  input: { owner: string; now: string; leaseExpiresAt: string; functions: readonly ControlTaskFunction[] },
): Promise<ControlTask | undefined> {
  const row = await store.db
    .updateTable('tasks')
    .set((eb) => ({
      status: 'todo',
      lease_owner: input.owner,
      lease_expires_at: input.leaseExpiresAt,
      last_update: input.now,
      attempts: eb('attempts', '+', 1),
    }))
    .where('status', '=', 'init')
    .where('id', '=', (eb) => {
      let next = eb
        .selectFrom('tasks')
        .select('id')
        .where('status', '=', 'init')
        .where('task_function', 'in', [...input.functions])
        .orderBy('id')
        .limit(1);
      if (store.dialect === 'postgres') next = next.forUpdate().skipLocked();
      return next;
    })
    .returningAll()
    .executeTakeFirst();
  return row && toTask(row);
}

/** Active tasks whose lease ended before `now`: their runner or agent went silent. */
export async function findExpiredLeases(store: Store, now: string): Promise<ControlTask[]> {
  const rows = await store.db
    .selectFrom('tasks')
    .selectAll()
    .where('active', '=', 1)
    .where('lease_expires_at', 'is not', null)
    .where('lease_expires_at', '<', now)
    .execute();
  return rows.map(toTask);
}

export async function readTaskRequestEnc(store: Store, id: number): Promise<string | null> {
  const row = await store.db.selectFrom('tasks').select('request_enc').where('id', '=', id).executeTakeFirst();
  return row?.request_enc ?? null;
}

export async function findTaskByAgentTokenHash(store: Store, hash: string): Promise<ControlTask | undefined> {
  const row = await store.db.selectFrom('tasks').selectAll().where('agent_token_hash', '=', hash).executeTakeFirst();
  return row && toTask(row);
}

/** The columns of taskSummaryColumns as a TaskSummary: the task GET's read, and the start of every toTask(). */
function toTaskSummary(row: Pick<Selectable<TasksTable>, (typeof taskSummaryColumns)[number]>): TaskSummary {
  return {
    id: row.id,
    function: row.task_function as ControlTaskFunction,
    status: row.status as TaskStatus,
    comment: row.comment,
    startDate: row.start_date,
    doneDate: row.done_date,
    lastUpdate: row.last_update,
  };
}

function toTask(row: Selectable<TasksTable>): ControlTask {
  return {
    ...toTaskSummary(row),
    serverId: row.server_id,
    accountId: row.account_id,
    diskGroupId: row.disk_group_id,
    targetDisk: row.target_disk === null ? null : (JSON.parse(row.target_disk) as TargetDisk),
    steps: JSON.parse(row.steps) as TaskStep[],
    progress: row.progress === null ? null : (JSON.parse(row.progress) as TaskProgress),
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    errorCode: row.error_code,
    errorMessage: row.error_message,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    attempts: row.attempts,
    cancelRequested: row.cancel_requested === 1,
  };
}
