import type { DiskIO } from '../disk/disk-io.ts';
import { wipePartitionSignatures } from '../partition/wipe-partition-signatures.ts';

export interface WipeOutcome {
  /** `discard`: the whole disk now reads as zeros (a regular file was emptied); `ends`: both ends were zeroed. */
  method: 'discard' | 'ends';
  /** True when every byte of the disk reads as zero, so the writer may skip the image's zero runs. */
  diskReadsZero: boolean;
}

/**
 * The wipe phase: empties a regular file (all holes, cheap) or, on a block device, zeroes the signatures at both
 * ends of the disk and of its old partitions (wipePartitionSignatures()), never the whole device.
 */
export async function wipeDisk(disk: DiskIO): Promise<WipeOutcome> {
  if (await disk.discardAll()) return { method: 'discard', diskReadsZero: true };
  await wipePartitionSignatures(disk);
  return { method: 'ends', diskReadsZero: false };
}
