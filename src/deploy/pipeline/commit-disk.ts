import { execFile } from 'node:child_process';
import type { DeployWarning } from '../../contract/deploy-events.ts';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { DiskIO } from '../disk/disk-io.ts';

/**
 * The commit phase: writes the held-back ranges (partition tables, config-drive entry) and syncs, then, on a
 * block device, asks the kernel to re-read the partition table (`blockdev --rereadpt`, else `partx -u`).
 * A kernel that cannot re-read (a device in use, a tool missing) is a warning: the table is on the disk and the
 * next boot reads it.
 */
export async function commitDisk(commit: () => Promise<void>, disk: DiskIO): Promise<DeployWarning[]> {
  await commit();
  await disk.sync();
  if (!disk.isBlockDevice) return [];
  const attempts: [string, string[]][] = [
    ['blockdev', ['--rereadpt', disk.name]],
    ['partx', ['-u', disk.name]],
  ];
  const reasons: string[] = [];
  for (const [command, args] of attempts) {
    const reason = await runTool(command, args);
    if (reason === null) return [];
    reasons.push(`${command}: ${reason}`);
  }
  const warning = new ByoiError('BYOI_DISK_IO', { device: disk.name, reason: 'the kernel did not re-read its partition table' });
  return [{ code: warning.code, message: warning.message, detail: reasons.join('; ') }];
}

/** Runs a tool; null when it succeeded, else why not. */
function runTool(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error === null) resolve(null);
      else resolve((String(stderr).trim() || error.message).slice(0, 300));
    });
  });
}
