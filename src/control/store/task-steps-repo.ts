import { sql, type RawBuilder } from 'kysely';
import type { StepStatus } from '../../contract/task/step-status.ts';
import type { TaskStatus } from '../../contract/task/task-status.ts';
import type { Store } from './open-store.ts';

// A task's steps are one JSON array in tasks.steps. These writes change one element of it in a single UPDATE
// whose WHERE clause checks the step's current status, so the check and the write cannot be split by another
// writer (a read-then-write in JS could put back a status someone else just moved past).

/** Where a step is and when it may change: its place in the array (fixed when the task is created) and its id. */
export interface StepTarget {
  taskId: number;
  index: number;
  stepId: string;
  /** Only while the task is in one of these statuses. */
  taskStatuses: readonly TaskStatus[];
  /** Only while the step is in one of these statuses. */
  from: readonly StepStatus[];
}

/**
 * Moves one step to `status` (with `error` for an error, else null): it has started from now on unless it had
 * already, and `done`/`error` also stamp doneAt. Returns false when no row matched (the step was not in one of
 * `from`, or the task not in one of `taskStatuses`).
 */
export async function advanceTaskStep(store: Store, target: StepTarget, change: { status: StepStatus; error: string | null; now: string }): Promise<boolean> {
  const ended = change.status === 'done' || change.status === 'error';
  const fields: Array<[string, RawBuilder<unknown>]> = [
    ['status', sql`${change.status}`],
    ['error', sql`${change.error}`],
    ['startedAt', sql`coalesce(${stepField(store, target.index, 'startedAt')}, ${change.now})`],
  ];
  if (ended) fields.push(['doneAt', sql`${change.now}`]);
  return writeStep(store, target, fields, change.now);
}

/** Puts one step back to `todo` (no error, no times): a new attempt of the installer starts over. */
export async function resetTaskStep(store: Store, target: StepTarget, now: string): Promise<boolean> {
  const none = sql`${null}`;
  return writeStep(store, target, [['status', sql`${'todo'}`], ['error', none], ['startedAt', none], ['doneAt', none]], now);
}

async function writeStep(store: Store, target: StepTarget, fields: Array<[string, RawBuilder<unknown>]>, now: string): Promise<boolean> {
  const { index } = target;
  let steps: RawBuilder<string>;
  if (store.dialect === 'postgres') {
    // jsonb || object replaces the named keys of the element; jsonb_build_object turns SQL NULL into JSON null.
    const pairs = fields.flatMap(([key, value]) => [sql.lit(key), sql`${value}::text`]);
    steps = sql<string>`jsonb_set(steps::jsonb, ${`{${index}}`}::text[], (steps::jsonb -> ${index}::int) || jsonb_build_object(${sql.join(pairs)}))::text`;
  } else {
    const pairs = fields.flatMap(([key, value]) => [sql`${`$[${index}].${key}`}`, value]);
    steps = sql<string>`json_set(steps, ${sql.join(pairs)})`;
  }
  const result = await store.db
    .updateTable('tasks')
    .set({ steps, last_update: now })
    .where('id', '=', target.taskId)
    .where('status', 'in', [...target.taskStatuses])
    .where(sql<boolean>`${stepField(store, index, 'id')} = ${target.stepId}`)
    .where(sql<boolean>`${stepField(store, index, 'status')} in (${sql.join([...target.from])})`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** One field of step `index` as SQL text (NULL when absent or JSON null). */
function stepField(store: Store, index: number, key: string): RawBuilder<string | null> {
  if (store.dialect === 'postgres') return sql`(steps::jsonb -> ${index}::int ->> ${key}::text)`;
  return sql`json_extract(steps, ${`$[${index}].${key}`})`;
}
