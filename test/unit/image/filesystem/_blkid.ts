// blkid as the oracle: what `blkid -p -o export` says about a file or a region of it.
import { runStatus } from '../../../helpers/tools.ts';
import type { FilesystemInfo } from '../../../../src/image/inspect-result.ts';

/**
 * TYPE, LABEL and UUID from low-level probing (-p, no cache), for the whole file or [offset, offset+size).
 * Null when blkid finds nothing (exit status 2).
 */
export function blkidProbe(path: string, region?: { offset: number; size: number }): FilesystemInfo | null {
  const args = ['-p', '-o', 'export'];
  if (region !== undefined) args.push('-O', String(region.offset), '-S', String(region.size));
  const result = runStatus('blkid', [...args, path]);
  if (result.status === 2) return null;
  if (result.status !== 0) throw new Error(`blkid failed (${result.status}): ${result.stderr}`);
  const values: Record<string, string> = {};
  for (const line of result.stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1).replace(/\\(.)/g, '$1');
  }
  if (values.TYPE === undefined) return null;
  return { type: values.TYPE, label: values.LABEL ?? null, uuid: values.UUID ?? null };
}
