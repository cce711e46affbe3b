import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { installSteps } from '../../contract/task/install-steps.ts';
import { installTaskComments } from '../../contract/task/task-function.ts';
import { isTerminalTaskStatus, type TaskStatus } from '../../contract/task/task-status.ts';
import { taskStatusForError } from '../../contract/task/task-status-for-error.ts';
import type { StepStatus } from '../../contract/task/step-status.ts';
import type { InstallRequest } from '../../contract/request/install-request.ts';
import { parseReinstallBody } from '../../contract/request/parse-reinstall-body.ts';
import { toReinstallBody } from '../../contract/request/to-reinstall-body.ts';
import type { Store } from '../store/open-store.ts';
import { isUniqueViolation } from '../store/open-store.ts';
import { nowIso } from '../store/now-iso.ts';
import {
  claimTask,
  findActiveTask,
  findExpiredLeases,
  findTask,
  findTaskByAgentTokenHash,
  findTaskVersion,
  insertTask,
  readTaskRequestEnc,
  updateTask,
  updateTaskAndSteps,
  type TaskPatch,
} from '../store/tasks-repo.ts';
import { appendAgentTaskEvent, appendTaskEvent } from '../store/task-events-repo.ts';
import { advanceTaskStep, resetTaskStep } from '../store/task-steps-repo.ts';
import { findServerById, updateServer, type ServerPatch } from '../store/servers-repo.ts';
import { harddiskBootId } from '../fleet/boot-options.ts';
import { hashToken } from '../crypto/hash-token.ts';
import { randomToken } from '../crypto/random-token.ts';
import type { Server, TargetDisk } from '../fleet/server-model.ts';
import { activeTaskStatuses, assertTransition, canTransition, isActiveStatus } from './task-transitions.ts';
import { stepStatusesBefore, type StepAdvance } from './step-transitions.ts';
import type { TaskBus } from './task-bus.ts';
import type { ControlTask, ControlTaskFunction, TaskEventType, TaskProgress, TaskStep } from './task-model.ts';

/** A failure as a runner or agent reports it: a catalogue code and its filled message (errorFromRecord() gives one). */
export interface TaskFailure {
  code: string;
  message: string;
}

/**
 * Everything that creates or changes tasks. The API routes use the first group; a TaskRunner (tasks/task-runner.ts)
 * uses the second. Every status change goes through task-transitions.ts and is stored with a `task.status`
 * event, so SSE clients and a restarted control plane see the same history.
 */
export interface TaskService {
  // ── API side ──
  /** Validated request in, task in `init` out. @throws BYOI_REQUEST_DISK_GROUP, BYOI_TASK_ALREADY_EXISTS */
  createInstallTask(input: { server: Server; request: InstallRequest; route: 'reinstall' | 'installStart' }): Promise<ControlTask>;
  /** @throws BYOI_TASK_ALREADY_EXISTS while another task holds the server */
  createRebootTask(server: Server): Promise<ControlTask>;
  /** @throws BYOI_TASK_NOT_CANCELLABLE for a finished task */
  cancelTask(task: ControlTask): Promise<ControlTask>;

