// The agent protocol spoken by hand, on a server without a power driver (the runner reboots nothing and waits for
// an installer): tokens scoped to one task, replaced tokens refused, the job with its secrets, idempotent event
// batches, heartbeats, idempotent and late results, the boot service's token seam, and the installer deadline.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { databaseLegs } from '../control/helpers/database-legs.ts';
import { registerServer } from '../../../src/control/fleet/server-admin.ts';
import { parseServerSpec } from '../../../src/control/fleet/server-spec.ts';
import { issueInstallerToken } from '../../../src/control/agent/issue-installer-token.ts';
import { ByoiError } from '../../../src/contract/errors/byoi-error.ts';
import type { AgentJob } from '../../../src/contract/agent/agent-protocol.ts';
import { startAgentControl, type AgentControl } from './helpers/agent-control.ts';
import { reinstall, stepsOf, waitFor } from './helpers/install-helpers.ts';

let macs = 0x40;

async function agentCall(control: AgentControl, method: 'GET' | 'POST', path: string, token: string | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await request(`${control.origin}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.body.text();
  return { status: response.statusCode, body: (text === '' ? null : JSON.parse(text)) as Record<string, unknown> };
}

for (const leg of databaseLegs()) {
  describe(`the agent protocol by hand (${leg.name})`, { skip: leg.skip }, () => {
    let control: AgentControl;
    let neverStarted: number;

    before(async () => {
      control = await startAgentControl(leg, { config: { 'tasks.leaseSeconds': 30, 'tasks.installerStartSeconds': 10 } });
      // A task whose installer never comes: it must end by itself once tasks.installerStartSeconds passed.
      neverStarted = await reinstall(control, await manualServer(control), { imageURL: 'https://images.example.net/never.raw' });
    });
    after(async () => control?.close());

    async function manualServer(fixture: AgentControl, extra: Record<string, unknown> = {}): Promise<string> {
      macs += 1;
      const serviceName = `manual${macs}.byoi.demo`;
      await registerServer(
        fixture.store,
        parseServerSpec({
          serviceName,
          account: 'demo',
          mac: `02:b0:01:00:20:${macs.toString(16).padStart(2, '0')}`,
          bootMode: 'legacy',
          powerDriver: { name: 'none', config: {} },
          diskGroups: [{ diskType: 'SSD', disks: [{ sizeBytes: 480103981056, serial: 'S4EVNX0N123456', ...extra }] }, { diskType: 'HDD', disks: [{ sizeBytes: 4000787030016 }] }],
        }),
        fixture.extensions.powerDrivers,
      );
      return serviceName;
    }

    async function claimedTask(customizations: Record<string, unknown> = {}): Promise<{ serviceName: string; taskId: number }> {
      const serviceName = await manualServer(control);
      const taskId = await reinstall(control, serviceName, {
        imageURL: 'https://images.example.net/debian.raw?signature=presigned',
        httpHeaders: { 'X-Auth': 'header-secret-value' },
        configDriveUserData: '#cloud-config\nhostname: by-hand\n',
        hostname: 'by-hand',
        ...customizations,
      });
      // Claimed (todo) comes a moment before the runner marks reboot-installer as running: wait for both.
      await waitFor('the runner to claim it and wait for the installer', async () => {
        const task = await control.app.tasks.get(taskId);
        return task?.status === 'todo' && task.steps.find((step) => step.id === 'reboot-installer')?.status === 'doing' ? true : undefined;
      });
      return { serviceName, taskId };
    }

    test('tokens: none, unknown, replaced and live; the job carries the secrets, the inventory and the first-boot URL', async () => {
      const { taskId } = await claimedTask();
      assert.equal((await agentCall(control, 'GET', '/agent/v1/job', null)).status, 401);
      assert.equal((await agentCall(control, 'GET', '/agent/v1/job', 'x'.repeat(43))).status, 401);
      const notice = (await control.app.tasks.get(taskId))?.steps.find((step) => step.id === 'reboot-installer');
      assert.equal(notice?.status, 'doing', 'waiting for someone to boot the server');

      const first = (await issueInstallerToken(control.app.tasks, taskId)) as string;
      const second = (await issueInstallerToken(control.app.tasks, taskId)) as string;
      const replaced = await agentCall(control, 'GET', '/agent/v1/job', first);
      assert.equal(replaced.status, 401, 'issuing a new token invalidates the previous one');
      assert.equal(replaced.body.message, 'The installer token is missing, unknown or replaced by a newer one');

      const reply = await agentCall(control, 'GET', '/agent/v1/job', second);
      assert.equal(reply.status, 200);
      const job = reply.body as unknown as AgentJob;
      assert.equal(job.taskId, taskId);
      assert.equal(job.image.url, 'https://images.example.net/debian.raw?signature=presigned');
      assert.deepEqual(job.image.httpHeaders, [{ name: 'X-Auth', value: 'header-secret-value' }]);
      assert.equal(Buffer.from(job.configDrive.userData as string, 'base64').toString(), '#cloud-config\nhostname: by-hand\n');
      assert.deepEqual(job.disk, { diskGroupId: 1, sizeBytes: 480103981056, serial: 'S4EVNX0N123456' });
      assert.equal(job.diskGroups.length, 2);
      assert.equal(job.bootMode, 'legacy');
      assert.match(job.configDrive.instanceUuid, /^[0-9a-f-]{36}$/);
      assert.equal(job.configDrive.phoneHome?.url, `${control.origin}/agent/v1/first-boot`);
      assert.equal(job.heartbeatSeconds, 7);
      const task = await control.app.tasks.get(taskId);
      assert.equal(task?.status, 'doing', 'the agent enrolled');
      assert.equal(task?.steps[0]?.status, 'done');

      // The token of one task is nothing to another.
      const other = await claimedTask();
      const otherToken = (await issueInstallerToken(control.app.tasks, other.taskId)) as string;
      assert.equal(((await agentCall(control, 'GET', '/agent/v1/job', otherToken)).body as unknown as AgentJob).taskId, other.taskId);
      await control.call('POST', `/dedicated/server/${other.serviceName}/task/${other.taskId}/cancel`);
      assert.equal((await agentCall(control, 'POST', '/agent/v1/heartbeat', otherToken, {})).status, 410, 'a cancelled task takes no more reports');
    });

    test('event batches are applied once; heartbeats renew the lease; a failure result ends the task with its catalogue error, once', async () => {
      const { serviceName, taskId } = await claimedTask();
      const token = (await issueInstallerToken(control.app.tasks, taskId)) as string;
      assert.equal((await agentCall(control, 'GET', '/agent/v1/job', token)).status, 200);

      const first = await agentCall(control, 'POST', '/agent/v1/events', token, { seq: 1, events: [{ type: 'deploy.start' }, { type: 'phase.start', phase: 'preflight' }] });
      assert.deepEqual(first.body, { applied: true, seq: 1 });
      const replay = await agentCall(control, 'POST', '/agent/v1/events', token, { seq: 1, events: [{ type: 'phase.start', phase: 'verify' }] });
      assert.deepEqual(replay.body, { applied: false, seq: 1 }, 'a replayed batch is acknowledged and ignored');
      assert.deepEqual((await stepsOf(control, taskId)).slice(1, 4), ['check-image:doing', 'download-write:todo', 'verify-checksum:todo']);
      const second = await agentCall(control, 'POST', '/agent/v1/events', token, {
        seq: 2,
        events: [
          { type: 'phase.end', phase: 'preflight', seconds: 1 },
          { type: 'phase.start', phase: 'wipe' },
          { type: 'phase.end', phase: 'wipe', seconds: 0 },
          { type: 'phase.start', phase: 'write' },
          { type: 'write.progress', bytesDownloaded: 100, bytesTotal: 1000, bytesWritten: 90, rate: 50, etaSeconds: 18 },
          { type: 'download.notice', what: 'resume', message: 'resuming at byte 100 (X-Auth header-secret-value)' },
          { type: 'write.progress', bytesDownloaded: 400, bytesTotal: 1000, bytesWritten: 380, rate: 60, etaSeconds: 10 },
          { type: 'not-an-event', phase: 'gpt' },
        ],
      });
      assert.deepEqual(second.body, { applied: true, seq: 2 });
      assert.deepEqual((await stepsOf(control, taskId)).slice(1, 4), ['check-image:done', 'download-write:doing', 'verify-checksum:todo']);
      const status = (await control.call('GET', `/dedicated/server/${serviceName}/install/status`)).body as { byoi: Record<string, unknown> };
      assert.deepEqual([status.byoi.bytesDownloaded, status.byoi.bytesWritten, status.byoi.etaSeconds], [400, 380, 10]);

      const before = Date.parse((await control.app.tasks.get(taskId))?.leaseExpiresAt as string);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const beat = await agentCall(control, 'POST', '/agent/v1/heartbeat', token, {});
      assert.deepEqual(beat.body, { leaseSeconds: 30, heartbeatSeconds: 7 });
      assert.ok(Date.parse((await control.app.tasks.get(taskId))?.leaseExpiresAt as string) > before, 'the lease moved on');

      const mismatch = new ByoiError('BYOI_CHECKSUM_MISMATCH', { got: 'aa', expected: 'bb' });
      const result = await agentCall(control, 'POST', '/agent/v1/result', token, { ok: false, error: mismatch.toRecord() });
      assert.deepEqual(result.body, { accepted: true, taskStatus: 'customerError' });
      const ended = await control.app.tasks.get(taskId);
      assert.equal(ended?.comment, mismatch.message);
      assert.equal(ended?.steps.find((step) => step.id === 'download-write')?.error, mismatch.message);
      const duplicate = await agentCall(control, 'POST', '/agent/v1/result', token, { ok: false, error: mismatch.toRecord() });
      assert.deepEqual(duplicate.body, { accepted: false, taskStatus: 'customerError' });
      for (const [method, path] of [['GET', '/agent/v1/job'], ['POST', '/agent/v1/events'], ['POST', '/agent/v1/heartbeat']] as const) {
        const gone = await agentCall(control, method, path, token, method === 'POST' ? { seq: 3, events: [] } : undefined);
        assert.equal(gone.status, 410, `${path} after the result`);
      }
      const notices = (await control.store.db.selectFrom('task_events').select('data').where('task_id', '=', taskId).where('type', '=', 'task.notice').execute())
        .map((row) => row.data)
        .filter((data) => data.includes('resuming at byte'));
      assert.equal(notices.length, 1);
      assert.ok(!notices[0]?.includes('header-secret-value'), 'header values are redacted from notices');
      assert.ok(notices[0]?.includes('[redacted]'));
    });

    test('a successful result: switch boot, last reboot, done; the boot service gets no installer token any more; a late result changes nothing', async () => {
      const { serviceName, taskId } = await claimedTask({ efiBootloaderPath: '\\efi\\debian\\grubx64.efi' });
      const token = (await issueInstallerToken(control.app.tasks, taskId)) as string;
      assert.equal((await agentCall(control, 'GET', '/agent/v1/job', token)).status, 200);
      const result = { ok: true, disk: '/dev/sda', efiBootloaderPath: '\\EFI\\debian\\grubx64.efi', configDrive: { partition: 3, filesystem: 'vfat', start: 1, size: 2 } };
      const reply = await agentCall(control, 'POST', '/agent/v1/result', token, { ok: true, result });
      assert.deepEqual(reply.body, { accepted: true, taskStatus: 'doing' });
      const task = await control.waitForTask(serviceName, taskId);
      assert.equal(task.status, 'done');
      assert.deepEqual((await stepsOf(control, taskId)).slice(6), ['switch-boot:done', 'last-reboot:done', 'first-boot:todo']);
      const details = (await control.call('GET', `/dedicated/server/${serviceName}`)).body as Record<string, unknown>;
      assert.deepEqual([details.os, details.bootId, details.efiBootloaderPath], ['byoi_64', 1, '\\EFI\\debian\\grubx64.efi']);
      assert.equal(await issueInstallerToken(control.app.tasks, taskId), null);
      const late = await agentCall(control, 'POST', '/agent/v1/result', token, { ok: false, error: new ByoiError('BYOI_DISK_IO', { device: 'sda', reason: 'late' }).toRecord() });
      assert.deepEqual(late.body, { accepted: false, taskStatus: 'done' });
      assert.equal((await control.app.tasks.get(taskId))?.status, 'done');
      const events = await control.store.db.selectFrom('task_events').select('data').where('task_id', '=', taskId).where('type', '=', 'task.notice').execute();
      assert.ok(events.some((row) => row.data.includes('reboot it by hand')), 'the operator is told to reboot the server');
    });

    test('an installer that never fetches its job ends the task ovhError after tasks.installerStartSeconds', async () => {
      const task = await waitFor('the installer deadline', async () => {
        const current = await control.app.tasks.get(neverStarted);
        return current?.status === 'ovhError' ? current : undefined;
      }, 20_000);
      assert.equal(task.errorCode, 'BYOI_INSTALLER_NOT_STARTED');
      assert.match(task.comment, /^The installer of server manual\d+\.byoi\.demo did not start within 10 seconds$/);
    });
  });
}
