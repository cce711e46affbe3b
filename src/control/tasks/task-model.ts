import type { StepStatus } from '../../contract/task/step-status.ts';
import type { TaskStatus } from '../../contract/task/task-status.ts';
import type { TargetDisk } from '../fleet/server-model.ts';

/** Task functions the control plane creates: installs (both OVH routes) and reboots (`POST .../reboot`). */
export type ControlTaskFunction = 'reinstallServer' | 'hardReboot';

/** A task as the control plane keeps it. The install request is not here: readInstallRequest() decrypts it on demand. */
export interface ControlTask {
  id: number;
  serverId: number;
  accountId: number;
  function: ControlTaskFunction;
  status: TaskStatus;
  comment: string;
  startDate: string;
  doneDate: string | null;
  lastUpdate: string;
  diskGroupId: number | null;
  targetDisk: TargetDisk | null;
  /** Install tasks list every BYOI step from the start (contract/task/install-steps.ts); reboots have none. */
  steps: TaskStep[];
  progress: TaskProgress | null;
  /** The deploy result the agent reported (JSON, no secret), once done. */
  result: unknown;
  errorCode: string | null;
  errorMessage: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  attempts: number;
  cancelRequested: boolean;
}

export interface TaskStep {
  /** An InstallStepId for installs. */
  id: string;
  comment: string;
  status: StepStatus;
  /** The catalogue message of the failure when status is error, else null. */
  error: string | null;
  startedAt: string | null;
  doneAt: string | null;
}

/** byoi's extra progress figures (OVH's install/status has none): bytes, rate and ETA of the image write. */
export interface TaskProgress {
  bytesDownloaded: number;
  bytesTotal: number | null;
  bytesWritten: number;
  /** Bytes per second over the last few seconds. */
  rate: number;
  etaSeconds: number | null;
  updatedAt: string;
}

/** One stored event of a task, replayed by the SSE stream (its id is the SSE `id:`). */
export interface TaskEvent {
  id: number;
  taskId: number;
  at: string;
  type: TaskEventType;
  data: Record<string, unknown>;
}

/**
 * - task.status: {status, comment, errorCode?, message?}
 * - task.step: {step, comment, status, error}
 * - task.progress: TaskProgress
 * - task.notice: {message} (download retries, warnings; never a secret)
 */
export type TaskEventType = 'task.status' | 'task.step' | 'task.progress' | 'task.notice';
