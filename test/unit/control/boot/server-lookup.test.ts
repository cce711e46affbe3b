import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControl } from '../../../integration/control/helpers/control-fixture.ts';
import { databaseLegs } from '../../../integration/control/helpers/database-legs.ts';
import { seedReinstallPayload } from '../../../integration/control/helpers/seed-payload.ts';
import { createServerLookup } from '../../../../src/control/boot/server-lookup.ts';
import { parseReinstallBody } from '../../../../src/contract/request/parse-reinstall-body.ts';

for (const leg of databaseLegs()) {
  test(`createServerLookup() reads a server and its active task in one query (${leg.name})`, { skip: leg.skip }, async () => {
    const control = await startControl(leg, { listen: false });
    try {
      await control.tenant('acme');
      const server = await control.server('acme');
      const lookup = createServerLookup(control.store);
      assert.equal(await lookup.byMac('02:ff:ff:ff:ff:ff'), undefined);
      const idle = await lookup.byMac(server.mac);
      assert.deepEqual(idle?.server, server);
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
      assert.deepEqual(theirs, { server: other, activeTask: undefined });
      assert.equal(none, undefined);

      await control.app.tasks.cancelTask(task);
      assert.equal((await lookup.byMac(server.mac))?.activeTask, undefined, 'a finished task is not active');
    } finally {
      await control.close();
    }
  });
}
