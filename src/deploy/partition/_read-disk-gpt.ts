import type { ErrorCode } from '../../contract/errors/catalogue.ts';
import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import { readGpt, type Gpt } from '../../image/gpt/read-gpt.ts';
import type { DiskIO } from '../disk/disk-io.ts';

/**
 * The GPT of a disk, read with the disk's logical sector size from its primary header (an editor never
 * trusts a backup it is about to overwrite). A damaged or missing GPT becomes `code` with a detail
 * sentence; a failed read (BYOI_DISK_IO) is passed on.
 */
export async function readDiskGpt(disk: DiskIO, code: ErrorCode): Promise<Gpt> {
  const sectorSize = disk.logicalSectorSize;
  let gpt: Gpt | null;
  try {
    gpt = await readGpt(disk, sectorSize);
  } catch (error) {
    if (!isByoiError(error) || (error.code !== 'BYOI_IMAGE_INVALID' && error.code !== 'BYOI_IMAGE_TRUNCATED')) throw error;
    throw new ByoiError(code, { device: disk.name }, { detail: `${disk.name}: the primary GPT cannot be used: ${error.message}`, cause: error });
  }
  if (gpt !== null) return gpt;
  const other = sectorSize === 512 ? 4096 : 512;
  const elsewhere = await readGpt(disk, other).catch(() => null);
  const detail =
    elsewhere === null
      ? `${disk.name}: there is no GPT header at LBA 1 (${sectorSize}-byte sectors)`
      : `${disk.name}: the GPT was written for ${other}-byte sectors but the disk has ${sectorSize}-byte logical sectors`;
  throw new ByoiError(code, { device: disk.name }, { detail });
}
