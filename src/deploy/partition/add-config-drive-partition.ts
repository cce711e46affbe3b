import { randomUUID } from 'node:crypto';
import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import type { ErrorCode } from '../../contract/errors/catalogue.ts';
import { encodeGptEntry } from '../../image/gpt/encode-gpt-entry.ts';
import { ENT_PARTITION_TYPE_GUID } from '../../image/gpt/gpt-layout.ts';
import { parseGuid } from '../../image/gpt/parse-guid.ts';
import type { Gpt } from '../../image/gpt/read-gpt.ts';
import { encodeMbrEntry } from '../../image/mbr/encode-mbr-entry.ts';
import {
  isExtendedType,
  MBR_ENTRY_COUNT,
  MBR_ENTRY_SIZE,
  MBR_PARTITION_ENTRIES,
  MBR_SIZE,
  TYPE_GPT_PROTECTIVE,
} from '../../image/mbr/mbr-layout.ts';
import { readLogicalPartitions } from '../../image/mbr/read-logical-partitions.ts';
import { readMbr, type Mbr, type MbrEntry } from '../../image/mbr/read-mbr.ts';
import type { DiskIO } from '../disk/disk-io.ts';
import { gptDiskLayout } from './_gpt-disk-layout.ts';
import { readDiskGpt } from './_read-disk-gpt.ts';
import { relocateGptBackup } from './relocate-gpt-backup.ts';
import { updateProtectiveMbr } from './_update-protective-mbr.ts';
import { writeGpt } from './_write-gpt.ts';
import { DEFAULT_CONFIG_DRIVE_BYTES, DEFAULT_CONFIG_DRIVE_NAME } from '../../image/partition-table/config-drive-defaults.ts';
import { planGptConfigDrive } from '../../image/partition-table/plan-gpt-config-drive.ts';
import { checkMbrConfigDriveSpace, planMbrConfigDrive } from '../../image/partition-table/plan-mbr-config-drive.ts';

/**
 * GPT type of the config drive: Microsoft basic data (sgdisk 0700). cloud-init finds the drive by its
 * filesystem label whatever the type (a real boot with type 0700 is in lab-facts.md), and Windows mounts only
 * basic data partitions, which cloudbase-init needs to read the same drive.
 */
export const CONFIG_DRIVE_GPT_TYPE = 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7';
/** MBR type of the config drive: 0x0C, FAT32 with LBA, as Ironic's `parted mkpart primary fat32` makes. */
export const CONFIG_DRIVE_MBR_TYPE = 0x0c;
/** Size Ironic gives the config drive (MAX_CONFIG_DRIVE_SIZE_MB). */
export const CONFIG_DRIVE_SIZE_BYTES = DEFAULT_CONFIG_DRIVE_BYTES;
/** GPT partition name, the label cloud-init looks for. */
export const CONFIG_DRIVE_NAME = DEFAULT_CONFIG_DRIVE_NAME;

export interface AddConfigDrivePartitionOptions {
  /** The partition is at least this big; a multiple of the logical sector size. @default 64 MiB */
  sizeBytes?: number;
  /** GPT partition name. @default "config-2" */
  name?: string;
  /** GPT partition type GUID. @default Microsoft basic data */
  gptType?: string;
  /** GPT unique partition GUID (the PARTUUID), e.g. made up front as Ironic does. @default a random one */
  uniqueGuid?: string;
  /** MBR partition type byte. @default 0x0C */
  mbrType?: number;
}

export interface ConfigDrivePartition {
  table: 'gpt' | 'mbr';
  /** Partition number as Linux names it (sda4 is 4). */
  number: number;
  /** Start in bytes from the beginning of the disk. */
  start: number;
  /** Size in bytes. */
  size: number;
  /** GPT type GUID or MBR type byte as two hex digits, as PartitionInfo spells them. */
  type: string;
  /** GPT unique partition GUID; null on MBR. */
  uniqueGuid: string | null;
  /** True when a GPT partition with this name already ended the disk and was kept (the step ran twice). */
  reused: boolean;
}

