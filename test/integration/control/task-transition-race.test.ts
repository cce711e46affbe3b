// transition() reads a task and writes its end (status and steps) back: a step or status another writer changes in
// between must survive. The other writer is a second store on the same database, its change put in the gap by
// racingStore().
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { recordFirstBoot } from '../../../src/control/agent/record-first-boot.ts';
import { openStore, type Store } from '../../../src/control/store/open-store.ts';
import { listTaskEvents } from '../../../src/control/store/task-events-repo.ts';
import { createTaskBus } from '../../../src/control/tasks/task-bus.ts';
import { createTaskService, type TaskService } from '../../../src/control/tasks/task-service.ts';
import { databaseLegs } from './helpers/database-legs.ts';
import { startControl, type ControlFixture, type Tenant } from './helpers/control-fixture.ts';
import { racingStore, type RacingStore } from './helpers/racing-store.ts';
import { seedReinstallPayload } from './helpers/seed-payload.ts';

const agentLost = { code: 'BYOI_TASK_AGENT_LOST', message: 'The installer stopped reporting' };

for (const leg of databaseLegs()) {
  describe(`transition() keeps what changed between its read and its write (${leg.name})`, { skip: leg.skip }, () => {
    const masterKey = randomBytes(32);
    let control: ControlFixture;
    let alice: Tenant;
    let racing: RacingStore;
    /** The service under test: its reads can be followed by the other writer's change. */
    let tasks: TaskService;
    /** The other writer: another connection, as another request or process. */
    let otherStore: Store;
    let other: TaskService;

    before(async () => {
      control = await startControl(leg, { masterKey });
      alice = await control.tenant('alice');
      racing = racingStore(control.store);
      tasks = createTaskService({ store: racing.store, bus: createTaskBus(), leaseSeconds: 60 });
      otherStore = await openStore({ url: control.databaseUrl, masterKey });
      other = createTaskService({ store: otherStore, bus: createTaskBus(), leaseSeconds: 60 });
    });
    after(async () => {
      await otherStore?.close();
      await control?.close();
    });

    /** An install task a runner has just claimed (todo). */
    async function claimedInstall(): Promise<number> {
      const server = await control.server('alice');
      const reply = await control.call(alice.keys, 'POST', `/1.0/dedicated/server/${server.serviceName}/reinstall`, { body: seedReinstallPayload() });
      assert.equal(reply.status, 200, reply.text);
      const taskId = (reply.body as { taskId: number }).taskId;
      assert.equal((await tasks.claimNext('runner'))?.id, taskId);
      return taskId;
    }

    /** An install task in `doing`, its steps before `running` done and `running` doing. */
    async function runningInstall(running: string): Promise<number> {
      const taskId = await claimedInstall();
      await tasks.transition(taskId, 'doing');
      for (const step of (await tasks.get(taskId))?.steps ?? []) {
        if (step.id === running) break;
        assert.equal(await tasks.setStep(taskId, step.id, 'done'), true, step.id);
      }
      assert.equal(await tasks.setStep(taskId, running, 'doing'), true, running);
      return taskId;
    }

    /** The other writer cancels `taskId` (the customer's cancel call) after the next read of the service under test. */
    function cancelAfterNextRead(taskId: number): void {
      racing.afterRead(1, async () => {
        const task = await other.get(taskId);
        assert.ok(task !== undefined);
        await other.cancelTask(task);
      });
    }

    async function assertCancelled(taskId: number): Promise<void> {
      const task = await tasks.get(taskId);
      assert.deepEqual([task?.status, task?.errorCode], ['cancelled', 'BYOI_DEPLOY_CANCELLED']);
    }

    async function stepOf(taskId: number, stepId: string): Promise<[string | undefined, string | null | undefined]> {
      const step = (await tasks.get(taskId))?.steps.find((s) => s.id === stepId);
      return [step?.status, step?.error];
    }

    async function stepEvents(taskId: number, stepId: string): Promise<string[]> {
      const events = await listTaskEvents(control.store, taskId, 0);
      return events.filter((event) => event.type === 'task.step' && event.data.step === stepId).map((event) => String(event.data.status));
    }

    test('a step the agent reports while the task ends in error stays done; the error goes to the step it started next', async () => {
      const taskId = await runningInstall('check-image');
      let reported = false;
      racing.afterRead(1, async () => {
        reported = (await other.setStep(taskId, 'check-image', 'done')) && (await other.setStep(taskId, 'download-write', 'doing'));
      });
      const ended = await tasks.transition(taskId, 'ovhError', { failure: agentLost });
      assert.equal(reported, true, 'the agent report landed between the read and the write');
      assert.equal(ended.status, 'ovhError');
      assert.deepEqual(await stepOf(taskId, 'check-image'), ['done', null]);
      assert.deepEqual(await stepOf(taskId, 'download-write'), ['error', agentLost.message]);
      assert.deepEqual(await stepEvents(taskId, 'check-image'), ['doing', 'done']);
      assert.deepEqual(await stepEvents(taskId, 'download-write'), ['doing', 'error']);
    });

    test('the first-boot phone home that lands while finish() ends the install keeps first-boot done', async () => {
      const taskId = await runningInstall('first-boot');
      let confirmed = false;
      // finish() reads the task, then transition() reads it again before its write: the phone home comes after that.
      racing.afterRead(2, async () => {
        confirmed = await recordFirstBoot({ store: otherStore, tasks: other, bus: createTaskBus() }, taskId, { ok: true });
      });
      const ended = await tasks.finish(taskId, { ok: true, result: null, pendingSteps: ['first-boot'] });
      assert.equal(confirmed, true, 'the phone home landed between the read and the write');
      assert.equal(ended.status, 'done');
      assert.deepEqual(await stepOf(taskId, 'first-boot'), ['done', null]);
      assert.deepEqual(await stepEvents(taskId, 'first-boot'), ['doing', 'done']);
      assert.ok(ended.steps.every((step) => step.status === 'done'));
    });

    test('a task cancelled between the read and the write is not moved to doing by a late runner', async () => {
      const taskId = await claimedInstall();
      cancelAfterNextRead(taskId);
      await assert.rejects(tasks.transition(taskId, 'doing'), { code: 'BYOI_TASK_TRANSITION' });
      await assertCancelled(taskId);
    });

    test('a task cancelled between the read and the write is not ended again, its steps as the cancel left them', async () => {
      const taskId = await runningInstall('check-image');
      cancelAfterNextRead(taskId);
      await assert.rejects(tasks.transition(taskId, 'ovhError', { failure: agentLost }), { code: 'BYOI_TASK_TRANSITION' });
      await assertCancelled(taskId);
      const cancelMessage = (await tasks.get(taskId))?.errorMessage;
      assert.deepEqual(await stepOf(taskId, 'check-image'), ['error', cancelMessage]);
      assert.deepEqual(await stepEvents(taskId, 'check-image'), ['doing', 'error']);
    });
  });
}