  // ── Runner side (the seam for the agent protocol, the boot service and the power drivers) ──
  get(taskId: number): Promise<ControlTask | undefined>;
  /** The decrypted install request, with its secrets: for the agent's job only, never for a reply or a log. */
  readInstallRequest(taskId: number): Promise<InstallRequest | null>;
  /** Claims the oldest `init` task (→ todo) with a lease of config.tasks.leaseSeconds. */
  claimNext(owner: string, functions?: readonly ControlTaskFunction[]): Promise<ControlTask | undefined>;
  /** Extends the lease (call on every agent heartbeat); false when `owner` no longer holds an active task. */
  renewLease(taskId: number, owner: string): Promise<boolean>;
  /** One status change along the table; `failure` fills error code, message and the failing step. */
  transition(taskId: number, to: TaskStatus, options?: { failure?: TaskFailure }): Promise<ControlTask>;
  /**
   * Moves a step forward (todo → doing → done | error; done and error are final), in one conditional UPDATE.
   * False when it did not move: it is already there or past it, or the task has ended (a late report).
   */
  setStep(taskId: number, stepId: string, status: StepAdvance, error?: string | null): Promise<boolean>;
  /**
   * Puts steps back to `todo` for a new attempt (the installer starts over): the only way back. Only steps in one
   * of `from` move, so a caller that resets a step it saw `doing` leaves it alone if it was done meanwhile.
   */
  resetSteps(taskId: number, stepIds: readonly string[], from?: readonly StepStatus[]): Promise<void>;
  /**
   * `agentKey` (an agent batch's events, agent/apply-agent-batch.ts): the event is stored once per task and key,
   * however many processes apply the batch at once.
   */
  recordProgress(taskId: number, progress: Omit<TaskProgress, 'updatedAt'>, agentKey?: string): Promise<void>;
  notice(taskId: number, message: string, agentKey?: string): Promise<void>;
  /**
   * Ends an active task: done with the agent's result, or the terminal status of the failure's fault
   * (taskStatusForError). Idempotent: a finished task is returned unchanged (late or duplicate reports).
   * On success every step is marked done except `pendingSteps`, which keep their status: the agent runner
   * leaves `first-boot` to the later first-boot confirmation (docs/API.md "When is an install done").
   */
  finish(taskId: number, outcome: { ok: true; result: unknown; pendingSteps?: readonly string[] } | { ok: false; error: TaskFailure }): Promise<ControlTask>;
  /** A fresh one-time agent token for the task; only its hash is stored, the previous one stops working. */
  issueAgentToken(taskId: number): Promise<string>;
  /** The active task an agent token belongs to. */
  findByAgentToken(token: string): Promise<ControlTask | undefined>;
  /** Ends every active task whose lease ran out as ovhError (BYOI_TASK_AGENT_LOST); returns how many. */
  expireLeases(): Promise<number>;
}

const requestPurpose = 'tasks.request';

