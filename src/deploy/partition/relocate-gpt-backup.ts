import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import { bytesEqual } from '../../image/bytes.ts';
import { GPT_SIGNATURE } from '../../image/gpt/gpt-layout.ts';
import type { DiskIO } from '../disk/disk-io.ts';
import { gptDiskLayout } from './_gpt-disk-layout.ts';
import { readDiskGpt } from './_read-disk-gpt.ts';
import { updateProtectiveMbr, type ProtectiveMbrUpdate } from './_update-protective-mbr.ts';
import { writeGpt } from './_write-gpt.ts';

export interface RelocateGptBackupResult {
  sectorSize: number;
  /** Where the primary header said the backup was before. */
  previousBackupLba: number;
  /** The disk's last LBA, where the backup header now is. */
  backupLba: number;
  /** The new LastUsableLBA, just before the backup entries. */
  lastUsableLba: number;
  /** False when the backup was already at the end (the headers are rewritten all the same). */
  moved: boolean;
  /** What happened to the protective MBR's size field. */
  protectiveMbr: ProtectiveMbrUpdate;
}

/**
 * Moves the GPT backup (entries and header) to the end of the disk after a smaller image was written to it, as
 * `sgdisk -e` does: writes the backup entries and header at the disk's last LBAs, sets the primary's
 * AlternateLBA and LastUsableLBA, recomputes both CRCs, resizes the protective MBR entry, and erases the old
 * backup header. Partitions are kept as they are. Works in the disk's logical sector size (512 or 4096).
 *
 * @throws BYOI_GPT_MOVE_FAILED with a detail: no usable primary GPT, a GPT for another sector size, a partition
 *   past the new LastUsableLBA (the disk is smaller than the image); BYOI_DISK_IO when a read or write fails
 *
 * @example
 * ```ts
 * const disk = await openDisk('/dev/sda');
 * const { backupLba } = await relocateGptBackup(disk); // sgdisk -v now finds no problem
 * ```
 */
export async function relocateGptBackup(disk: DiskIO): Promise<RelocateGptBackupResult> {
  try {
    return await relocate(disk);
  } catch (error) {
    // A failed read or write of the disk stays BYOI_DISK_IO: the disk is at fault, not the image.
    if (isByoiError(error) && (error.code === 'BYOI_GPT_MOVE_FAILED' || error.code === 'BYOI_DISK_IO')) throw error;
    const reason = isByoiError(error) || error instanceof Error ? error.message : String(error);
    throw new ByoiError('BYOI_GPT_MOVE_FAILED', { device: disk.name }, { detail: `${disk.name}: ${reason}`, cause: error });
  }
}

async function relocate(disk: DiskIO): Promise<RelocateGptBackupResult> {
  const gpt = await readDiskGpt(disk, 'BYOI_GPT_MOVE_FAILED');
  const { header, sectorSize } = gpt;
  const layout = gptDiskLayout(header, disk.size);
  const fail = (detail: string): ByoiError => new ByoiError('BYOI_GPT_MOVE_FAILED', { device: disk.name }, { detail: `${disk.name}: ${detail}` });

  const primaryEntriesEnd = header.partitionEntryLba + Math.ceil((header.numberOfPartitionEntries * header.sizeOfPartitionEntry) / sectorSize);
  if (layout.lastUsableLba < header.firstUsableLba || layout.backupEntriesLba < primaryEntriesEnd) {
    throw fail(`the disk (${disk.size} bytes) is too small for two copies of the GPT`);
  }
  let lastEnd = -1;
  for (const entry of gpt.entries) {
    if (entry.endingLba > layout.lastUsableLba) {
      throw fail(`partition ${entry.number} ends at LBA ${entry.endingLba}, past the last usable LBA ${layout.lastUsableLba} of the disk`);
    }
    lastEnd = Math.max(lastEnd, entry.endingLba);
  }

  await writeGpt(disk, header, gpt.entryArray, layout);
  const previousBackupLba = header.alternateLba;
  const moved = previousBackupLba !== layout.backupHeaderLba;
  // The old backup header now lies in free space; erase it so that no tool finds a stale copy there.
  if (moved && previousBackupLba > lastEnd && previousBackupLba >= primaryEntriesEnd && previousBackupLba < layout.backupEntriesLba) {
    const offset = previousBackupLba * sectorSize;
    if (bytesEqual(await disk.readAt(offset, GPT_SIGNATURE.length), 0, GPT_SIGNATURE)) await disk.zeroRange(offset, sectorSize);
  }
  const protectiveMbr = await updateProtectiveMbr(disk, sectorSize);
  await disk.sync();
  return { sectorSize, previousBackupLba, backupLba: layout.backupHeaderLba, lastUsableLba: layout.lastUsableLba, moved, protectiveMbr };
}
