import type { Store } from '../store/open-store.ts';
import { findTask } from '../store/tasks-repo.ts';
import type { ControlTask } from '../tasks/task-model.ts';

// Task queries the agent runner needs beyond the core's TaskService (src/control/tasks/task-service.ts): each
// is one statement with its condition in the WHERE clause, so two control-plane instances cannot both win.

/**
 * Keeps a successful deploy result on a running task and makes `owner` its lease holder (the runner that will
 * switch boot and reboot). False when the task is no longer `doing` or already has a result.
 */
export async function storeAgentResult(
  store: Store,
  input: { taskId: number; result: unknown; owner: string; leaseExpiresAt: string; now: string },
): Promise<boolean> {
  const updated = await store.db
    .updateTable('tasks')
    .set({ result: JSON.stringify(input.result), lease_owner: input.owner, lease_expires_at: input.leaseExpiresAt, last_update: input.now })
    .where('id', '=', input.taskId)
    .where('status', '=', 'doing')
    .where('result', 'is', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/**
 * Gives every running task at least until `until` before its lease runs out: after a restart, installers that
 * could not reach the control plane while it was down get one lease to come back. Returns how many changed.
 */
export async function extendActiveLeases(store: Store, until: string): Promise<number> {
  const updated = await store.db
    .updateTable('tasks')
    .set({ lease_expires_at: until })
    .where('active', '=', 1)
    .where('lease_expires_at', 'is not', null)
    .where('lease_expires_at', '<', until)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows);
}

/** The running tasks whose lease `owner` holds: what a restarted runner resumes. */
export async function listOwnedActiveTasks(store: Store, owner: string): Promise<ControlTask[]> {
  const rows = await store.db.selectFrom('tasks').select('id').where('active', '=', 1).where('lease_owner', '=', owner).orderBy('id').execute();
  const tasks: ControlTask[] = [];
  for (const row of rows) {
    const task = await findTask(store, row.id);
    if (task !== undefined) tasks.push(task);
  }
  return tasks;
}
