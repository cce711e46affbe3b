import { CompiledQuery } from 'kysely';
import type { Server } from '../fleet/server-model.ts';
import type { Store } from '../store/open-store.ts';
import { preparedStatement, preparedStatementName } from '../store/prepared-statements.ts';
import { createReadBatcher } from '../store/read-batcher.ts';
import type { ControlTask } from '../tasks/task-model.ts';

/** What the boot service needs of a server's running task to choose its script. */
export type BootTask = Pick<ControlTask, 'id' | 'function' | 'status' | 'steps' | 'result'>;

/** What the boot service needs of a server: the columns of its decision, its source policy and its messages. */
export type BootServer = Pick<Server, 'id' | 'serviceName' | 'mac' | 'bootMode' | 'efiBootloaderPath' | 'bootId' | 'bootScript' | 'ip'>;

/** The boot service's view of a PXE client: its server and that server's running task, if any. */
export interface ServerLookup {
  byMac(mac: string): Promise<{ server: BootServer; activeTask: BootTask | undefined } | undefined>;
  /** Drops what is known about `mac` (after the boot service itself changed its task or token). */
  forget(mac: string): void;
}

/**
 * Reads the store on every call (server and task rows change under the boot service: API, runner, admin, and
 * other instances on PostgreSQL), in ONE statement: the server by MAC joined with its active task, if any
 * (the `tasks_one_active_per_server` index keeps that to one row). The SQL text is fixed, so it is prepared
 * once; a boot storm costs one indexed read per script. Nothing is cached.
 *
 * The read is the boot script's largest cost, so it is kept lean: only the columns the boot service uses
 * (not the sealed power configuration, disk groups or dates), and the row comes as an array instead of an object
 * (the drivers set no property per column), through the store's raw handles (open-store.ts `raw`):
 *   - SQLite: better-sqlite3's statement on the store's read-only second connection, synchronous. Being its own
 *     connection, it sees what is committed, as before (Kysely's single connection would otherwise let it see
 *     inside a transaction another request has open across an await).
 *   - PostgreSQL: the pool, as a named prepared statement with `rowMode: 'array'`; the MACs asked for in the same
 *     event-loop turn share one statement (read-batcher.ts).
 *   - `sqlite::memory:` (no second connection possible): through Kysely, the same SQL and columns.
 */
export function createServerLookup(store: Store): ServerLookup {
  const readRow = rowReader(store);
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

/** The row's columns, in this order (aliased: the Kysely path keys them by name). */
const selectServerAndActiveTask =
  'SELECT s.id AS s_id, s.service_name AS s_service_name, s.mac AS s_mac, s.boot_mode AS s_boot_mode, ' +
  's.efi_bootloader_path AS s_efi_bootloader_path, s.boot_id AS s_boot_id, s.boot_script AS s_boot_script, s.ip AS s_ip, ' +
  't.id AS t_id, t.task_function AS t_task_function, t.status AS t_status, t.steps AS t_steps, t.result AS t_result ' +
  'FROM servers s LEFT JOIN tasks t ON t.server_id = s.id AND t.active = 1';

type Row = [
  id: number,
  serviceName: string,
  mac: string,
  bootMode: string,
  efiBootloaderPath: string | null,
  bootId: number,
  bootScript: string | null,
  ip: string | null,
  taskId: number | null,
  taskFunction: string | null,
  taskStatus: string | null,
  taskSteps: string | null,
  taskResult: string | null,
];
const macColumn = 2;

function rowReader(store: Store): (mac: string) => Promise<Row | undefined> {
  const raw = store.raw;
  if (raw !== undefined && 'pg' in raw) {
    // One statement per event-loop turn for the MACs asked in it (read-batcher.ts).
    const text = `${selectServerAndActiveTask} WHERE s.mac = ANY($1)`;
    const query = { name: preparedStatementName(text), text, rowMode: 'array' as const };
    return createReadBatcher<string, Row>({
      idOfKey: (mac) => mac,
      idOfRow: (row) => row[macColumn],
      fetch: async (macs) => (await raw.pg.query<Row>({ ...query, values: [macs] })).rows,
    });
  }
  if (raw !== undefined && 'sqlite' in raw) {
    // In-process and synchronous: one statement per MAC (a batch would save nothing).
    const statement = raw.sqlite.prepare(`${selectServerAndActiveTask} WHERE s.mac = ?`).raw(true);
    return async (mac) => statement.get(mac) as Row | undefined;
  }
  const text = preparedStatement(`${selectServerAndActiveTask} WHERE s.mac = ${store.dialect === 'postgres' ? '$1' : '?'}`);
  return async (mac) => {
    const row = (await store.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, [mac]))).rows[0];
    return row === undefined ? undefined : (Object.values(row) as Row);
  };
}

function toServerAndTask(row: Row): { server: BootServer; activeTask: BootTask | undefined } {
  const [id, serviceName, mac, bootMode, efiBootloaderPath, bootId, bootScript, ip, taskId, taskFunction, taskStatus, taskSteps, taskResult] = row;
  const activeTask: BootTask | undefined =
    taskId === null
      ? undefined
      : {
          id: taskId,
          function: taskFunction as BootTask['function'],
          status: taskStatus as BootTask['status'],
          steps: JSON.parse(taskSteps ?? '[]') as BootTask['steps'],
          result: taskResult === null ? null : (JSON.parse(taskResult) as unknown),
        };
  return { server: { id, serviceName, mac, bootMode: bootMode as BootServer['bootMode'], efiBootloaderPath, bootId, bootScript, ip }, activeTask };
}
