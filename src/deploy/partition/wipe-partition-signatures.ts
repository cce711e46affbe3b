import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import { readPartitionTable } from '../../image/partition-table/read-partition-table.ts';
import type { DiskIO } from '../disk/disk-io.ts';

/** Bytes zeroed at each end of the disk unless told otherwise. */
export const WIPE_BYTES_AT_EACH_END = 1024 * 1024;

export interface WipePartitionSignaturesOptions {
  /** Bytes to zero at the start and at the end; a multiple of the logical sector size. @default 1 MiB */
  bytesAtEachEnd?: number;
  /**
   * Also zero the same amount at both ends of every partition of the table found on the disk (before it is
   * erased): md superblocks, LVM labels and filesystem signatures of the previous install's partitions.
   * @default true
   */
  oldPartitions?: boolean;
}

export interface WipedRange {
  offset: number;
  length: number;
}

/**
 * Erases what a previous install left at both ends of the target disk, so that no old structure outlives the
 * new image: zeroes the first and the last `bytesAtEachEnd` bytes (1 MiB), never the whole disk.
 *
 * What the two MiB cover (FORMAT.md of mbr/ and gpt/, "Wiping"):
 * - start: MBR and boot code, primary GPT header and entries (LBA 1..33, or 1..5 at 4096 bytes), LVM2 label
 *   (sectors 0..3), md superblocks 1.1 (at 0) and 1.2 (at 4 KiB), filesystem superblocks of a whole-disk
 *   filesystem (ext at 1 KiB, XFS at 0, btrfs at 64 KiB), ZFS labels L0/L1 (0 and 256 KiB);
 * - end: backup GPT header (the last LBA) and the entries before it, md superblocks 0.90 (last 64..128 KiB)
 *   and 1.0 (8..12 KiB before the end), ZFS labels L2/L3 (last 512 KiB), DDF and Intel IMSM anchors.
 *
 * With `oldPartitions` (the default), the partition table found on the disk is read first and both ends of each
 * of its partitions are zeroed too: an md 1.0 superblock at the end of an old partition, in the middle of the
 * disk, would otherwise outlive the wipe and reassemble an array at the next boot (anchors.md, pain point 13). A
 * table too damaged to read is skipped. Ranges are merged and clipped to the disk.
 *
 * A disk no larger than twice `bytesAtEachEnd` is zeroed whole. Throws BYOI_DISK_IO when a write fails.
 *
 * @example
 * ```ts
 * await wipePartitionSignatures(disk); // then write the image
 * ```
 */
export async function wipePartitionSignatures(disk: DiskIO, options: WipePartitionSignaturesOptions = {}): Promise<WipedRange[]> {
  const bytes = options.bytesAtEachEnd ?? WIPE_BYTES_AT_EACH_END;
  if (!Number.isSafeInteger(bytes) || bytes <= 0 || bytes % disk.logicalSectorSize !== 0) {
    throw new ByoiError('BYOI_DISK_IO', {
      device: disk.name,
      reason: `cannot wipe ${bytes} bytes at each end: not a positive multiple of the ${disk.logicalSectorSize}-byte sector`,
    });
  }
  const wanted: WipedRange[] = [
    { offset: 0, length: Math.min(bytes, disk.size) },
    { offset: Math.max(0, disk.size - bytes), length: Math.min(bytes, disk.size) },
  ];
  if (options.oldPartitions ?? true) {
    for (const partition of await oldPartitions(disk)) {
      const length = Math.min(bytes, partition.size);
      wanted.push({ offset: partition.start, length }, { offset: partition.start + partition.size - length, length });
    }
  }
  const ranges = merge(wanted, disk.size);
  for (const range of ranges) await disk.zeroRange(range.offset, range.length);
  await disk.sync();
  return ranges;
}

/** The partitions of the table on the disk, or none when there is no table or it cannot be read. */
async function oldPartitions(disk: DiskIO): Promise<{ start: number; size: number }[]> {
  try {
    return (await readPartitionTable(disk))?.partitions ?? [];
  } catch (error) {
    if (isByoiError(error) && (error.code === 'BYOI_IMAGE_INVALID' || error.code === 'BYOI_IMAGE_TRUNCATED')) return [];
    throw error;
  }
}

/** Sorted, clipped to [0, size), overlapping or touching ranges joined. */
function merge(ranges: readonly WipedRange[], size: number): WipedRange[] {
  const clipped = ranges
    .map((range) => ({ start: Math.max(0, range.offset), end: Math.min(size, range.offset + range.length) }))
    .filter((range) => range.end > range.start)
    .sort((a, b) => a.start - b.start);
  const merged: WipedRange[] = [];
  for (const range of clipped) {
    const last = merged.at(-1);
    if (last !== undefined && range.start <= last.offset + last.length) {
      last.length = Math.max(last.length, range.end - last.offset);
    } else {
      merged.push({ offset: range.start, length: range.end - range.start });
    }
  }
  return merged;
}
