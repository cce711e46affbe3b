import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import { gptDiskLayout } from '../gpt/gpt-disk-layout.ts';
import type { ImageProblem } from '../inspect-result.ts';
import { DEFAULT_CONFIG_DRIVE_NAME } from '../partition-table/config-drive-defaults.ts';
import { planGptConfigDrive } from '../partition-table/plan-gpt-config-drive.ts';
import { checkMbrConfigDriveSpace, planMbrConfigDrive, type MbrPlanEntry } from '../partition-table/plan-mbr-config-drive.ts';
import type { PartitionTableReport } from '../partition-table/read-partition-table-report.ts';
import { problemFromError } from './image-problem.ts';

/** The disk the edits would run on: its size and logical sector size must be known. */
export interface EditDisk {
  name: string;
  size: number;
  logicalSectorSize: number;
}

/**
 * Predicts the partition edits the deploy makes after writing the image, with the editors' own rules:
 *
 * - GPT: the backup is moved to the end of the disk from the primary header (BYOI_GPT_MOVE_FAILED when only the
 *   backup could be read, or a partition ends past the disk's last usable LBA);
 * - the config drive goes at the end of the disk (planGptConfigDrive(), planMbrConfigDrive() and
 *   checkMbrConfigDriveSpace(): BYOI_CONFIGDRIVE_NO_SPACE, BYOI_CONFIGDRIVE_MBR_FULL, BYOI_CONFIGDRIVE_MBR_LIMIT,
 *   BYOI_CONFIGDRIVE_FAILED).
 *
 * Call it only when the image fits the disk and its table counts the disk's sector size: the size and sector
 * checks already report the other cases.
 *
 * @param configDriveBytes 0 leaves the config drive out
 */
export function checkPartitionEdits(report: PartitionTableReport, disk: EditDisk, configDriveBytes: number): ImageProblem[] {
  try {
    if (report.gpt !== null) {
      const { header, entries, headerSource } = report.gpt;
      const fail = (detail: string): ByoiError => new ByoiError('BYOI_GPT_MOVE_FAILED', { device: disk.name }, { detail: `${disk.name}: ${detail}` });
      // relocateGptBackup() reads the primary GPT only: an editor never trusts the backup it is about to overwrite.
      if (headerSource === 'backup') throw fail('the primary GPT of the image is damaged, and byoi moves the backup from the primary');
      const layout = gptDiskLayout(header, disk.size);
      for (const entry of entries) {
        if (entry.endingLba > layout.lastUsableLba) {
          throw fail(`partition ${entry.number} ends at LBA ${entry.endingLba}, past the last usable LBA ${layout.lastUsableLba} of the disk`);
        }
      }
      if (configDriveBytes > 0) {
        planGptConfigDrive({ device: disk.name, diskSize: disk.size, header, entries, sizeBytes: configDriveBytes, name: DEFAULT_CONFIG_DRIVE_NAME });
      }
      return [];
    }
    if (report.mbr !== null && configDriveBytes > 0) {
      const sectorSize = disk.logicalSectorSize;
      const plan = planMbrConfigDrive({
        device: disk.name,
        diskSize: disk.size,
        sectorSize,
        primaryCount: report.mbr.primaries.length,
        sizeBytes: configDriveBytes,
      });
      const used: MbrPlanEntry[] = report.table.partitions.map((partition) => ({
        number: partition.number,
        startLba: partition.start / report.table.sectorSize,
        sectorCount: partition.size / report.table.sectorSize,
      }));
      checkMbrConfigDriveSpace(plan, used);
    }
    return [];
  } catch (error) {
    if (!isByoiError(error)) throw error;
    return [problemFromError(error, 'error')];
  }
}
