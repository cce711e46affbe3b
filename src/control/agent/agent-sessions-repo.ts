import type { Selectable } from 'kysely';
import type { AgentSessionsTable } from '../store/database-schema.ts';
import type { Store } from '../store/open-store.ts';

/** One installer session: what the control plane keeps about one agent token it handed out. */
export interface AgentSession {
  tokenHash: string;
  taskId: number;
  createdAt: string;
  enrolledAt: string | null;
  /** The highest event batch number applied. */
  lastSeq: number;
  /** When this installer's result was recorded. */
  resultAt: string | null;
  instanceUuid: string | null;
  phoneHomeHash: string | null;
  phoneHomeAt: string | null;
}

export async function findSession(store: Store, tokenHash: string): Promise<AgentSession | undefined> {
  const row = await store.db.selectFrom('agent_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row && toSession(row);
}

/** The session of a token the core issued (tasks.issueAgentToken), made on its first use. */
export async function ensureSession(store: Store, tokenHash: string, taskId: number, now: string): Promise<AgentSession> {
  const existing = await findSession(store, tokenHash);
  if (existing !== undefined) return existing;
  await store.db
    .insertInto('agent_sessions')
    .values({ token_hash: tokenHash, task_id: taskId, created_at: now, last_seq: 0 })
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .execute();
  return (await findSession(store, tokenHash)) as AgentSession;
}

/** The agent fetched its job: the instance id and the hashed first-boot token written to its config drive. */
export async function recordEnrolment(store: Store, tokenHash: string, input: { now: string; instanceUuid: string; phoneHomeHash: string }): Promise<void> {
  await store.db
    .updateTable('agent_sessions')
    .set((eb) => ({
      enrolled_at: eb.fn.coalesce('enrolled_at', eb.val(input.now)),
      instance_uuid: input.instanceUuid,
      phone_home_hash: input.phoneHomeHash,
    }))
    .where('token_hash', '=', tokenHash)
    .execute();
}

/** Moves the applied batch number to `seq` if it is higher; false when another call got there first. */
export async function advanceSeq(store: Store, tokenHash: string, seq: number): Promise<boolean> {
  const result = await store.db
    .updateTable('agent_sessions')
    .set({ last_seq: seq })
    .where('token_hash', '=', tokenHash)
    .where('last_seq', '<', seq)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records that this installer's result arrived; false for a duplicate. */
export async function markResult(store: Store, tokenHash: string, now: string): Promise<boolean> {
  const result = await store.db
    .updateTable('agent_sessions')
    .set({ result_at: now })
    .where('token_hash', '=', tokenHash)
    .where('result_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function findSessionByPhoneHome(store: Store, phoneHomeHash: string): Promise<AgentSession | undefined> {
  const row = await store.db.selectFrom('agent_sessions').selectAll().where('phone_home_hash', '=', phoneHomeHash).executeTakeFirst();
  return row && toSession(row);
}

/** Uses up a first-boot token; false when it was used already. */
export async function markPhoneHome(store: Store, tokenHash: string, now: string): Promise<boolean> {
  const result = await store.db
    .updateTable('agent_sessions')
    .set({ phone_home_at: now })
    .where('token_hash', '=', tokenHash)
    .where('phone_home_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

function toSession(row: Selectable<AgentSessionsTable>): AgentSession {
  return {
    tokenHash: row.token_hash,
    taskId: row.task_id,
    createdAt: row.created_at,
    enrolledAt: row.enrolled_at,
    lastSeq: row.last_seq,
    resultAt: row.result_at,
    instanceUuid: row.instance_uuid,
    phoneHomeHash: row.phone_home_hash,
    phoneHomeAt: row.phone_home_at,
  };
}
