import { crc32 } from 'node:zlib';
import { isByoiError } from '../../contract/errors/byoi-error.ts';
import type { DiskIO } from '../disk/disk-io.ts';
import type { ConfigDriveInput } from './config-drive-input.ts';
import type { FilesystemImage } from './filesystem-image.ts';
import { buildConfigDriveFiles } from './build-config-drive-files.ts';
import { writeFatFilesystem } from './write-fat-filesystem.ts';
import { writeIso9660 } from './write-iso9660.ts';
import { configDriveError } from './_config-drive-error.ts';

/** The label cloud-init's ConfigDrive datasource looks for (LABEL_TYPES in DataSourceConfigDrive.py). */
export const configDriveLabel = 'config-2';

export type ConfigDriveFilesystem = 'vfat' | 'iso9660';

/** The byte range of the config drive partition on the disk. */
export interface ConfigDrivePartition {
  startBytes: number;
  sizeBytes: number;
}

export interface WriteConfigDriveOptions {
  filesystem: ConfigDriveFilesystem;
  /** Time stamped on every entry; default now. With a given timestamp the bytes written depend on the input only. */
  timestamp?: Date;
  /** FAT volume serial (BS_VolID); default: CRC-32 of the input uuid, so the same install gives the same bytes. */
  volumeId?: number;
}

export interface ConfigDriveResult {
  filesystem: ConfigDriveFilesystem;
  label: typeof configDriveLabel;
  /** Paths written, e.g. "openstack/latest/meta_data.json". */
  files: string[];
}

/**
 * Writes a config drive labelled `config-2` into `partition` of `disk`: builds the OpenStack files from `input`,
 * lays them out as vfat (sector size = the disk's logical sector size) or iso9660, zeroes the whole partition
 * (so no old signature is left for blkid to find) and writes the filesystem's extents, then syncs.
 * iso9660 is refused on disks with 4096-byte logical sectors, where Linux cannot mount it.
 * Every failure is BYOI_CONFIGDRIVE_FAILED with a detail; disk errors are kept as `cause`.
 *
 * @example
 * ```ts
 * const result = await writeConfigDrive(disk, { startBytes, sizeBytes: 64 * 1024 * 1024 }, input,
 *   { filesystem: 'vfat' });
 * result.files; // ['openstack/2012-08-10/meta_data.json', ...]
 * ```
 */
export async function writeConfigDrive(
  disk: DiskIO,
  partition: ConfigDrivePartition,
  input: ConfigDriveInput,
  options: WriteConfigDriveOptions,
): Promise<ConfigDriveResult> {
  const sectorSize = disk.logicalSectorSize;
  const { startBytes, sizeBytes } = partition;
  const inside = Number.isSafeInteger(startBytes) && Number.isSafeInteger(sizeBytes) && startBytes >= 0 && sizeBytes > 0;
  if (!inside || startBytes + sizeBytes > disk.size) {
    throw configDriveError(`Cannot write a config drive at bytes ${startBytes}+${sizeBytes}: it is not inside ${disk.name} (${disk.size} bytes)`);
  }
  if (startBytes % sectorSize !== 0 || sizeBytes % sectorSize !== 0) {
    throw configDriveError(`Cannot write a config drive at bytes ${startBytes}+${sizeBytes}: it is not aligned to ${disk.name}'s ${sectorSize}-byte sectors`);
  }
  if (options.filesystem === 'iso9660' && sectorSize !== 512) {
    throw configDriveError(
      `Cannot write an iso9660 config drive on ${disk.name}: it has ${sectorSize}-byte logical sectors and Linux mounts iso9660 only on 512-byte ones; use vfat`,
    );
  }

  const files = buildConfigDriveFiles(input);
  const timestamp = options.timestamp ?? new Date();
  const image: FilesystemImage =
    options.filesystem === 'vfat'
      ? writeFatFilesystem(files, {
          label: configDriveLabel,
          sizeBytes,
          sectorSize,
          volumeId: options.volumeId ?? crc32(input.uuid),
          timestamp,
          hiddenSectors: startBytes / sectorSize,
        })
      : writeIso9660(files, { volumeId: configDriveLabel, timestamp });
  if (image.sizeBytes > sizeBytes) {
    throw configDriveError(`Cannot fit the ${image.sizeBytes}-byte iso9660 config drive in a ${sizeBytes}-byte partition`);
  }

  try {
    await disk.zeroRange(startBytes, sizeBytes);
    for (const extent of image.extents) await disk.writeAt(startBytes + extent.offset, extent.bytes);
    await disk.sync();
  } catch (error) {
    const reason = isByoiError(error) ? error.message : error instanceof Error ? error.message : String(error);
    throw configDriveError(`Cannot write the config drive to ${disk.name}: ${reason}`, error);
  }
  return { filesystem: options.filesystem, label: configDriveLabel, files: files.map((file) => file.path) };
}