export function createTaskService(options: { store: Store; bus: TaskBus; leaseSeconds: number; now?: () => number }): TaskService {
  const { store, bus } = options;
  const clock = options.now ?? Date.now;

  async function record(taskId: number, type: TaskEventType, data: Record<string, unknown>, agentKey?: string): Promise<void> {
    const event = { taskId, at: nowIso(clock()), type, data };
    const stored = agentKey === undefined ? await appendTaskEvent(store, event) : await appendAgentTaskEvent(store, event, agentKey);
    if (stored !== undefined) bus.emitEvent(stored);
  }

  async function requireTask(taskId: number): Promise<ControlTask> {
    const task = await findTask(store, taskId);
    if (task === undefined) throw new ByoiError('BYOI_API_TASK_NOT_FOUND', { taskId });
    return task;
  }

  async function create(server: Server, input: Omit<Parameters<typeof insertTask>[1], 'serverId' | 'accountId' | 'now'>): Promise<ControlTask> {
    const now = nowIso(clock());
    let task: ControlTask;
    try {
      task = await insertTask(store, { ...input, serverId: server.id, accountId: server.accountId, now });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const running = await findActiveTask(store, server.id);
      if (running === undefined) throw new ByoiError('BYOI_TASK_CREATE_FAILED', { serverName: server.serviceName }, { cause: error });
      throw new ByoiError('BYOI_TASK_ALREADY_EXISTS', {
        taskId: running.id,
        taskFunction: running.function,
        taskStatus: running.status,
        serverName: server.serviceName,
      });
    }
    await record(task.id, 'task.status', { status: task.status, comment: task.comment });
    bus.emitCreated(task.id);
    return task;
  }

  async function transition(
    taskId: number,
    to: TaskStatus,
    transitionOptions: { failure?: TaskFailure; result?: unknown; pendingSteps?: readonly string[] } = {},
  ): Promise<ControlTask> {
    // Compare-and-set, retried on a miss: on the status (a late writer cannot move an ended task: assertTransition()
    // refuses it on the next read) and, when the task ends, on its steps as read, so a step set meanwhile (an agent
    // report, the first-boot phone home) is not overwritten by this stale copy. One UPDATE rather than per-step
    // writes: no reader sees an ended task whose steps still run, and finalSteps() stays one pure function.
    for (let attempt = 0; attempt < 5; attempt++) {
      const read = await findTaskVersion(store, taskId);
      if (read === undefined) throw new ByoiError('BYOI_API_TASK_NOT_FOUND', { taskId });
      const { task } = read;
      assertTransition(taskId, task.status, to);
      const now = nowIso(clock());
      const patch: TaskPatch = { status: to, lastUpdate: now };
      let steps: TaskStep[] | undefined;
      if (isTerminalTaskStatus(to)) {
        Object.assign(patch, { active: false, doneDate: now, leaseOwner: null, leaseExpiresAt: null, agentTokenHash: null });
        steps = finalSteps(task.steps, to, transitionOptions.failure, now, transitionOptions.pendingSteps ?? []);
        if (transitionOptions.failure !== undefined) {
          patch.errorCode = transitionOptions.failure.code;
          patch.errorMessage = transitionOptions.failure.message;
          patch.comment = transitionOptions.failure.message;
        }
        if (transitionOptions.result !== undefined) patch.result = transitionOptions.result;
      }
      const written =
        steps === undefined ? await updateTask(store, taskId, patch, task.status) : await updateTaskAndSteps(store, taskId, patch, steps, read.version);
      if (written) {
        const data: Record<string, unknown> = { status: to, comment: patch.comment ?? task.comment };
        if (transitionOptions.failure !== undefined) Object.assign(data, { errorCode: transitionOptions.failure.code, message: transitionOptions.failure.message });
        await record(taskId, 'task.status', data);
        for (const step of steps ?? []) {
          const before = task.steps.find((s) => s.id === step.id);
          if (before !== undefined && before.status !== step.status) {
            await record(taskId, 'task.step', { step: step.id, comment: step.comment, status: step.status, error: step.error });
          }
        }
        return requireTask(taskId);
      }
    }
    throw new ByoiError('BYOI_TASK_TRANSITION', { taskId, from: 'a status or steps that kept changing', to });
  }

  /**
   * After a successful install the server boots its disk (OVH: bootId 1, no custom script) with the EFI loader
   * the agent found (DeployResult.efiBootloaderPath), else the one the request named.
   */
  async function bootInstalledDisk(task: ControlTask, result: unknown): Promise<void> {
    const found = (result as { efiBootloaderPath?: unknown } | null)?.efiBootloaderPath;
    const requested = (await readRequest(task.id))?.efiBootloaderPath ?? null;
    const patch: ServerPatch = { os: 'byoi_64', bootId: harddiskBootId, bootScript: null };
    const path = typeof found === 'string' ? found : requested;
    if (path !== null) patch.efiBootloaderPath = path;
    await updateServer(store, task.serverId, patch);
  }

  async function readRequest(taskId: number): Promise<InstallRequest | null> {
    const sealed = await readTaskRequestEnc(store, taskId);
    if (sealed === null) return null;
    return parseReinstallBody(JSON.parse(store.secrets.open(sealed, requestPurpose)));
  }

  return {
    async createInstallTask({ server, request, route }) {
      return create(server, {
        function: 'reinstallServer',
        comment: installTaskComments[route],
        requestEnc: store.secrets.seal(JSON.stringify(toReinstallBody(request)), requestPurpose),
        diskGroupId: request.diskGroupId,
        targetDisk: targetDiskOf(server, request.diskGroupId),
        steps: installSteps.map((step) => ({ id: step.id, comment: step.comment, status: 'todo', error: null, startedAt: null, doneAt: null })),
      });
    },

    async createRebootTask(server) {
      return create(server, { function: 'hardReboot', comment: 'Hard reboot asked', requestEnc: null, diskGroupId: null, targetDisk: null, steps: [] });
    },

    async cancelTask(task) {
      if (!isActiveStatus(task.status)) throw new ByoiError('BYOI_TASK_NOT_CANCELLABLE', { taskId: task.id, taskStatus: task.status });
      const cancelled = await transition(task.id, 'cancelled', {
        failure: { code: 'BYOI_DEPLOY_CANCELLED', message: new ByoiError('BYOI_DEPLOY_CANCELLED').message },
      });
      bus.emitCancelled(task.id);
      return cancelled;
    },

    get: (taskId) => findTask(store, taskId),

    readInstallRequest: readRequest,

    async claimNext(owner, functions = ['reinstallServer', 'hardReboot']) {
      const now = clock();
      const task = await claimTask(store, {
        owner,
        now: nowIso(now),
        leaseExpiresAt: nowIso(now + options.leaseSeconds * 1000),
        functions,
      });
      if (task !== undefined) await record(task.id, 'task.status', { status: task.status, comment: task.comment });
      return task;
    },

    async renewLease(taskId, owner) {
      const task = await findTask(store, taskId);
      if (task === undefined || !isActiveStatus(task.status) || task.leaseOwner !== owner) return false;
      const now = clock();
      return updateTask(store, taskId, { lastUpdate: nowIso(now), leaseExpiresAt: nowIso(now + options.leaseSeconds * 1000) }, task.status);
    },

    transition: (taskId, to, transitionOptions) => transition(taskId, to, transitionOptions ?? {}),

    async setStep(taskId, stepId, status, error = null) {
      const task = await requireTask(taskId);
      if (!isActiveStatus(task.status)) return false; // a late report about a finished task changes nothing
      const step = stepOf(task, stepId);
      const stepError = status === 'error' ? error : null;
      const target = { taskId, index: task.steps.indexOf(step), stepId, taskStatuses: activeTaskStatuses, from: stepStatusesBefore[status] };
      if (!(await advanceTaskStep(store, target, { status, error: stepError, now: nowIso(clock()) }))) return false;
      await record(taskId, 'task.step', { step: stepId, comment: step.comment, status, error: stepError });
      return true;
    },

    async resetSteps(taskId, stepIds, from = ['doing', 'done', 'error']) {
      const task = await requireTask(taskId);
      for (const stepId of stepIds) {
        const step = stepOf(task, stepId);
        const target = { taskId, index: task.steps.indexOf(step), stepId, taskStatuses: activeTaskStatuses, from };
        if (await resetTaskStep(store, target, nowIso(clock()))) {
          await record(taskId, 'task.step', { step: stepId, comment: step.comment, status: 'todo', error: null });
        }
      }
    },

    async recordProgress(taskId, progress, agentKey) {
      const task = await findTask(store, taskId);
      if (task === undefined || !isActiveStatus(task.status)) return;
      const now = nowIso(clock());
      const value: TaskProgress = { ...progress, updatedAt: now };
      if (await updateTask(store, taskId, { lastUpdate: now, progress: value }, task.status)) {
        await record(taskId, 'task.progress', { ...value }, agentKey);
      }
    },

    async notice(taskId, message, agentKey) {
      await record(taskId, 'task.notice', { message }, agentKey);
    },

    async finish(taskId, outcome) {
      const task = await requireTask(taskId);
      if (isTerminalTaskStatus(task.status)) return task;
      if (outcome.ok) {
        if (task.status !== 'doing') await transition(taskId, 'doing');
        const done = await transition(taskId, 'done', { result: outcome.result, pendingSteps: outcome.pendingSteps ?? [] });
        if (done.function === 'reinstallServer') await bootInstalledDisk(done, outcome.result);
        return done;
      }
      let to: TaskStatus = taskStatusForError(outcome.error);
      // A task no runner has started cannot be the customer's fault yet (init → customerError is not in the table).
      if (!canTransition(task.status, to)) to = 'ovhError';
      return transition(taskId, to, { failure: outcome.error });
    },

    async issueAgentToken(taskId) {
      const task = await requireTask(taskId);
      if (!isActiveStatus(task.status)) throw new ByoiError('BYOI_TASK_TRANSITION', { taskId, from: task.status, to: 'agent enrolment' });
      const token = randomToken(43);
      await updateTask(store, taskId, { lastUpdate: nowIso(clock()), agentTokenHash: hashToken(token) });
      return token;
    },

    async findByAgentToken(token) {
      const task = await findTaskByAgentTokenHash(store, hashToken(token));
      return task !== undefined && isActiveStatus(task.status) ? task : undefined;
    },

    async expireLeases() {
      const expired = await findExpiredLeases(store, nowIso(clock()));
      let count = 0;
      for (const task of expired) {
        const server = await findServerById(store, task.serverId);
        const error = new ByoiError('BYOI_TASK_AGENT_LOST', { serverName: server?.serviceName ?? String(task.serverId), seconds: options.leaseSeconds });
        try {
          await transition(task.id, 'ovhError', { failure: { code: error.code, message: error.message } });
          count++;
        } catch (failure) {
          // Another writer finished it meanwhile: nothing to expire.
          if ((failure as { code?: unknown }).code !== 'BYOI_TASK_TRANSITION') throw failure;
        }
      }
      return count;
    },
  };
}

