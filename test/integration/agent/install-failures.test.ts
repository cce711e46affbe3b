// Installs that go wrong, on the demo fleet: the customer's fault (wrong checksum), a killed installer (the lease
// ends the task), a power driver that cannot boot the server, a cancel while writing, and hard reboots.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { databaseLegs } from '../control/helpers/database-legs.ts';
import { ensureSampleImage, type SampleImage } from '../../../src/control/demo/sample-image.ts';
import { registerServer } from '../../../src/control/fleet/server-admin.ts';
import { parseServerSpec } from '../../../src/control/fleet/server-spec.ts';
import { needTools } from '../../helpers/tools.ts';
import { assertNoPartitionTable } from '../deploy/_fixtures.ts';
import { startAgentControl, type AgentControl } from './helpers/agent-control.ts';
import { readDeployedDisk } from './helpers/deployed-disk.ts';
import { reinstall, stepsOf, waitFor, waitForWriting } from './helpers/install-helpers.ts';
import { startSlowImageServer, type SlowImageServer } from './helpers/slow-image-server.ts';

for (const leg of databaseLegs()) {
  describe(`install failures on the demo fleet (${leg.name})`, { skip: leg.skip }, () => {
    let control: AgentControl;
    let sample: SampleImage;
    let slow: SlowImageServer;
    let fastUrl: string;

    before(async () => {
      // A short lease, so a lost installer ends its task within seconds.
      control = await startAgentControl(leg, { config: { 'tasks.leaseSeconds': 5 } });
      sample = ensureSampleImage(`${control.dir}/images`);
      slow = await startSlowImageServer(readFileSync(sample.path), { bytesPerSecond: 6 * 1024 * 1024 });
      fastUrl = `${control.origin}/demo/images/sample-gpt.raw`;
    });
    after(async () => {
      await slow?.close();
      await control?.close();
    });

    test('a wrong checksum ends customerError with the seed message on the step and in the comment; the disk has no partition table', async (t) => {
      if (!needTools(t, 'sgdisk', 'sfdisk', 'blkid')) return;
      const wrong = 'ab'.repeat(32);
      const taskId = await reinstall(control, 'ns1002.byoi.demo', { imageURL: fastUrl, imageCheckSum: wrong, imageCheckSumType: 'sha256' });
      const task = await control.waitForTask('ns1002.byoi.demo', taskId);
      const message = `Bad checkSumType for downloaded file, got: ${sample.sha256} while expecting ${wrong}.`;
      assert.equal(task.status, 'customerError');
      assert.equal(task.comment, message);
      const status = await control.call('GET', '/dedicated/server/ns1002.byoi.demo/install/status');
      assert.equal(status.status, 200, 'a failed install stays visible');
      const progress = (status.body as { progress: Array<{ comment: string; status: string; error: string }> }).progress;
      assert.deepEqual(progress.filter((step) => step.status === 'error'), [{ comment: 'Verifying the checksum', status: 'error', error: message }]);
      assert.deepEqual(progress.slice(0, 3).map((step) => step.status), ['done', 'done', 'done']);
      const disk = (await control.server('ns1002.byoi.demo')).diskGroups[0]?.disks[0]?.path as string;
      assertNoPartitionTable(disk);
      // The server keeps its previous boot settings.
      const details = (await control.call('GET', '/dedicated/server/ns1002.byoi.demo')).body as { os: string };
      assert.equal(details.os, 'none_64');
    });

    test('an installer killed while writing ends the task ovhError once the lease runs out; a new reinstall then succeeds', async (t) => {
      if (!needTools(t, 'sgdisk', 'blkid', 'mtype')) return;
      const server = 'ns1001.byoi.demo';
      const first = await reinstall(control, server, { imageURL: slow.url(), imageCheckSum: sample.sha256, imageCheckSumType: 'sha256' });
      await waitForWriting(control, first);
      const killedAt = Date.now();
      await control.localDriver.powerOff(server);
      const lost = await control.waitForTask(server, first, 30_000);
      assert.equal(lost.status, 'ovhError');
      assert.equal(lost.comment, `The installer of server ${server} stopped reporting: no heartbeat for 5 seconds`);
      assert.ok(Date.now() - killedAt >= 3000, 'the task waited for the lease');
      assert.ok((await stepsOf(control, first)).includes('download-write:error'));

      const second = await reinstall(control, server, { imageURL: fastUrl, imageCheckSum: sample.sha256, imageCheckSumType: 'sha256', hostname: 'again' });
      const done = await control.waitForTask(server, second);
      assert.equal(done.status, 'done', String(done.comment));
      const disk = await readDeployedDisk((await control.server(server)).diskGroups[0]?.disks[0]?.path as string);
      assert.equal(disk.metaData.hostname, 'again');
      assert.deepEqual(disk.efiBootloaderPaths, ['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\debian\\grubx64.efi']);
    });

    test('a power driver that cannot boot the server ends the task ovhError with a clear message', async () => {
      const missing = `${control.dir}/disks/gone.img`;
      await registerServer(
        control.store,
        parseServerSpec({
          serviceName: 'ns1099.byoi.demo',
          account: 'demo',
          mac: '02:b0:01:00:10:99',
          bootMode: 'uefi',
          powerDriver: { name: 'local', config: {} },
          diskGroups: [{ diskType: 'SSD', disks: [{ sizeBytes: 8 * 1024 ** 3, path: missing }] }],
        }),
        control.extensions.powerDrivers,
      );
      const taskId = await reinstall(control, 'ns1099.byoi.demo', { imageURL: fastUrl });
      const task = await control.waitForTask('ns1099.byoi.demo', taskId);
      assert.equal(task.status, 'ovhError');
      assert.equal(task.comment, `The local controller of server ns1099.byoi.demo refused to boot the installer: its disk file ${missing} does not exist`);
      assert.ok((await stepsOf(control, taskId)).includes('reboot-installer:error'));

      // A hard reboot of the same server fails the same way; one of a working demo server boots its disk.
      const reboot = await control.call('POST', '/dedicated/server/ns1099.byoi.demo/reboot');
      assert.equal((await control.waitForTask('ns1099.byoi.demo', (reboot.body as { taskId: number }).taskId)).status, 'ovhError');
      const ok = await control.call('POST', '/dedicated/server/ns1003.byoi.demo/reboot');
      assert.equal((await control.waitForTask('ns1003.byoi.demo', (ok.body as { taskId: number }).taskId)).status, 'done');
      assert.equal(control.localDriver.state('ns1003.byoi.demo').power, 'on');
    });

    test('cancelling while the agent writes ends the task cancelled and stops the agent; nothing bootable is left', async (t) => {
      if (!needTools(t, 'sgdisk', 'sfdisk', 'blkid')) return;
      const server = 'ns1003.byoi.demo';
      const taskId = await reinstall(control, server, { imageURL: slow.url() });
      await waitForWriting(control, taskId);
      const cancelled = await control.call('POST', `/dedicated/server/${server}/task/${taskId}/cancel`);
      assert.equal(cancelled.status, 200, cancelled.text);
      const outcome = await waitFor('the installer to stop', async () => {
        const ended = await control.localDriver.installerEnded(server);
        return ended === undefined ? { code: 'ended' } : ended;
      }, 10_000);
      assert.ok(outcome.code === 'BYOI_DEPLOY_CANCELLED' || outcome.code === 'ended', JSON.stringify(outcome));
      assert.equal((await control.app.tasks.get(taskId))?.status, 'cancelled');
      assertNoPartitionTable((await control.server(server)).diskGroups[0]?.disks[0]?.path as string);
    });
  });
}
