import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import { openStore } from '../../../../src/control/store/open-store.ts';
import { firstRowReader } from '../../../../src/control/store/first-row-reader.ts';
import { findServerForAccount } from '../../../../src/control/store/servers-repo.ts';
import { findOwnedServerTask } from '../../../../src/control/store/tasks-repo.ts';
import { startControl } from '../../../integration/control/helpers/control-fixture.ts';
import { databaseLegs } from '../../../integration/control/helpers/database-legs.ts';

for (const leg of databaseLegs()) {
  test(`firstRowReader() gives the row Kysely gives, or undefined (${leg.name})`, { skip: leg.skip }, async () => {
    const control = await startControl(leg, { listen: false });
    try {
      const { account } = await control.tenant('acme');
      const server = await control.server('acme');
      const text = control.store.db.selectFrom('servers').selectAll().where('service_name', '=', '').where('account_id', '=', 0).compile().sql;
      const read = firstRowReader<Record<string, unknown>>(control.store, text);
      const throughKysely = (await control.store.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, [server.serviceName, account.id]))).rows[0];
      assert.ok(throughKysely !== undefined);
      assert.deepEqual(await read([server.serviceName, account.id]), throughKysely);
      assert.equal(await read([server.serviceName, account.id + 1]), undefined);
    } finally {
      await control.close();
    }
  });
}

for (const leg of databaseLegs()) {
  test(`the signed routes' reads see committed rows only, not a transaction open on the store (${leg.name})`, { skip: leg.skip }, async () => {
    const control = await startControl(leg, { listen: false });
    try {
      const { account } = await control.tenant('acme');
      const server = await control.server('acme');
      const task = await control.app.tasks.createRebootTask(server);
      // SQLite: the store's read-only second connection; PostgreSQL: the pool. Neither waits for this transaction
      // nor sees inside it.
      await control.store.db.transaction().execute(async (trx) => {
        await trx.updateTable('servers').set({ display_name: 'renamed' }).where('id', '=', server.id).execute();
        await trx.updateTable('tasks').set({ comment: 'changed' }).where('id', '=', task.id).execute();
        assert.equal((await findServerForAccount(control.store, account.id, server.serviceName))?.displayName, server.displayName);
        assert.equal((await findOwnedServerTask(control.store, account.id, server.serviceName, task.id)).task?.comment, task.comment);
      });
      assert.equal((await findServerForAccount(control.store, account.id, server.serviceName))?.displayName, 'renamed');
      assert.equal((await findOwnedServerTask(control.store, account.id, server.serviceName, task.id)).task?.comment, 'changed');
    } finally {
      await control.close();
    }
  });
}

test('firstRowReader() reads an in-memory SQLite store through Kysely (no second connection to it)', async () => {
  const store = await openStore({ url: 'sqlite::memory:', masterKey: randomBytes(32) });
  try {
    assert.equal(store.raw, undefined);
    const read = firstRowReader<{ answer: number }>(store, 'SELECT ? + 1 AS answer');
    assert.deepEqual(await read([41]), { answer: 42 });
  } finally {
    await store.close();
  }
});
