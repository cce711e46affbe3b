import { rmSync } from 'node:fs';
import type { Config } from '../control/config/config-schema.ts';
import { removeServer } from '../control/fleet/server-admin.ts';
import { openControlStore } from '../control/open-control-store.ts';
import { qmpExecute } from '../control/power/qmp-client.ts';
import { findServerByName } from '../control/store/servers-repo.ts';
import { labServerPid } from './lab-processes.ts';
import { labDir, readLabState, type LabServer } from './lab-state.ts';

export interface LabDownResult {
  stopped: string[];
  /** With purge: the servers removed from the control plane. */
  unregistered: string[];
}

/**
 * `byoi lab down`: stops every lab server's QEMU (QMP `quit`, then SIGTERM and SIGKILL to that pid if it lingers).
 * Disks, firmware variables and serial logs stay, so `byoi lab up` starts the same servers again. With `purge`,
 * the lab directory goes too and the servers are removed from the control plane (refused while one has a task).
 */
export async function labDown(config: Config, options: { purge?: boolean } = {}): Promise<LabDownResult> {
  const state = readLabState(config.dataDir);
  const result: LabDownResult = { stopped: [], unregistered: [] };
  if (state === undefined) return result;
  for (const server of state.servers) {
    if (await stopMachine(server)) result.stopped.push(server.serviceName);
    rmSync(server.qmpSocket, { force: true });
    rmSync(server.pidFile, { force: true });
  }
  if (options.purge === true) {
    const { store } = await openControlStore(config);
    try {
      for (const server of state.servers) {
        if ((await findServerByName(store, server.serviceName)) === undefined) continue;
        await removeServer(store, server.serviceName);
        result.unregistered.push(server.serviceName);
      }
    } finally {
      await store.close();
    }
    rmSync(labDir(config.dataDir), { recursive: true, force: true });
  }
  return result;
}

/** Ends one server's QEMU; true when it was running. Only the pid the lab started is ever signalled. */
export async function stopMachine(server: LabServer): Promise<boolean> {
  const pid = labServerPid(server);
  if (pid === undefined) return false;
  try {
    await qmpExecute(server.qmpSocket, [{ execute: 'quit' }], { timeoutMs: 5000 });
  } catch {
    // QMP busy or gone: the signals below end it.
  }
  for (const [signal, waitMs] of [[null, 5000], ['SIGTERM', 5000], ['SIGKILL', 5000]] as const) {
    if (signal !== null && labServerPid(server) === pid) process.kill(pid, signal);
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && labServerPid(server) === pid) await new Promise((resolve) => setTimeout(resolve, 100));
    if (labServerPid(server) !== pid) return true;
  }
  return true;
}
