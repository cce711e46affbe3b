import assert from 'node:assert/strict';
import type { AgentControl } from './agent-control.ts';
import type { ControlTask } from '../../../../src/control/tasks/task-model.ts';

/** POST reinstall with a raw image and the given customizations; returns the task id. */
export async function reinstall(control: AgentControl, serverName: string, customizations: Record<string, unknown>, storage?: unknown): Promise<number> {
  const body: Record<string, unknown> = { operatingSystem: 'byoi_64', customizations: { imageType: 'raw', ...customizations } };
  if (storage !== undefined) body.storage = storage;
  const reply = await control.call('POST', `/dedicated/server/${serverName}/reinstall`, { body });
  assert.equal(reply.status, 200, reply.text);
  return (reply.body as { taskId: number }).taskId;
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the agent of `taskId` is writing: download-write doing with bytes written. */
export async function waitForWriting(control: AgentControl, taskId: number): Promise<ControlTask> {
  return waitFor(`task ${taskId} writing`, async () => {
    const task = await control.app.tasks.get(taskId);
    const writing = task?.steps.find((step) => step.id === 'download-write')?.status === 'doing' && (task.progress?.bytesWritten ?? 0) > 0;
    return writing ? task : undefined;
  });
}

/** The steps of a task as "id:status" strings. */
export async function stepsOf(control: AgentControl, taskId: number): Promise<string[]> {
  return ((await control.app.tasks.get(taskId))?.steps ?? []).map((step) => `${step.id}:${step.status}`);
}
