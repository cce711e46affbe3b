import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore } from '../../../../src/control/store/open-store.ts';
import { createAccount } from '../../../../src/control/store/accounts-repo.ts';
import { insertServer } from '../../../../src/control/store/servers-repo.ts';
import { startControl } from '../../../integration/control/helpers/control-fixture.ts';
import { databaseLegs } from '../../../integration/control/helpers/database-legs.ts';
import { seedReinstallPayload } from '../../../integration/control/helpers/seed-payload.ts';
import { createServerLookup } from '../../../../src/control/boot/server-lookup.ts';
import { parseReinstallBody } from '../../../../src/contract/request/parse-reinstall-body.ts';
import type { Server } from '../../../../src/control/fleet/server-model.ts';

/** The server's columns the boot lookup reads (not its power config, disks or dates). */
function bootFields(server: Server): Pick<Server, 'id' | 'serviceName' | 'mac' | 'bootMode' | 'efiBootloaderPath' | 'bootId' | 'bootScript' | 'ip'> {
  const { id, serviceName, mac, bootMode, efiBootloaderPath, bootId, bootScript, ip } = server;
  return { id, serviceName, mac, bootMode, efiBootloaderPath, bootId, bootScript, ip };
}

for (const leg of databaseLegs()) {
  test(`createServerLookup() reads a server and its active task in one query (${leg.name})`, { skip: leg.skip }, async () => {
    const control = await startControl(leg, { listen: false });
    try {
      await control.tenant('acme');
      const server = await control.server('acme');
      const lookup = createServerLookup(control.store);
      assert.equal(await lookup.byMac('02:ff:ff:ff:ff:ff'), undefined);
      const idle = await lookup.byMac(server.mac);
      assert.deepEqual(idle?.server, bootFields(server));
      assert.equal(idle?.activeTask, undefined);

      const task = await control.app.tasks.createInstallTask({ server, request: parseReinstallBody(seedReinstallPayload()), route: 'reinstall' });
      await control.app.tasks.setStep(task.id, 'reboot-installer', 'doing');
      const busy = await lookup.byMac(server.mac);
      assert.equal(busy?.activeTask?.id, task.id);
      assert.equal(busy?.activeTask?.function, 'reinstallServer');
      assert.equal(busy?.activeTask?.status, 'init');
      assert.equal(busy?.activeTask?.steps.find((step) => step.id === 'reboot-installer')?.status, 'doing');
      assert.equal(busy?.activeTask?.result, null);

      // Asked together (one statement on PostgreSQL, read-batcher.ts), each MAC still gets its own server and task.
      const other = await control.server('acme');
      const [mine, theirs, none] = await Promise.all([lookup.byMac(server.mac), lookup.byMac(other.mac), lookup.byMac('02:ff:ff:ff:ff:fe')]);
      assert.equal(mine?.server.id, server.id);
      assert.equal(mine?.activeTask?.id, task.id);
      assert.deepEqual(theirs, { server: bootFields(other), activeTask: undefined });
      assert.equal(none, undefined);

      await control.app.tasks.cancelTask(task);
      assert.equal((await lookup.byMac(server.mac))?.activeTask, undefined, 'a finished task is not active');
    } finally {
      await control.close();
    }
  });
}

for (const leg of databaseLegs()) {
  test(`createServerLookup() sees committed rows only, not a transaction open on the store (${leg.name})`, { skip: leg.skip }, async () => {
    const control = await startControl(leg, { listen: false });
    try {
      await control.tenant('acme');
      const server = await control.server('acme');
      const lookup = createServerLookup(control.store);
      assert.equal((await lookup.byMac(server.mac))?.server.bootId, 1);
      // The lookup reads on a connection of its own (SQLite: the store's read-only one; PostgreSQL: the pool), so
      // it neither waits for this transaction nor sees inside it.
      await control.store.db.transaction().execute(async (trx) => {
        await trx.updateTable('servers').set({ boot_id: 3, boot_script: '#!ipxe\necho custom' }).where('id', '=', server.id).execute();
        const during = await lookup.byMac(server.mac);
        assert.equal(during?.server.bootId, 1, 'an uncommitted change is not seen');
        assert.equal(during?.server.bootScript, null);
      });
      const after = await lookup.byMac(server.mac);
      assert.equal(after?.server.bootId, 3, 'the committed change is seen on the next read');
      assert.equal(after?.server.bootScript, '#!ipxe\necho custom');
    } finally {
      await control.close();
    }
  });
}

test('createServerLookup() reads an in-memory SQLite store through Kysely (no second connection to it)', async () => {
  const store = await openStore({ url: 'sqlite::memory:', masterKey: randomBytes(32) });
  try {
    assert.equal(store.raw, undefined);
    const account = await createAccount(store, { name: 'acme', operator: false });
    const server = await insertServer(store, {
      serviceName: 'ns1.acme', accountId: account.id, displayName: 'ns1', mac: '02:00:00:00:00:01', bootMode: 'uefi', memorySizeMb: 1024,
      powerDriver: 'none', powerConfig: {}, diskGroups: [], datacenter: 'test', ip: '10.0.0.1',
    });
    const lookup = createServerLookup(store);
    assert.deepEqual(await lookup.byMac(server.mac), { server: bootFields(server), activeTask: undefined });
    assert.equal(await lookup.byMac('02:00:00:00:00:02'), undefined);
  } finally {
    await store.close();
  }
});
