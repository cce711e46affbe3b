// A batch the agent sends again (its reply timed out) can reach another process (`serve --workers`, instances on
// one PostgreSQL) while the first still applies it: both pass the replay check. Each event must still be stored
// once. The two processes are two stores on the same database, each with its own task service.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { AgentEventsBatch } from '../../../src/contract/agent/agent-protocol.ts';
import { findSession, ensureSession } from '../../../src/control/agent/agent-sessions-repo.ts';
import { applyAgentBatch } from '../../../src/control/agent/apply-agent-batch.ts';
import { hashToken } from '../../../src/control/crypto/hash-token.ts';
import { nowIso } from '../../../src/control/store/now-iso.ts';
import { openStore, type Store } from '../../../src/control/store/open-store.ts';
import { migrationProvider } from '../../../src/control/store/migrations.ts';
import { listTaskEvents } from '../../../src/control/store/task-events-repo.ts';
import { createTaskBus } from '../../../src/control/tasks/task-bus.ts';
import type { ControlTask } from '../../../src/control/tasks/task-model.ts';
import { createTaskService, type TaskService } from '../../../src/control/tasks/task-service.ts';
import { databaseLegs, type DatabaseLeg } from '../control/helpers/database-legs.ts';
import { startControl, type ControlFixture, type Tenant } from '../control/helpers/control-fixture.ts';
import { racingStore, type RacingStore } from '../control/helpers/racing-store.ts';
import { seedReinstallPayload } from '../control/helpers/seed-payload.ts';

/** One batch of each kind of event a batch stores: step changes, a progress, a download notice and a warning. */
function batchOf(seq: number): AgentEventsBatch {
  const events: Array<{ type: string; [field: string]: unknown }> = [
    { type: 'phase.start', phase: seq === 1 ? 'preflight' : 'write' },
    { type: 'write.progress', bytesDownloaded: seq * 1000, bytesWritten: seq * 900, bytesTotal: 100_000, rate: 10, etaSeconds: 9 },
    { type: 'download.notice', message: `batch ${seq}: the server dropped the connection, resuming` },
    { type: 'warning', warning: { message: `batch ${seq}: slow disk` } },
  ];
  return { seq, events };
}

/** The leg's databases as a byoi from before the event keys left them (migrated up to 0002): an upgrade. */
function madeBeforeEventKeys(leg: DatabaseLeg): DatabaseLeg {
  return {
    ...leg,
    async create(dir) {
      const database = await leg.create(dir);
      const db = new Kysely<any>({
        dialect:
          leg.name === 'sqlite'
            ? new SqliteDialect({ database: new SQLite(database.url.slice('sqlite:'.length)) })
            : new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }),
      });
      try {
        const schema = leg.name === 'postgres' ? (await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db)).rows[0]?.schema : undefined;
        const migrator = new Migrator({
          db,
          provider: migrationProvider(leg.name),
          migrationTableName: 'byoi_migrations',
          migrationLockTableName: 'byoi_migrations_lock',
          ...(schema === undefined ? {} : { migrationTableSchema: schema }),
        });
        const { error } = await migrator.migrateTo('0002-agent-sessions');
        if (error !== undefined) throw error;
      } finally {
        await db.destroy();
      }
      return database;
    },
  };
}

const cases = databaseLegs().flatMap((leg) => [
  { leg, name: leg.name },
  { leg: madeBeforeEventKeys(leg), name: `${leg.name}, upgraded` },
]);

