import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { findEspPartitions } from '../../image/boot/find-esp-partitions.ts';
import { describeContents } from '../../image/filesystem/describe-contents.ts';
import type { PartitionTableInfo } from '../../image/inspect-result.ts';
import { readPartitionTable } from '../../image/partition-table/read-partition-table.ts';
import type { DiskIO } from '../disk/disk-io.ts';
import type { BootMode } from './deploy-options.ts';

/**
 * The verify phase's checks of what was written, read through the holdback view (the disk as it will be after
 * the commit): the partition table exists (a raw image must have one, and the config drive needs one), was
 * made for the disk's logical sector size, and has an ESP when uefi boot is asked for. The preflight makes the
 * same checks when it can read the whole image; without Range support they can only be made here.
 *
 * @throws ByoiError BYOI_IMAGE_NO_PARTITION_TABLE, BYOI_IMAGE_SECTOR_SIZE, BYOI_IMAGE_NO_ESP, or a reader's
 *   BYOI_IMAGE_INVALID
 */
export async function checkWrittenImage(view: DiskIO, guestSize: number, bootMode: BootMode | null): Promise<PartitionTableInfo> {
  const table = await readPartitionTable(view);
  if (table === null) {
    const guest = { size: Math.min(guestSize, view.size), readAt: (offset: number, length: number) => view.readAt(offset, length) };
    throw new ByoiError('BYOI_IMAGE_NO_PARTITION_TABLE', { contents: await describeContents(guest) });
  }
  if (table.sectorSize !== view.logicalSectorSize) {
    throw new ByoiError('BYOI_IMAGE_SECTOR_SIZE', {
      imageSectorSize: table.sectorSize,
      device: view.name,
      diskSectorSize: view.logicalSectorSize,
    });
  }
  if (bootMode === 'uefi' && findEspPartitions(table).length === 0) throw new ByoiError('BYOI_IMAGE_NO_ESP');
  return table;
}
