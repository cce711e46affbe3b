import { ApiError } from './api-error.ts';
import { api, segment } from './client.ts';
import { getHardware, getServer, getTask, listTaskIds } from './fleet.ts';
import type { AdminServerView, BootOption, DedicatedServer, HardwareSpecifications, TaskReply } from './types.ts';
import { mapLimited } from './use-async.ts';

/** Everything the server page shows about one of the signed-in account's servers. */
export interface ServerDetails {
  kind: 'own';
  server: DedicatedServer;
  hardware: HardwareSpecifications;
  boot: BootOption | null;
  bootOptions: BootOption[];
  /** Newest first. */
  tasks: TaskReply[];
}

/** Another account's server, seen by an operator through the admin API (read-only here). */
export interface ForeignServer {
  kind: 'foreign';
  view: AdminServerView;
}

/** The most recent tasks the server page lists. */
const taskLimit = 50;

/** Loads a server of the signed-in account, or, for an operator, any server through the admin API. */
export async function loadServerDetails(serviceName: string, operator: boolean): Promise<ServerDetails | ForeignServer> {
  let server: DedicatedServer;
  try {
    server = await getServer(serviceName);
  } catch (error) {
    if (operator && error instanceof ApiError && error.status === 404) {
      return { kind: 'foreign', view: await api<AdminServerView>('GET', `/admin/server/${segment(serviceName)}`) };
    }
    throw error;
  }
  const [hardware, bootIds, taskIds] = await Promise.all([getHardware(serviceName), api<number[]>('GET', `/dedicated/server/${segment(serviceName)}/boot`), listTaskIds(serviceName)]);
  const [bootOptions, tasks] = await Promise.all([
    mapLimited(bootIds, 4, (id) => api<BootOption>('GET', `/dedicated/server/${segment(serviceName)}/boot/${id}`)),
    mapLimited(taskIds.slice(-taskLimit).reverse(), 4, (id) => getTask(serviceName, id)),
  ]);
  return { kind: 'own', server, hardware, boot: bootOptions.find((option) => option.bootId === server.bootId) ?? null, bootOptions, tasks };
}
