import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ByoiError } from '../../../src/contract/errors/byoi-error.ts';
import { openStore } from '../../../src/control/store/open-store.ts';
import { createTaskBus } from '../../../src/control/tasks/task-bus.ts';
import { createTaskService } from '../../../src/control/tasks/task-service.ts';
import { databaseLegs } from './helpers/database-legs.ts';
import { startControl, type ControlFixture, type Tenant } from './helpers/control-fixture.ts';
import { seedReinstallPayload } from './helpers/seed-payload.ts';

const failure = (error: ByoiError) => ({ code: error.code, message: error.message });

for (const leg of databaseLegs()) {
  describe(`task life cycle and the runner seam (${leg.name})`, { skip: leg.skip }, () => {
    let control: ControlFixture;
    let alice: Tenant;
    const masterKey = randomBytes(32);

    before(async () => {
      control = await startControl(leg, { masterKey });
      alice = await control.tenant('alice');
    });
    after(async () => control?.close());

    async function install(serverName: string, hostname = 'host'): Promise<number> {
      const reply = await control.call(alice.keys, 'POST', `/1.0/dedicated/server/${serverName}/reinstall`, {
        body: { ...seedReinstallPayload(), customizations: { ...(seedReinstallPayload().customizations as object), hostname } },
      });
      assert.equal(reply.status, 200, reply.text);
      return (reply.body as { taskId: number }).taskId;
    }

    async function status(serverName: string) {
      return control.call(alice.keys, 'GET', `/1.0/dedicated/server/${serverName}/install/status`);
    }

    test('init → todo (claim with lease) → doing → done, with steps, progress, agent token and the decrypted request', async () => {
      const server = await control.server('alice');
      const created: number[] = [];
      const stop = control.app.taskBus.onCreated((id) => created.push(id));
      const taskId = await install(server.serviceName);
      stop();
      assert.deepEqual(created, [taskId]);

      const tasks = control.app.tasks;
      const claimed = await tasks.claimNext('runner-1');
      assert.equal(claimed?.id, taskId);
      assert.equal(claimed?.status, 'todo');
      assert.equal(claimed?.leaseOwner, 'runner-1');
      assert.ok(claimed?.leaseExpiresAt !== null);
      assert.equal(await tasks.claimNext('runner-2'), undefined, 'a claimed task is not claimed twice');

      const request = await tasks.readInstallRequest(taskId);
      assert.equal(request?.image.httpHeaders[0]?.value, 'Basic bG9naW46cGFzc3dvcmQ=');
      assert.equal(request?.hostname, 'host');

      const token = await tasks.issueAgentToken(taskId);
      assert.equal((await tasks.findByAgentToken(token))?.id, taskId);
      assert.equal(await tasks.findByAgentToken(`${token}x`), undefined);
      assert.equal(await tasks.renewLease(taskId, 'runner-1'), true);
      assert.equal(await tasks.renewLease(taskId, 'someone-else'), false);

      await tasks.setStep(taskId, 'reboot-installer', 'done');
      await tasks.transition(taskId, 'doing');
      await tasks.setStep(taskId, 'check-image', 'done');
      await tasks.setStep(taskId, 'download-write', 'doing');
      await tasks.recordProgress(taskId, { bytesDownloaded: 1000, bytesTotal: 4000, bytesWritten: 900, rate: 500, etaSeconds: 6 });

      const running = await status(server.serviceName);
      assert.equal(running.status, 200);
      const body = running.body as { elapsedTime: number; progress: Array<{ comment: string; status: string; error: string }>; byoi: Record<string, unknown> };
      assert.deepEqual(body.progress.slice(0, 4).map((step) => step.status), ['done', 'done', 'doing', 'todo']);
      assert.equal(body.progress.length, 9);
      assert.equal(body.byoi.bytesWritten, 900);
      assert.equal(body.byoi.etaSeconds, 6);
      assert.equal(body.byoi.events, `/1.0/dedicated/server/${server.serviceName}/task/${taskId}/events`);

      const done = await tasks.finish(taskId, { ok: true, result: { ok: true, bytesWritten: 4000 } });
      assert.equal(done.status, 'done');
      assert.ok(done.doneDate !== null);
      assert.ok(done.steps.every((step) => step.status === 'done'));
      assert.equal(await tasks.findByAgentToken(token), undefined, 'the agent token dies with the task');
      // Late and duplicate reports change nothing.
      assert.deepEqual(await tasks.finish(taskId, { ok: false, error: failure(new ByoiError('BYOI_DISK_IO', { device: 'sda', reason: 'late' })) }), done);
      await tasks.setStep(taskId, 'first-boot', 'error', 'late');
      await tasks.recordProgress(taskId, { bytesDownloaded: 1, bytesTotal: 1, bytesWritten: 1, rate: 1, etaSeconds: 0 });
      assert.deepEqual(await tasks.get(taskId), done);

      // The server now boots its disk with the loader the agent found.
      const after = (await control.call(alice.keys, 'GET', `/1.0/dedicated/server/${server.serviceName}`)).body as Record<string, unknown>;
      assert.deepEqual([after.os, after.bootId, after.efiBootloaderPath], ['byoi_64', 1, '\\efi\\debian\\grubx64.efi']);

      const polled = await control.call(alice.keys, 'GET', `/1.0/dedicated/server/${server.serviceName}/task/${taskId}`);
      assert.equal((polled.body as { status: string }).status, 'done');
      assert.equal((await status(server.serviceName)).status, 404);
    });

    test('a customer fault ends customerError and a provider fault ovhError; install/status shows the failed step', async () => {
      const server = await control.server('alice');
      const tasks = control.app.tasks;
      const first = await install(server.serviceName, 'one');
      await tasks.claimNext('runner');
      await tasks.transition(first, 'doing');
      await tasks.setStep(first, 'download-write', 'doing');
      const mismatch = new ByoiError('BYOI_CHECKSUM_MISMATCH', { got: 'aa', expected: 'bb' });
      const ended = await tasks.finish(first, { ok: false, error: failure(mismatch) });
      assert.equal(ended.status, 'customerError');
      assert.equal(ended.comment, mismatch.message);
      const shown = (await status(server.serviceName)).body as { progress: Array<{ status: string; error: string; comment: string }> };
      const failed = shown.progress.find((step) => step.status === 'error');
      assert.equal(failed?.comment, 'Downloading and writing the image');
      assert.equal(failed?.error, mismatch.message);

      const second = await install(server.serviceName, 'two');
      await tasks.claimNext('runner');
      const lost = await tasks.finish(second, { ok: false, error: failure(new ByoiError('BYOI_DISK_IO', { device: '/dev/sda', reason: 'I/O error' })) });
      assert.equal(lost.status, 'ovhError');
      assert.equal(lost.errorCode, 'BYOI_DISK_IO');
    });

    test('the transition table refuses moves it does not list', async () => {
      const server = await control.server('alice');
      const taskId = await install(server.serviceName);
      await assert.rejects(control.app.tasks.transition(taskId, 'done'), { code: 'BYOI_TASK_TRANSITION' });
      await control.app.tasks.claimNext('runner');
      await control.app.tasks.finish(taskId, { ok: true, result: null });
      await assert.rejects(control.app.tasks.transition(taskId, 'doing'), { code: 'BYOI_TASK_TRANSITION' });
    });

    test('a lease that runs out ends the task as ovhError (lost agent) and frees the server', async () => {
      const server = await control.server('alice');
      let now = Date.now();
      const clocked = createTaskService({ store: control.store, bus: createTaskBus(), leaseSeconds: 30, now: () => now });
      const taskId = await install(server.serviceName);
      assert.equal((await clocked.claimNext('runner'))?.id, taskId);
      await clocked.transition(taskId, 'doing');
      now += 29_000;
      assert.equal(await clocked.expireLeases(), 0);
      now += 2_000;
      assert.equal(await clocked.expireLeases(), 1);
      const task = await clocked.get(taskId);
      assert.equal(task?.status, 'ovhError');
      assert.equal(task?.errorCode, 'BYOI_TASK_AGENT_LOST');
      assert.equal(task?.comment, `The installer of server ${server.serviceName} stopped reporting: no heartbeat for 30 seconds`);
      const reboot = await control.call(alice.keys, 'POST', `/1.0/dedicated/server/${server.serviceName}/reboot`);
      assert.equal(reboot.status, 200);
      assert.equal((reboot.body as { function: string }).function, 'hardReboot');
      // Leave no unclaimed task behind for the next tests' claims.
      await control.app.tasks.cancelTask((await control.app.tasks.get((reboot.body as { taskId: number }).taskId))!);
    });

    test('cancelling a running task ends it at once and tells the runner', async () => {
      const server = await control.server('alice');
      const taskId = await install(server.serviceName);
      await control.app.tasks.claimNext('runner');
      await control.app.tasks.transition(taskId, 'doing');
      const cancelled: number[] = [];
      const stop = control.app.taskBus.onCancelled((id) => cancelled.push(id));
      const reply = await control.call(alice.keys, 'POST', `/1.0/dedicated/server/${server.serviceName}/task/${taskId}/cancel`);
      stop();
      assert.equal(reply.status, 200);
      assert.equal(reply.text, 'null');
      assert.deepEqual(cancelled, [taskId]);
      assert.equal((await control.app.tasks.get(taskId))?.status, 'cancelled');
      assert.equal((await status(server.serviceName)).status, 404);
    });

    test('concurrent claimers never get the same task', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) ids.push(await install((await control.server('alice')).serviceName));
      const claims = await Promise.all([1, 2, 3, 4, 5].map((n) => control.app.tasks.claimNext(`runner-${n}`)));
      const got = claims.filter((task) => task !== undefined).map((task) => task.id);
      assert.equal(new Set(got).size, got.length);
      // Whatever was not claimed in the race is claimable now (PostgreSQL's SKIP LOCKED may pass one by).
      while (true) {
        const next = await control.app.tasks.claimNext('late');
        if (next === undefined) break;
        got.push(next.id);
      }
      assert.deepEqual(got.sort(), ids.sort());
    });

    test('another process on the same database (a restarted control plane) reads tasks and decrypts their requests', async () => {
      const server = await control.server('alice');
      const taskId = await install(server.serviceName);
      const second = await openStore({ url: control.databaseUrl, masterKey });
      try {
        const tasks = createTaskService({ store: second, bus: createTaskBus(), leaseSeconds: 60 });
        assert.equal((await tasks.get(taskId))?.status, 'init');
        assert.equal((await tasks.readInstallRequest(taskId))?.image.httpHeaders[0]?.name, 'Authorization');
      } finally {
        await second.close();
      }
      await assert.rejects(openStore({ url: control.databaseUrl, masterKey: randomBytes(32) }), { code: 'BYOI_CONFIG_SECRET_KEY' });
    });
  });
}