/**
 * Adds the config-drive partition at the end of the disk, where Ironic puts it (FORMAT.md "Config drive
 * placement"): it ends at the last usable sector and starts on a 1 MiB boundary at least `sizeBytes` before.
 *
 * - GPT: the backup GPT is first moved to the end of the disk (relocateGptBackup()) if it is not there yet;
 *   then a new entry in the first free slot, named "config-2", with a fresh unique GUID; both copies and their
 *   CRCs are rewritten.
 * - MBR: a new primary entry in the first free slot. On a disk larger than the MBR can address (2^32 − 1
 *   sectors: 2 TiB at 512 bytes) the partition goes just below that limit, as Ironic does.
 *
 * A GPT partition with the same name that already ends the disk is returned as it is (`reused`), so that the
 * step can run twice.
 *
 * @throws BYOI_CONFIGDRIVE_NO_SPACE when a partition uses the end of the disk (the image was as big as the disk),
 *   BYOI_CONFIGDRIVE_MBR_FULL when the 4 primary entries are used, BYOI_CONFIGDRIVE_MBR_LIMIT when the space
 *   below the MBR limit is used, BYOI_DISK_IO when the disk cannot be read or written, BYOI_CONFIGDRIVE_FAILED
 *   (with a detail) for anything else
 *
 * @example
 * ```ts
 * const partition = await addConfigDrivePartition(disk);
 * partition.number; // 4: the config-2 filesystem goes at partition.start
 * ```
 */
export async function addConfigDrivePartition(disk: DiskIO, options: AddConfigDrivePartitionOptions = {}): Promise<ConfigDrivePartition> {
  const sizeBytes = options.sizeBytes ?? CONFIG_DRIVE_SIZE_BYTES;
  const name = options.name ?? CONFIG_DRIVE_NAME;
  const gptType = options.gptType ?? CONFIG_DRIVE_GPT_TYPE;
  const mbrType = options.mbrType ?? CONFIG_DRIVE_MBR_TYPE;
  const uniqueGuid = (options.uniqueGuid ?? randomUUID()).toUpperCase();
  const refuse = (detail: string): ByoiError => new ByoiError('BYOI_CONFIGDRIVE_FAILED', { device: disk.name }, { detail: `${disk.name}: ${detail}` });

  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % disk.logicalSectorSize !== 0) {
    throw refuse(`sizeBytes ${sizeBytes} is not a positive multiple of the ${disk.logicalSectorSize}-byte sector`);
  }
  if (name.length > 36) throw refuse(`the name "${name}" is longer than the 36 UTF-16 code units a GPT entry holds`);
  if (!Number.isInteger(mbrType) || mbrType <= 0 || mbrType > 0xff || mbrType === TYPE_GPT_PROTECTIVE || isExtendedType(mbrType)) {
    throw refuse(`mbrType ${mbrType} is not the type byte of a data partition`);
  }
  for (const [field, guid] of [['gptType', gptType], ['uniqueGuid', uniqueGuid]] as const) {
    try {
      parseGuid(guid);
    } catch {
      throw refuse(`${field} "${guid}" is not a GUID`);
    }
  }

  try {
    const mbr = await readMbr(disk, disk.logicalSectorSize);
    if (mbr !== null && mbr.kind === 'classic') return await addToMbr(disk, mbr, { sizeBytes, mbrType });
    let gpt = await readDiskGpt(disk, 'BYOI_CONFIGDRIVE_FAILED');
    if (gpt.header.alternateLba !== gptDiskLayout(gpt.header, disk.size).backupHeaderLba) {
      await relocateGptBackup(disk);
      gpt = await readDiskGpt(disk, 'BYOI_CONFIGDRIVE_FAILED');
    }
    return await addToGpt(disk, gpt, { sizeBytes, name, gptType, uniqueGuid });
  } catch (error) {
    // A failed read or write of the disk stays BYOI_DISK_IO: the disk is at fault, not the image.
    if (isByoiError(error) && passedOn.includes(error.code)) throw error;
    const detail = isByoiError(error) && error.detail !== undefined ? error.detail : `${disk.name}: ${error instanceof Error ? error.message : String(error)}`;
    throw new ByoiError('BYOI_CONFIGDRIVE_FAILED', { device: disk.name }, { detail, cause: error });
  }
}

const passedOn: readonly ErrorCode[] = [
  'BYOI_DISK_IO',
  'BYOI_CONFIGDRIVE_FAILED',
  'BYOI_CONFIGDRIVE_NO_SPACE',
  'BYOI_CONFIGDRIVE_MBR_FULL',
  'BYOI_CONFIGDRIVE_MBR_LIMIT',
];

