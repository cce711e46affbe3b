import { deployPhases, type DeployPhase } from '../../contract/deploy-events.ts';
import type { InstallStepId } from '../../contract/task/install-steps.ts';
import type { TaskProgress, TaskStep } from '../tasks/task-model.ts';

/**
 * The install step each deploy phase belongs to (contract/task/install-steps.ts), and the phase that closes it:
 *
 *   check-image      ← preflight
 *   download-write   ← wipe + write       (bytes, rate and ETA from write.progress)
 *   verify-checksum  ← verify
 *   move-gpt         ← gpt
 *   config-drive     ← config-drive + boot + commit
 *
 * reboot-installer is the runner's (done when the agent fetches its job); switch-boot, last-reboot and first-boot
 * come after the agent's result.
 */
export const phaseStep: Readonly<Record<DeployPhase, InstallStepId>> = {
  preflight: 'check-image',
  wipe: 'download-write',
  write: 'download-write',
  verify: 'verify-checksum',
  gpt: 'move-gpt',
  'config-drive': 'config-drive',
  boot: 'config-drive',
  commit: 'config-drive',
};

/** The steps the agent's deploy moves, in order. */
export const agentSteps: readonly InstallStepId[] = ['check-image', 'download-write', 'verify-checksum', 'move-gpt', 'config-drive'];

const closingPhase: Readonly<Partial<Record<DeployPhase, InstallStepId>>> = {
  preflight: 'check-image',
  write: 'download-write',
  verify: 'verify-checksum',
  gpt: 'move-gpt',
  commit: 'config-drive',
};

/** What one batch of agent events changes on a task. */
export interface AgentEventsPlan {
  /** Step changes in the order to apply them. */
  steps: Array<{ step: InstallStepId; status: 'doing' | 'done' }>;
  /** The last write.progress of the batch (earlier ones are superseded). */
  progress: Omit<TaskProgress, 'updatedAt'> | null;
  /** Download notices and warnings, as task.notice messages. */
  notices: string[];
}

/**
 * Turns a batch of deploy events (as the agent sent them: untrusted JSON) into step changes, the latest progress
 * and notices, given the task's steps now. Pure. Unknown or malformed events are skipped; a step never moves
 * back (a replayed `phase.start` of a step already done changes nothing), and when a step starts, the agent steps
 * before it that are not done yet become done (their events may have been lost while the agent could not post).
 */
export function planAgentEvents(events: readonly unknown[], current: readonly TaskStep[]): AgentEventsPlan {
  const status = new Map<string, string>(current.map((step) => [step.id, step.status]));
  const plan: AgentEventsPlan = { steps: [], progress: null, notices: [] };
  const move = (step: InstallStepId, to: 'doing' | 'done') => {
    const now = status.get(step);
    if (now === undefined || now === 'done' || now === 'error' || now === to) return;
    status.set(step, to);
    plan.steps.push({ step, status: to });
  };

  for (const raw of events) {
    if (typeof raw !== 'object' || raw === null) continue;
    const event = raw as Record<string, unknown>;
    switch (event.type) {
      case 'phase.start': {
        const phase = asPhase(event.phase);
        if (phase === null) break;
        const step = phaseStep[phase];
        for (const earlier of agentSteps.slice(0, agentSteps.indexOf(step))) move(earlier, 'done');
        move(step, 'doing');
        break;
      }
      case 'phase.end': {
        const phase = asPhase(event.phase);
        const step = phase === null ? undefined : closingPhase[phase];
        if (step !== undefined) move(step, 'done');
        break;
      }
      case 'write.progress': {
        const bytesDownloaded = count(event.bytesDownloaded);
        const bytesWritten = count(event.bytesWritten);
        if (bytesDownloaded === null || bytesWritten === null) break;
        plan.progress = {
          bytesDownloaded,
          bytesTotal: count(event.bytesTotal),
          bytesWritten,
          rate: count(event.rate) ?? 0,
          etaSeconds: count(event.etaSeconds),
        };
        break;
      }
      case 'download.notice':
        if (typeof event.message === 'string') plan.notices.push(event.message.slice(0, 1000));
        break;
      case 'warning': {
        const message = (event.warning as { message?: unknown } | undefined)?.message;
        if (typeof message === 'string') plan.notices.push(message.slice(0, 1000));
        break;
      }
      default:
        // deploy.start, preflight.result, deploy.end, deploy.error: the result carries what matters.
        break;
    }
  }
  return plan;
}

function asPhase(value: unknown): DeployPhase | null {
  return typeof value === 'string' && (deployPhases as readonly string[]).includes(value) ? (value as DeployPhase) : null;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
}
