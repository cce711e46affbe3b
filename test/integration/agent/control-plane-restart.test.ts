// The control plane stops while an agent writes and comes back on the same database: the agent's reports wait
// and retry, the restarted runner resumes from the database, and the install ends correctly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { databaseLegs } from '../control/helpers/database-legs.ts';
import { ensureSampleImage, type SampleImage } from '../../../src/control/demo/sample-image.ts';
import { needTools } from '../../helpers/tools.ts';
import { assertImageRegionEqual } from '../deploy/_fixtures.ts';
import { startAgentControl, type AgentControl } from './helpers/agent-control.ts';
import { readDeployedDisk } from './helpers/deployed-disk.ts';
import { reinstall, stepsOf, waitForWriting } from './helpers/install-helpers.ts';
import { startSlowImageServer, type SlowImageServer } from './helpers/slow-image-server.ts';

for (const leg of databaseLegs()) {
  describe(`control-plane restart during an install (${leg.name})`, { skip: leg.skip }, () => {
    let control: AgentControl;
    let sample: SampleImage;
    let slow: SlowImageServer;

    before(async () => {
      control = await startAgentControl(leg, { config: { 'tasks.leaseSeconds': 20 } });
      sample = ensureSampleImage(`${control.dir}/images`);
      slow = await startSlowImageServer(readFileSync(sample.path), { bytesPerSecond: 8 * 1024 * 1024 });
    });
    after(async () => {
      await slow?.close();
      await control?.close();
    });

    test('the app stops while the agent writes and starts again on the same database: the task continues and ends done', async (t) => {
      if (!needTools(t, 'sgdisk', 'blkid', 'mtype')) return;
      const server = 'ns1001.byoi.demo';
      const taskId = await reinstall(control, server, { imageURL: slow.url(), imageCheckSum: sample.sha256, imageCheckSumType: 'sha256', hostname: 'restarted' });
      await waitForWriting(control, taskId);
      const writtenBefore = slow.sent;
      await control.restart({ downMs: 1500 });
      assert.ok(slow.sent > writtenBefore, 'the agent kept downloading while the control plane was down');

      const task = await control.waitForTask(server, taskId);
      assert.equal(task.status, 'done', String(task.comment));
      assert.deepEqual((await stepsOf(control, taskId)).slice(0, 8).map((step) => step.split(':')[1]), Array(8).fill('done'));
      const stored = await control.app.tasks.get(taskId);
      assert.equal(stored?.attempts, 1, 'the same installer finished: it was not started again');
      const diskPath = (await control.server(server)).diskGroups[0]?.disks[0]?.path as string;
      assertImageRegionEqual(diskPath, sample.path, sample.sizeBytes, [
        { start: 446, end: 34 * 512 },
        { start: sample.sizeBytes - 33 * 512, end: sample.sizeBytes },
      ]);
      const disk = await readDeployedDisk(diskPath);
      assert.equal(disk.metaData.hostname, 'restarted');
      // Both apps' logs show the agent retrying through the outage.
      assert.ok(control.logs.some((line) => line.includes('resuming task')), 'the restarted runner resumed the task');
    });
  });
}
