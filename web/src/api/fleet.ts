import { isTerminalTaskStatus } from '../../../src/contract/task/task-status.ts';
import { ApiError } from './api-error.ts';
import { api, segment } from './client.ts';
import { currentStep, installFraction } from './install-progress.ts';
import type { AdminServerView, AdminTask, DedicatedServer, HardwareSpecifications, InstallStatusReply, TaskReply, TaskStatus } from './types.ts';
import { mapLimited } from './use-async.ts';

/** A task still running on a server, as the servers list shows it. */
export interface CurrentTask {
  taskId: number;
  function: string;
  status: TaskStatus;
  comment: string;
  /** 0..1 for installs whose steps are known; null otherwise. */
  fraction: number | null;
  /** The running step of an install. */
  step: string | null;
}

/** One row of the servers list. */
export interface ServerSummary {
  serviceName: string;
  displayName: string;
  /** Owning account: shown to operators, who see the whole fleet. */
  account: string | null;
  /** True when the signed-in account owns it (only then can it be installed or rebooted from here). */
  mine: boolean;
  state: string;
  os: string;
  bootMode: string;
  datacenter: string;
  currentTask: CurrentTask | null;
}

const parallel = 6;

/** Task ids of a server, oldest first. */
export function listTaskIds(serviceName: string): Promise<number[]> {
  return api<number[]>('GET', `/dedicated/server/${segment(serviceName)}/task`);
}

export function getTask(serviceName: string, taskId: number): Promise<TaskReply> {
  return api<TaskReply>('GET', `/dedicated/server/${segment(serviceName)}/task/${taskId}`);
}

export function getServer(serviceName: string): Promise<DedicatedServer> {
  return api<DedicatedServer>('GET', `/dedicated/server/${segment(serviceName)}`);
}

export function getHardware(serviceName: string): Promise<HardwareSpecifications> {
  return api<HardwareSpecifications>('GET', `/dedicated/server/${segment(serviceName)}/specifications/hardware`);
}

/** install/status, or null when no install runs (404 "Server is not being installed..."). */
export async function getInstallStatus(serviceName: string): Promise<InstallStatusReply | null> {
  try {
    return await api<InstallStatusReply>('GET', `/dedicated/server/${segment(serviceName)}/install/status`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** The server's running task, if any, with an install's progress. */
export async function findCurrentTask(serviceName: string): Promise<CurrentTask | null> {
  const ids = await listTaskIds(serviceName);
  const last = ids.at(-1);
  if (last === undefined) return null;
  const task = await getTask(serviceName, last);
  if (isTerminalTaskStatus(task.status)) return null;
  const current: CurrentTask = { taskId: task.taskId, function: task.function, status: task.status, comment: task.comment ?? '', fraction: null, step: null };
  if (task.function === 'reinstallServer') {
    const status = await getInstallStatus(serviceName);
    if (status !== null && status.byoi.taskId === task.taskId) {
      current.fraction = installFraction(status.progress, { downloaded: status.byoi.bytesDownloaded, total: status.byoi.bytesTotal });
      current.step = currentStep(status.progress)?.comment ?? null;
    }
  }
  return current;
}

/** The signed-in account's servers, each with its details and running task. */
export async function loadMyServers(): Promise<ServerSummary[]> {
  const names = await api<string[]>('GET', '/dedicated/server');
  return mapLimited(names, parallel, async (serviceName) => {
    const [server, hardware, currentTask] = await Promise.all([getServer(serviceName), getHardware(serviceName), findCurrentTask(serviceName)]);
    return {
      serviceName,
      displayName: server.displayName,
      account: null,
      mine: true,
      state: server.state,
      os: server.os,
      bootMode: hardware.bootMode,
      datacenter: server.datacenter,
      currentTask,
    };
  });
}

/**
 * The whole fleet, for an operator: every account's servers from the admin API (GET /admin/server, and the
 * recent tasks for the running ones), with the operator's own servers in full detail.
 */
export async function loadFleet(account: string): Promise<ServerSummary[]> {
  const [views, tasks, mine] = await Promise.all([
    api<AdminServerView[]>('GET', '/admin/server'),
    api<AdminTask[]>('GET', '/admin/task?limit=500'),
    loadMyServers(),
  ]);
  const own = new Map(mine.map((server) => [server.serviceName, server]));
  const byId = new Map(tasks.map((task) => [task.taskId, task]));
  return views.map((view): ServerSummary => {
    const detailed = own.get(view.serviceName);
    if (detailed !== undefined) return { ...detailed, account: view.account };
    const active = view.activeTaskId === null ? undefined : byId.get(view.activeTaskId);
    return {
      serviceName: view.serviceName,
      displayName: view.displayName,
      account: view.account,
      mine: view.account === account,
      state: view.state,
      os: view.os,
      bootMode: view.bootMode,
      datacenter: view.datacenter,
      currentTask:
        view.activeTaskId === null
          ? null
          : {
              taskId: view.activeTaskId,
              function: active?.function ?? 'task',
              status: (active?.status ?? 'doing') as TaskStatus,
              comment: active?.comment ?? '',
              fraction: null,
              step: null,
            },
    };
  });
}
