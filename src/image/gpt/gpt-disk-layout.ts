import type { GptHeader } from './read-gpt-header.ts';

/** Where a GPT's backup goes when it sits at the very end of a disk (FORMAT.md "Layout"). */
export interface GptDiskLayout {
  sectorSize: number;
  /** Last LBA of the disk: the backup header. */
  backupHeaderLba: number;
  /** First LBA of the backup entry array, just before the backup header. */
  backupEntriesLba: number;
  /** The last LBA a partition may use: just before the backup entries. */
  lastUsableLba: number;
}

/**
 * The backup position for `header`'s entry array on a disk of `diskSize` bytes; no check that it fits.
 * Pure arithmetic, shared by the partition editors (which write it) and by `inspectImage()` (which predicts it).
 *
 * @example
 * ```ts
 * gptDiskLayout({ sectorSize: 512, numberOfPartitionEntries: 128, sizeOfPartitionEntry: 128 }, 64 * 1024 * 1024);
 * // { sectorSize: 512, backupHeaderLba: 131071, backupEntriesLba: 131039, lastUsableLba: 131038 }
 * ```
 */
export function gptDiskLayout(
  header: Pick<GptHeader, 'sectorSize' | 'numberOfPartitionEntries' | 'sizeOfPartitionEntry'>,
  diskSize: number,
): GptDiskLayout {
  const sectorSize = header.sectorSize;
  const backupHeaderLba = Math.floor(diskSize / sectorSize) - 1;
  const entrySectors = Math.ceil((header.numberOfPartitionEntries * header.sizeOfPartitionEntry) / sectorSize);
  const backupEntriesLba = backupHeaderLba - entrySectors;
  return { sectorSize, backupHeaderLba, backupEntriesLba, lastUsableLba: backupEntriesLba - 1 };
}
