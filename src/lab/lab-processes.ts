import { existsSync, readFileSync } from 'node:fs';
import type { LabServer } from './lab-state.ts';

/**
 * The pid of a lab server's QEMU from its pid file, only when that process still is this server's QEMU: its
 * command line must name qemu-system and this server's QMP socket (a stale pid file may name a recycled pid,
 * and the lab never signals a process it did not start).
 */
export function labServerPid(server: LabServer): number | undefined {
  if (!existsSync(server.pidFile)) return undefined;
  const pid = Number(readFileSync(server.pidFile, 'utf8').trim());
  if (!Number.isSafeInteger(pid) || pid <= 1) return undefined;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
  const args = cmdline.split('\0');
  if (!(args[0] ?? '').includes('qemu-system') || !args.some((arg) => arg.includes(server.qmpSocket.replaceAll(',', ',,')))) return undefined;
  return pid;
}

/** True while the server's QEMU process runs (whatever the guest does, even powered off under -S). */
export function isLabServerRunning(server: LabServer): boolean {
  return labServerPid(server) !== undefined;
}
