import type { Store } from './open-store.ts';
import type { TaskEvent, TaskEventType } from '../tasks/task-model.ts';

/** Stores one task event and returns it with its id (the SSE `id:`, increasing across all tasks). */
export async function appendTaskEvent(store: Store, event: NewTaskEvent): Promise<TaskEvent> {
  const row = await store.db.insertInto('task_events').values(toRow(event)).returning('id').executeTakeFirstOrThrow();
  return { id: row.id, ...event };
}

/**
 * Stores an event an agent batch brought unless the task has the one of `agentKey` already, in one statement: of
 * two processes applying the same batch at once, one stores it. Undefined for the duplicate.
 */
export async function appendAgentTaskEvent(store: Store, event: NewTaskEvent, agentKey: string): Promise<TaskEvent | undefined> {
  const row = await store.db
    .insertInto('task_events')
    .values({ ...toRow(event), agent_key: agentKey })
    .onConflict((oc) => oc.columns(['task_id', 'agent_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row && { id: row.id, ...event };
}

type NewTaskEvent = Omit<TaskEvent, 'id'>;

function toRow(event: NewTaskEvent) {
  return { task_id: event.taskId, at: event.at, type: event.type, data: JSON.stringify(event.data) };
}

/** Events of a task after `afterId` (0 for all), oldest first: what a reconnecting SSE client missed. */
export async function listTaskEvents(store: Store, taskId: number, afterId: number, limit = 1000): Promise<TaskEvent[]> {
  const rows = await store.db
    .selectFrom('task_events')
    .selectAll()
    .where('task_id', '=', taskId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    taskId: row.task_id,
    at: row.at,
    type: row.type as TaskEventType,
    data: JSON.parse(row.data) as Record<string, unknown>,
  }));
}