for (const { leg, name } of cases) {
  describe(`an event batch applied by two processes at once is stored once (${name})`, { skip: leg.skip }, () => {
    const masterKey = randomBytes(32);
    let control: ControlFixture;
    let alice: Tenant;
    let racing: RacingStore;
    /** The first process: its reads can be followed by the second one's whole application of the batch. */
    let first: { store: Store; tasks: TaskService };
    /** The second process: another connection to the same database. */
    let otherStore: Store;
    let second: { store: Store; tasks: TaskService };

    before(async () => {
      control = await startControl(leg, { masterKey });
      alice = await control.tenant('alice');
      racing = racingStore(control.store);
      first = { store: racing.store, tasks: createTaskService({ store: racing.store, bus: createTaskBus(), leaseSeconds: 60 }) };
      otherStore = await openStore({ url: control.databaseUrl, masterKey });
      second = { store: otherStore, tasks: createTaskService({ store: otherStore, bus: createTaskBus(), leaseSeconds: 60 }) };
    });
    after(async () => {
      await otherStore?.close();
      await control?.close();
    });

    /** A running install and the installer session of its agent token. */
    async function runningInstall(): Promise<{ tokenHash: string; task: ControlTask }> {
      const server = await control.server('alice');
      const reply = await control.call(alice.keys, 'POST', `/1.0/dedicated/server/${server.serviceName}/reinstall`, { body: seedReinstallPayload() });
      assert.equal(reply.status, 200, reply.text);
      const taskId = (reply.body as { taskId: number }).taskId;
      assert.equal((await first.tasks.claimNext('runner'))?.id, taskId);
      await first.tasks.transition(taskId, 'doing');
      const tokenHash = hashToken(await first.tasks.issueAgentToken(taskId));
      await ensureSession(control.store, tokenHash, taskId, nowIso());
      return { tokenHash, task: (await first.tasks.get(taskId)) as ControlTask };
    }

    /** The task's events as `type step/status|message|bytesWritten`, in the order stored. */
    async function storedEvents(taskId: number): Promise<string[]> {
      const events = await listTaskEvents(control.store, taskId, 0);
      return events
        .filter((event) => event.type !== 'task.status')
        .map((event) => `${event.type} ${String(event.data.step ?? event.data.message ?? event.data.bytesWritten)}${event.data.status ? `/${String(event.data.status)}` : ''}`);
    }

    function assertEachOnce(events: string[]): void {
      assert.deepEqual(events.filter((event, index) => events.indexOf(event) !== index), [], `stored twice, in ${events.join(', ')}`);
    }

    test('the retry applied between the original read of the sequence and its writes: every event once, the replies unchanged', async () => {
      const installer = await runningInstall();
      let retried: unknown;
      racing.afterRead(1, async () => {
        retried = await applyAgentBatch(second, installer, batchOf(1));
      });
      const original = await applyAgentBatch(first, installer, batchOf(1));
      assert.deepEqual(retried, { applied: true, seq: 1 }, 'the retry ran in the gap, past the replay check');
      assert.deepEqual(original, { applied: true, seq: 1 });
      assert.deepEqual(await storedEvents(installer.task.id), [
        'task.step check-image/doing',
        'task.progress 900',
        'task.notice batch 1: the server dropped the connection, resuming',
        'task.notice batch 1: slow disk',
      ]);
      assert.deepEqual(await applyAgentBatch(second, installer, batchOf(1)), { applied: false, seq: 1 }, 'a later replay is acknowledged as one');
      assert.equal((await findSession(control.store, installer.tokenHash))?.lastSeq, 1);
    });

    test('batches applied by both processes at the same time: every event of every batch once', async () => {
      const installer = await runningInstall();
      for (const seq of [1, 2, 3]) {
        const replies = await Promise.all([applyAgentBatch(first, installer, batchOf(seq)), applyAgentBatch(second, installer, batchOf(seq))]);
        assert.ok(replies.some((reply) => reply.applied), `batch ${seq} was applied`);
        assert.ok(replies.every((reply) => reply.seq === seq), `batch ${seq}: ${JSON.stringify(replies)}`);
      }
      const events = await storedEvents(installer.task.id);
      assertEachOnce(events);
      for (const seq of [1, 2, 3]) {
        for (const expected of [`task.progress ${seq * 900}`, `task.notice batch ${seq}: slow disk`]) assert.ok(events.includes(expected), `${expected} in ${events.join(', ')}`);
      }
      assert.equal((await findSession(control.store, installer.tokenHash))?.lastSeq, 3);
    });

    test('a new installer of the same task numbers its batches from 1 again: its events are stored too', async () => {
      const earlier = await runningInstall();
      await applyAgentBatch(first, earlier, batchOf(1));
      const tokenHash = hashToken(await first.tasks.issueAgentToken(earlier.task.id));
      await ensureSession(control.store, tokenHash, earlier.task.id, nowIso());
      assert.deepEqual(await applyAgentBatch(second, { tokenHash, task: earlier.task }, batchOf(1)), { applied: true, seq: 1 });
      const notices = (await storedEvents(earlier.task.id)).filter((event) => event.endsWith('slow disk'));
      assert.deepEqual(notices, ['task.notice batch 1: slow disk', 'task.notice batch 1: slow disk']);
    });
  });
}
