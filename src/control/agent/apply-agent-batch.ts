import type { AgentEventsBatch, AgentEventsReply } from '../../contract/agent/agent-protocol.ts';
import type { Store } from '../store/open-store.ts';
import type { ControlTask } from '../tasks/task-model.ts';
import type { TaskService } from '../tasks/task-service.ts';
import { advanceSeq, findSession } from './agent-sessions-repo.ts';
import { installRedactor } from './install-redactor.ts';
import { planAgentEvents } from './plan-agent-events.ts';

/**
 * Applies one event batch of the installer of `tokenHash` to its running task. A batch not above the last one
 * applied is a replay: acknowledged, ignored. Two processes (`serve --workers`, instances on one PostgreSQL) may
 * still apply the same batch at once, a retry racing its original, both past that check; it then changes the task
 * once: steps move by conditional updates, its progress and notice events are stored under keys of the installer,
 * batch and item, each once (appendAgentTaskEvent), and advanceSeq() never moves the sequence back.
 */
export async function applyAgentBatch(
  deps: { store: Store; tasks: TaskService },
  installer: { tokenHash: string; task: ControlTask },
  batch: AgentEventsBatch,
): Promise<AgentEventsReply> {
  const { store, tasks } = deps;
  const { tokenHash, task } = installer;
  const lastSeq = (await findSession(store, tokenHash))?.lastSeq ?? 0;
  if (batch.seq <= lastSeq) return { applied: false, seq: lastSeq };
  const current = (await tasks.get(task.id)) ?? task;
  const plan = planAgentEvents(batch.events, current.steps);
  const key = (item: string) => agentEventKey(tokenHash, batch.seq, item);
  for (const change of plan.steps) await tasks.setStep(task.id, change.step, change.status);
  if (plan.progress !== null) await tasks.recordProgress(task.id, plan.progress, key('progress'));
  if (plan.notices.length > 0) {
    const redact = await installRedactor(tasks, task.id);
    for (const [index, notice] of plan.notices.entries()) await tasks.notice(task.id, redact(notice), key(`notice.${index}`));
  }
  await tasks.renewLease(task.id, current.leaseOwner ?? '');
  await advanceSeq(store, tokenHash, batch.seq);
  return { applied: true, seq: batch.seq };
}

/**
 * Names one event of one batch of one installer. A task has a few installers at most (one per attempt), each
 * numbering its batches from 1: 16 hex digits of the token hash tell them apart without storing the hash again.
 */
export function agentEventKey(tokenHash: string, seq: number, item: string): string {
  return `${tokenHash.slice(0, 16)}:${seq}:${item}`;
}
