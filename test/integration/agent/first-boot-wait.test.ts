// tasks.firstBootWaitSeconds > 0: an install stays `doing` after its last reboot until the installed system phones
// home (then done, every step done) or the wait ends (then done, the first boot left unconfirmed): never forever.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { databaseLegs } from '../control/helpers/database-legs.ts';
import { needTools } from '../../helpers/tools.ts';
import { startAgentControl, type AgentControl } from './helpers/agent-control.ts';
import { readDeployedDisk } from './helpers/deployed-disk.ts';
import { reinstall, stepsOf, waitFor } from './helpers/install-helpers.ts';

for (const leg of databaseLegs()) {
  describe(`waiting for the first boot (${leg.name})`, { skip: leg.skip }, () => {
    let control: AgentControl;

    before(async () => {
      control = await startAgentControl(leg, { config: { 'tasks.firstBootWaitSeconds': 4 } });
    });
    after(async () => control?.close());

    test('the task waits in first-boot, and the phone home ends it done with every step done', async (t) => {
      if (!needTools(t, 'sgdisk', 'blkid', 'mtype')) return;
      const server = 'ns1001.byoi.demo';
      const taskId = await reinstall(control, server, { imageURL: `${control.origin}/demo/images/sample-gpt.raw` });
      await waitFor('the first-boot wait', async () => ((await stepsOf(control, taskId)).includes('first-boot:doing') ? true : undefined));
      assert.equal((await control.app.tasks.get(taskId))?.status, 'doing');
      const status = await control.call('GET', `/dedicated/server/${server}/install/status`);
      assert.equal((status.body as { progress: Array<{ status: string }> }).progress.at(-1)?.status, 'doing');

      const disk = await readDeployedDisk((await control.server(server)).diskGroups[0]?.disks[0]?.path as string);
      const form = new URLSearchParams({ instance_id: 'i-not-this-one', hostname: 'x' });
      const refused = await request(disk.phoneHomeUrl as string, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(refused.statusCode, 403, 'another instance id is refused');
      assert.match(await refused.body.text(), /instance id/);
      form.set('instance_id', String(disk.metaData.uuid));
      const confirmed = await request(disk.phoneHomeUrl as string, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(confirmed.statusCode, 200, await confirmed.body.text());

      const task = await control.waitForTask(server, taskId, 10_000);
      assert.equal(task.status, 'done');
      assert.ok((await stepsOf(control, taskId)).every((step) => step.endsWith(':done')));
    });

    test('without a phone home the task is done once the wait ends, the first boot unconfirmed', async () => {
      const server = 'ns1002.byoi.demo';
      const started = Date.now();
      const taskId = await reinstall(control, server, { imageURL: `${control.origin}/demo/images/sample-gpt.raw` });
      const task = await control.waitForTask(server, taskId, 30_000);
      assert.equal(task.status, 'done');
      assert.ok(Date.now() - started >= 4000, 'it waited');
      assert.equal((await stepsOf(control, taskId)).at(-1), 'first-boot:todo');
      const notices = await control.store.db.selectFrom('task_events').select('data').where('task_id', '=', taskId).where('type', '=', 'task.notice').execute();
      assert.ok(notices.some((row) => row.data.includes('No first boot report within 4 seconds')));
    });
  });
}
