import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { MBR_ENTRY_COUNT, MBR_MAX_SECTORS } from '../mbr/mbr-layout.ts';
import type { MbrEntry } from '../mbr/read-mbr.ts';

const MiB = 1024 * 1024;

/** What the MBR plan needs of each used entry (primaries, extended containers and logicals). */
export type MbrPlanEntry = Pick<MbrEntry, 'number' | 'startLba' | 'sectorCount'>;

export interface MbrConfigDriveInput {
  /** Disk name for messages ("/dev/sda"). */
  device: string;
  /** Size of the disk in bytes. */
  diskSize: number;
  /** The disk's logical sector size: MBR LBAs count these. */
  sectorSize: number;
  /** Used primary entries (extended containers included). */
  primaryCount: number;
  /** Wanted size of the config drive, a multiple of the sector size. */
  sizeBytes: number;
}

export interface MbrConfigDrivePlan {
  device: string;
  sectorSize: number;
  /** First LBA of the config drive, on a 1 MiB boundary. */
  startLba: number;
  /** LBA just past its end: the end of the disk, or the last 1 MiB boundary the MBR can address. */
  endExclusive: number;
  /** True when the disk is larger than an MBR can address (2^32 − 1 sectors: 2 TiB at 512 bytes). */
  limited: boolean;
}

/**
 * Where the config drive goes on an MBR disk, as Ironic puts it: a new primary entry at the end of the disk,
 * or just below the MBR's limit on a larger disk. Pure: the editor (addConfigDrivePartition()) and the
 * inspection (inspectImage()) share these rules. Then checkMbrConfigDriveSpace() looks at the partitions.
 *
 * Split in two so that the editor can refuse a full MBR before it reads the EBR chain, as it always did.
 *
 * @throws BYOI_CONFIGDRIVE_MBR_FULL when the 4 primary entries are used, BYOI_CONFIGDRIVE_FAILED (with a detail)
 *   when the disk is too small
 *
 * @example
 * ```ts
 * planMbrConfigDrive({ device: '/dev/sda', diskSize: 2 ** 30, sectorSize: 512, primaryCount: 2, sizeBytes: 64 * 2 ** 20 });
 * // { device: '/dev/sda', sectorSize: 512, startLba: 1966080, endExclusive: 2097152, limited: false }
 * ```
 */
export function planMbrConfigDrive(input: MbrConfigDriveInput): MbrConfigDrivePlan {
  const { device, diskSize, sectorSize, primaryCount, sizeBytes } = input;
  const diskSectors = Math.floor(diskSize / sectorSize);
  const limited = diskSectors > MBR_MAX_SECTORS;
  // Past the MBR's reach, end on the last 1 MiB boundary it can address: 2 TiB − 1 MiB at 512-byte sectors, so
  // the partition starts at 2 TiB − 65 MiB like Ironic's.
  const endExclusive = limited ? Math.floor((MBR_MAX_SECTORS * sectorSize) / MiB) * (MiB / sectorSize) : diskSectors;
  const startLba = Math.floor((endExclusive * sectorSize - sizeBytes) / MiB) * (MiB / sectorSize);

  if (primaryCount >= MBR_ENTRY_COUNT) throw new ByoiError('BYOI_CONFIGDRIVE_MBR_FULL', { device });
  if (startLba < 1) {
    throw new ByoiError('BYOI_CONFIGDRIVE_FAILED', { device }, {
      detail: `${device}: the disk (${diskSize} bytes) is too small for a ${sizeBytes}-byte partition`,
    });
  }
  return { device, sectorSize, startLba, endExclusive, limited };
}

/**
 * Refuses a plan whose place is used by a partition: BYOI_CONFIGDRIVE_MBR_LIMIT when the disk is larger than
 * the MBR can address (the space below the limit is taken), else BYOI_CONFIGDRIVE_NO_SPACE.
 *
 * @param used every used entry: primaries, extended containers and logical partitions
 */
export function checkMbrConfigDriveSpace(plan: MbrConfigDrivePlan, used: readonly MbrPlanEntry[]): void {
  const { device, sectorSize, startLba, endExclusive, limited } = plan;
  for (const entry of used) {
    if (entry.startLba < endExclusive && entry.startLba + entry.sectorCount > startLba) {
      if (limited) {
        throw new ByoiError('BYOI_CONFIGDRIVE_MBR_LIMIT', { device, limitBytes: MBR_MAX_SECTORS * sectorSize, number: entry.number });
      }
      throw new ByoiError('BYOI_CONFIGDRIVE_NO_SPACE', { device, sizeBytes: (endExclusive - startLba) * sectorSize, number: entry.number });
    }
  }
}