/** The first disk of the requested group, or of the group with the lowest id when none was asked for. */
export function targetDiskOf(server: Server, diskGroupId: number | null): TargetDisk {
  const groups = [...server.diskGroups].sort((a, b) => a.diskGroupId - b.diskGroupId);
  const group = diskGroupId === null ? groups[0] : groups.find((g) => g.diskGroupId === diskGroupId);
  const disk = group?.disks[0];
  if (group === undefined || disk === undefined) {
    throw new ByoiError('BYOI_REQUEST_DISK_GROUP', {
      diskGroupName: diskGroupId === null ? 'A disk group' : `Disk group ${diskGroupId}`,
      serverName: server.serviceName,
    });
  }
  const target: TargetDisk = { diskGroupId: group.diskGroupId, sizeBytes: disk.sizeBytes };
  if (disk.device !== undefined) target.device = disk.device;
  if (disk.path !== undefined) target.path = disk.path;
  if (disk.serial !== undefined) target.serial = disk.serial;
  if (disk.wwn !== undefined) target.wwn = disk.wwn;
  return target;
}

/** The step `stepId` of a task. @throws BYOI_API_INVALID_VALUE when the task has no such step */
function stepOf(task: ControlTask, stepId: string): TaskStep {
  const step = task.steps.find((s) => s.id === stepId);
  if (step === undefined) throw new ByoiError('BYOI_API_INVALID_VALUE', { name: 'step', reason: `task ${task.id} has no step ${stepId}` });
  return step;
}

/** Steps once a task ends: all done on success; on failure the running (or next) step carries the message. */
function finalSteps(steps: TaskStep[], to: TaskStatus, failure: TaskFailure | undefined, now: string, pending: readonly string[]): TaskStep[] {
  if (to === 'done') {
    return steps.map((step) =>
      step.status === 'done' || pending.includes(step.id) ? step : { ...step, status: 'done', doneAt: now, startedAt: step.startedAt ?? now },
    );
  }
  const failing = steps.find((step) => step.status === 'doing') ?? steps.find((step) => step.status === 'todo');
  return steps.map((step) =>
    step === failing ? { ...step, status: 'error', error: failure?.message ?? to, doneAt: now } : step,
  );
}
