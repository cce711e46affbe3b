import type { GptHeader } from '../../image/gpt/read-gpt-header.ts';

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

/** The backup position for `header`'s entry array on a disk of `diskSize` bytes; no check that it fits. */
export function gptDiskLayout(header: GptHeader, diskSize: number): GptDiskLayout {
  const sectorSize = header.sectorSize;
  const backupHeaderLba = Math.floor(diskSize / sectorSize) - 1;
  const entrySectors = Math.ceil((header.numberOfPartitionEntries * header.sizeOfPartitionEntry) / sectorSize);
  const backupEntriesLba = backupHeaderLba - entrySectors;
  return { sectorSize, backupHeaderLba, backupEntriesLba, lastUsableLba: backupEntriesLba - 1 };
}
