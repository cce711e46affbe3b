import { qmpExecute } from '../control/power/qmp-client.ts';
import { labServerPid } from './lab-processes.ts';
import { readLabState, type LabAccelerator, type LabFirmware } from './lab-state.ts';

/** One lab server as `byoi lab status --json` prints it. */
export interface LabServerStatus {
  serviceName: string;
  mac: string;
  firmware: LabFirmware;
  qmpSocket: string;
  /** The 127.0.0.1 port forwarded to the guest's SSH (port 22). */
  sshPort: number;
  serialLog: string;
  disk: string;
  diskSizeBytes: number;
  memoryMiB: number;
  /** The QEMU process, or null when it is not running. */
  pid: number | null;
  /** QMP query-status: running, prelaunch (powered off, never started), paused, shutdown...; null without QEMU. */
  runState: string | null;
}

export interface LabStatus {
  accelerator: LabAccelerator;
  control: { url: string; ca: string | null };
  servers: LabServerStatus[];
}

/**
 * The lab of a data directory, each server with its QEMU process and run state (one short QMP session each).
 * Undefined when the data directory has no lab.
 */
export async function labStatus(dataDir: string): Promise<LabStatus | undefined> {
  const state = readLabState(dataDir);
  if (state === undefined) return undefined;
  const servers: LabServerStatus[] = [];
  for (const server of state.servers) {
    const pid = labServerPid(server) ?? null;
    let runState: string | null = null;
    if (pid !== null) {
      try {
        const [status] = await qmpExecute(server.qmpSocket, [{ execute: 'query-status' }], { timeoutMs: 5000 });
        runState = String((status as { status?: unknown }).status ?? 'unknown');
      } catch {
        runState = 'unknown';
      }
    }
    servers.push({
      serviceName: server.serviceName,
      mac: server.mac,
      firmware: server.firmware,
      qmpSocket: server.qmpSocket,
      sshPort: server.sshPort,
      serialLog: server.serialLog,
      disk: server.disk,
      diskSizeBytes: server.diskSizeBytes,
      memoryMiB: server.memoryMiB,
      pid,
      runState,
    });
  }
  return { accelerator: state.accelerator, control: state.control, servers };
}
