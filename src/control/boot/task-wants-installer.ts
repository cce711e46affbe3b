import { isTerminalTaskStatus } from '../../contract/task/task-status.ts';
import type { BootTask } from './server-lookup.ts';

/** Install steps from which on the server boots its freshly written disk, not the installer. */
const diskPhaseSteps: ReadonlySet<string> = new Set(['last-reboot', 'first-boot']);

/**
 * Whether a server with this active task should PXE-boot the byoi installer (rescue system + agent token).
 * An install wants it until its boot is switched to the disk: the `switch-boot` step done, or `last-reboot` /
 * `first-boot` started (contract/task/install-steps.ts), or its agent's result recorded. This is the contract with the TaskRunner: mark
 * `switch-boot` done before the last reboot, and the boot service serves the disk from then on.
 */
export function taskWantsInstaller(task: BootTask | undefined): boolean {
  if (task === undefined || task.function !== 'reinstallServer' || isTerminalTaskStatus(task.status)) return false;
  // The agent reported its result: the runner is switching boot to the disk (agent/issue-installer-token.ts agrees).
  if (task.result !== null) return false;
  return !task.steps.some(
    (step) => (step.id === 'switch-boot' && step.status === 'done') || (diskPhaseSteps.has(step.id) && (step.status === 'doing' || step.status === 'done')),
  );
}
