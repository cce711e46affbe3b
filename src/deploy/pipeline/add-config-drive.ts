import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import type { ConfigDriveInput } from '../configdrive/config-drive-input.ts';
import { writeConfigDrive, type ConfigDriveFilesystem } from '../configdrive/write-config-drive.ts';
import type { DiskIO } from '../disk/disk-io.ts';
import { addConfigDrivePartition, type ConfigDrivePartition } from '../partition/add-config-drive-partition.ts';

export interface AddedConfigDrive {
  partition: ConfigDrivePartition;
  filesystem: ConfigDriveFilesystem;
  files: string[];
}

/**
 * The config-drive phase: a new partition at the end of the disk (GPT entry or MBR primary) and a `config-2`
 * filesystem in it. Both go through the holdback view, so the partition entry reaches the disk at the commit.
 *
 * @throws ByoiError BYOI_CONFIGDRIVE_NO_SPACE, BYOI_CONFIGDRIVE_MBR_FULL, BYOI_CONFIGDRIVE_MBR_LIMIT,
 *   BYOI_DISK_IO, or BYOI_CONFIGDRIVE_FAILED ("Could not create configdrive on disk.") with the reason in `detail`
 */
export async function addConfigDrive(view: DiskIO, input: ConfigDriveInput, filesystem: ConfigDriveFilesystem, timestamp: Date | undefined): Promise<AddedConfigDrive> {
  try {
    const partition = await addConfigDrivePartition(view);
    const written = await writeConfigDrive(view, { startBytes: partition.start, sizeBytes: partition.size }, input, {
      filesystem,
      ...(timestamp === undefined ? {} : { timestamp }),
    });
    return { partition, filesystem: written.filesystem, files: written.files };
  } catch (error) {
    if (isByoiError(error)) throw error;
    throw new ByoiError('BYOI_CONFIGDRIVE_FAILED', {}, { detail: error instanceof Error ? error.message : String(error), cause: error });
  }
}