async function addToGpt(
  disk: DiskIO,
  gpt: Gpt,
  wanted: { sizeBytes: number; name: string; gptType: string; uniqueGuid: string },
): Promise<ConfigDrivePartition> {
  const { header, sectorSize } = gpt;
  const layout = gptDiskLayout(header, disk.size);
  const result = (number: number, start: number, end: number, type: string, uniqueGuid: string, reused: boolean): ConfigDrivePartition => ({
    table: 'gpt',
    number,
    start: start * sectorSize,
    size: (end - start + 1) * sectorSize,
    type,
    uniqueGuid,
    reused,
  });

  // The placement rules (and their refusals) are shared with inspectImage(): see planGptConfigDrive().
  const plan = planGptConfigDrive({ device: disk.name, diskSize: disk.size, header, entries: gpt.entries, sizeBytes: wanted.sizeBytes, name: wanted.name });
  const existing = plan.existing;
  // A config drive this step already made (the step is run again): keep it as it is.
  if (existing !== null) {
    return result(existing.number, existing.startingLba, existing.endingLba, existing.typeGuid, existing.uniqueGuid, true);
  }
  const { startLba, endLba } = plan;

  const size = header.sizeOfPartitionEntry;
  let slot = -1;
  for (let i = 0; i < header.numberOfPartitionEntries && slot < 0; i++) {
    if (isZero(gpt.entryArray, i * size + ENT_PARTITION_TYPE_GUID, 16)) slot = i;
  }
  if (slot < 0) {
    throw new ByoiError('BYOI_CONFIGDRIVE_FAILED', { device: disk.name }, {
      detail: `${disk.name}: all ${header.numberOfPartitionEntries} GPT entries are used`,
    });
  }
  const entryArray = gpt.entryArray.slice();
  entryArray.set(
    encodeGptEntry({ typeGuid: wanted.gptType, uniqueGuid: wanted.uniqueGuid, startingLba: startLba, endingLba: endLba, name: wanted.name }, size),
    slot * size,
  );
  await writeGpt(disk, header, entryArray, layout);
  await updateProtectiveMbr(disk, sectorSize);
  await disk.sync();
  return result(slot + 1, startLba, endLba, wanted.gptType.toUpperCase(), wanted.uniqueGuid, false);
}

async function addToMbr(disk: DiskIO, mbr: Mbr, wanted: { sizeBytes: number; mbrType: number }): Promise<ConfigDrivePartition> {
  const sectorSize = disk.logicalSectorSize;
  // The placement rules (and their refusals) are shared with inspectImage(): see planMbrConfigDrive(). A full
  // MBR is refused before the EBR chain is read.
  const plan = planMbrConfigDrive({
    device: disk.name,
    diskSize: disk.size,
    sectorSize,
    primaryCount: mbr.primaries.length,
    sizeBytes: wanted.sizeBytes,
  });
  const { startLba, endExclusive } = plan;
  const used: MbrEntry[] = [...mbr.primaries];
  for (const primary of mbr.primaries) {
    if (isExtendedType(primary.type)) used.push(...(await readLogicalPartitions(disk, primary, sectorSize)).logicals);
  }
  checkMbrConfigDriveSpace(plan, used);

  const sector = (await disk.readAt(0, MBR_SIZE)).slice();
  let slot = -1;
  for (let i = 0; i < MBR_ENTRY_COUNT && slot < 0; i++) {
    if (!mbr.primaries.some((entry) => entry.number === i + 1)) slot = i;
  }
  const sectorCount = endExclusive - startLba;
  sector.set(encodeMbrEntry({ type: wanted.mbrType, startLba, sectorCount }), MBR_PARTITION_ENTRIES + slot * MBR_ENTRY_SIZE);
  await disk.writeAt(0, sector);
  await disk.sync();
  return {
    table: 'mbr',
    number: slot + 1,
    start: startLba * sectorSize,
    size: sectorCount * sectorSize,
    type: wanted.mbrType.toString(16).padStart(2, '0'),
    uniqueGuid: null,
    reused: false,
  };
}

function isZero(bytes: Uint8Array, offset: number, length: number): boolean {
  for (let i = offset; i < offset + length; i++) if (bytes[i] !== 0) return false;
  return true;
}
