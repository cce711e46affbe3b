// A task's steps move forward only (todo → doing → done | error), in the database's own conditional UPDATE; the
// one way back is resetSteps(), for an installer that starts over.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { listTaskEvents } from '../../../src/control/store/task-events-repo.ts';
import { databaseLegs } from './helpers/database-legs.ts';
import { startControl, type ControlFixture, type Tenant } from './helpers/control-fixture.ts';
import { seedReinstallPayload } from './helpers/seed-payload.ts';

for (const leg of databaseLegs()) {
  describe(`install steps move forward only (${leg.name})`, { skip: leg.skip }, () => {
    let control: ControlFixture;
    let alice: Tenant;

    before(async () => {
      control = await startControl(leg);
      alice = await control.tenant('alice');
    });
    after(async () => control?.close());

    /** A claimed install task (todo), as the runner has it right after claimNext(). */
    async function claimedInstall(): Promise<number> {
      const server = await control.server('alice');
      const reply = await control.call(alice.keys, 'POST', `/1.0/dedicated/server/${server.serviceName}/reinstall`, { body: seedReinstallPayload() });
      assert.equal(reply.status, 200, reply.text);
      const taskId = (reply.body as { taskId: number }).taskId;
      assert.equal((await control.app.tasks.claimNext('runner'))?.id, taskId);
      return taskId;
    }

    async function cancel(taskId: number): Promise<void> {
      const task = await control.app.tasks.get(taskId);
      if (task !== undefined) await control.app.tasks.cancelTask(task);
    }

    async function stepStatus(taskId: number, stepId: string): Promise<string | undefined> {
      return (await control.app.tasks.get(taskId))?.steps.find((step) => step.id === stepId)?.status;
    }

    async function stepEvents(taskId: number, stepId: string): Promise<string[]> {
      const events = await listTaskEvents(control.store, taskId, 0);
      return events.filter((event) => event.type === 'task.step' && event.data.step === stepId).map((event) => String(event.data.status));
    }

    test("setStep() keeps reboot-installer done when the runner's doing comes after the agent's enrolment", async () => {
      const tasks = control.app.tasks;
      const taskId = await claimedInstall();
      // The agent enrolled within the same milliseconds: the job route made the task doing and the step done ...
      await tasks.transition(taskId, 'doing');
      assert.equal(await tasks.setStep(taskId, 'reboot-installer', 'done'), true);
      // ... before the runner, just after its claim, marked the step it had started.
      assert.equal(await tasks.setStep(taskId, 'reboot-installer', 'doing'), false, 'a step does not move back');
      assert.equal(await stepStatus(taskId, 'reboot-installer'), 'done');
      assert.deepEqual(await stepEvents(taskId, 'reboot-installer'), ['done'], 'no event for a move that did not happen');
      await cancel(taskId);
    });

    test('setStep() moves todo → doing → done, todo → error; done and error are final; a finished task changes nothing', async () => {
      const tasks = control.app.tasks;
      const taskId = await claimedInstall();
      assert.equal(await tasks.setStep(taskId, 'reboot-installer', 'doing'), true);
      assert.equal(await tasks.setStep(taskId, 'reboot-installer', 'doing'), false, 'already doing');
      assert.equal(await tasks.setStep(taskId, 'reboot-installer', 'done'), true);
      assert.equal(await tasks.setStep(taskId, 'reboot-installer', 'error', 'late'), false);
      assert.equal(await tasks.setStep(taskId, 'check-image', 'error', 'bad image'), true);
      assert.equal(await tasks.setStep(taskId, 'check-image', 'done'), false);
      const steps = (await tasks.get(taskId))?.steps ?? [];
      const checkImage = steps.find((step) => step.id === 'check-image');
      assert.deepEqual([checkImage?.status, checkImage?.error], ['error', 'bad image']);
      assert.ok(checkImage?.startedAt !== null && checkImage?.doneAt !== null);
      const rebootInstaller = steps.find((step) => step.id === 'reboot-installer');
      assert.deepEqual([rebootInstaller?.status, rebootInstaller?.error], ['done', null]);
      assert.equal(steps.find((step) => step.id === 'download-write')?.status, 'todo', 'the other steps are untouched');

      await cancel(taskId);
      const frozen = await tasks.get(taskId);
      assert.equal(await tasks.setStep(taskId, 'first-boot', 'doing'), false);
      assert.deepEqual(await tasks.get(taskId), frozen);
    });

    test('resetSteps() puts steps back to todo for an installer that starts over; with `from`, only steps in those statuses', async () => {
      const tasks = control.app.tasks;
      const taskId = await claimedInstall();
      await tasks.setStep(taskId, 'reboot-installer', 'done');
      await tasks.transition(taskId, 'doing');
      await tasks.setStep(taskId, 'check-image', 'done');
      await tasks.setStep(taskId, 'download-write', 'doing');
      await tasks.resetSteps(taskId, ['reboot-installer', 'check-image', 'download-write', 'verify-checksum']);
      const steps = (await tasks.get(taskId))?.steps ?? [];
      for (const id of ['reboot-installer', 'check-image', 'download-write']) {
        assert.deepEqual(
          steps.filter((step) => step.id === id).map((step) => [step.status, step.error, step.startedAt, step.doneAt]),
          [['todo', null, null, null]],
          id,
        );
      }
      assert.deepEqual(await stepEvents(taskId, 'check-image'), ['done', 'todo']);
      assert.deepEqual(await stepEvents(taskId, 'verify-checksum'), [], 'a step already todo is not reset again');
      // The new attempt moves them forward again.
      assert.equal(await tasks.setStep(taskId, 'reboot-installer', 'doing'), true);

      // The first-boot wait ends: back to todo only if the phone home did not make it done meanwhile.
      await tasks.setStep(taskId, 'first-boot', 'doing');
      await tasks.setStep(taskId, 'first-boot', 'done');
      await tasks.resetSteps(taskId, ['first-boot'], ['doing']);
      assert.equal(await stepStatus(taskId, 'first-boot'), 'done');
      await cancel(taskId);
    });
  });
}
