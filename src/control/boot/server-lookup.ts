import { CompiledQuery, type Selectable } from 'kysely';
import type { Server } from '../fleet/server-model.ts';
import type { ServersTable } from '../store/database-schema.ts';
import type { Store } from '../store/open-store.ts';
import { toServer } from '../store/servers-repo.ts';
import { preparedStatement } from '../store/prepared-statements.ts';
import { createReadBatcher } from '../store/read-batcher.ts';
import { columnList, serverColumns } from '../store/table-columns.ts';
import type { ControlTask } from '../tasks/task-model.ts';

/** What the boot service needs of a server's running task to choose its script. */
export type BootTask = Pick<ControlTask, 'id' | 'function' | 'status' | 'steps' | 'result'>;

/** The boot service's view of a PXE client: its server and that server's running task, if any. */
export interface ServerLookup {
  byMac(mac: string): Promise<{ server: Server; activeTask: BootTask | undefined } | undefined>;
  /** Drops what is known about `mac` (after the boot service itself changed its task or token). */
  forget(mac: string): void;
}

/**
 * Reads the store on every call (server and task rows change under the boot service: API, runner, admin, and
 * other instances on PostgreSQL), in ONE statement: the server by MAC joined with its active task, if any
 * (the `tasks_one_active_per_server` index keeps that to one row). The SQL text is fixed, so SQLite reuses its
 * prepared statement (open-store.ts) and PostgreSQL keeps it prepared (prepared-statements.ts); a boot storm
 * costs one indexed read per script. On PostgreSQL the scripts asked for in the same event-loop turn share that
 * read (read-batcher.ts).
 */
export function createServerLookup(store: Store): ServerLookup {
  const readRow = store.dialect === 'postgres' ? batchedRowReader(store) : singleRowReader(store);
  return {
    async byMac(mac) {
      const row = await readRow(mac);
      return row === undefined ? undefined : toServerAndTask(row);
    },
    forget() {
      // nothing cached
    },
  };
}

const selectServerAndActiveTask =
  `SELECT ${columnList('s', serverColumns)}, t.id AS byoi_task_id, t.task_function AS byoi_task_function, ` +
  't.status AS byoi_task_status, t.steps AS byoi_task_steps, t.result AS byoi_task_result ' +
  'FROM servers s LEFT JOIN tasks t ON t.server_id = s.id AND t.active = 1';

/** SQLite: one statement per MAC (in-process and synchronous, a batch would save nothing). */
function singleRowReader(store: Store): (mac: string) => Promise<Row | undefined> {
  const text = preparedStatement(`${selectServerAndActiveTask} WHERE s.mac = ?`);
  return async (mac) => (await store.db.executeQuery<Row>(CompiledQuery.raw(text, [mac]))).rows[0];
}

/** PostgreSQL: the MACs asked for in the same event-loop turn, in one statement (read-batcher.ts). */
function batchedRowReader(store: Store): (mac: string) => Promise<Row | undefined> {
  const text = preparedStatement(`${selectServerAndActiveTask} WHERE s.mac = ANY($1)`);
  return createReadBatcher<string, Row>({
    idOfKey: (mac) => mac,
    idOfRow: (row) => row.mac,
    fetch: async (macs) => (await store.db.executeQuery<Row>(CompiledQuery.raw(text, [macs]))).rows,
  });
}

function toServerAndTask(row: Row): { server: Server; activeTask: BootTask | undefined } {
  const activeTask: BootTask | undefined =
    row.byoi_task_id === null
      ? undefined
      : {
          id: row.byoi_task_id,
          function: row.byoi_task_function as BootTask['function'],
          status: row.byoi_task_status as BootTask['status'],
          steps: JSON.parse(row.byoi_task_steps ?? '[]') as BootTask['steps'],
          result: row.byoi_task_result === null ? null : (JSON.parse(row.byoi_task_result) as unknown),
        };
  return { server: toServer(row), activeTask };
}

type Row = Selectable<ServersTable> & {
  byoi_task_id: number | null;
  byoi_task_function: string | null;
  byoi_task_status: string | null;
  byoi_task_steps: string | null;
  byoi_task_result: string | null;
};
