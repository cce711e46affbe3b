import { crc32 } from 'node:zlib';
import { encodeGptHeader } from '../../image/gpt/encode-gpt-header.ts';
import type { GptHeader } from '../../image/gpt/read-gpt-header.ts';
import type { DiskIO } from '../disk/disk-io.ts';
import type { GptDiskLayout } from './_gpt-disk-layout.ts';

/**
 * Writes both copies of a GPT with the backup at the end of the disk: backup entries, backup header, primary
 * entries, primary header, in that order. The primary is written last so that an interruption leaves either
 * the old primary (pointing at the old backup) or a primary whose entries CRC fails next to a whole new backup.
 *
 * The caller has checked `layout` against the partitions. Returns both header sectors as written.
 */
export async function writeGpt(
  disk: DiskIO,
  primary: GptHeader,
  entryArray: Uint8Array,
  layout: GptDiskLayout,
): Promise<{ primary: Uint8Array; backup: Uint8Array }> {
  const { sectorSize } = layout;
  const fields = {
    ...primary,
    lastUsableLba: layout.lastUsableLba,
    partitionEntryArrayCrc32: crc32(entryArray),
  };
  const backup = encodeGptHeader({
    ...fields,
    myLba: layout.backupHeaderLba,
    alternateLba: primary.myLba,
    partitionEntryLba: layout.backupEntriesLba,
  });
  const newPrimary = encodeGptHeader({ ...fields, alternateLba: layout.backupHeaderLba });
  await disk.writeAt(layout.backupEntriesLba * sectorSize, entryArray);
  await disk.writeAt(layout.backupHeaderLba * sectorSize, backup);
  await disk.writeAt(primary.partitionEntryLba * sectorSize, entryArray);
  await disk.writeAt(primary.myLba * sectorSize, newPrimary);
  return { primary: newPrimary, backup };
}
