import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { gptDiskLayout } from '../gpt/gpt-disk-layout.ts';
import type { GptHeader } from '../gpt/read-gpt-header.ts';
import type { GptEntry } from '../gpt/read-gpt-entries.ts';

const MiB = 1024 * 1024;

/** What the GPT plan needs of each used entry. */
export type GptPlanEntry = Pick<GptEntry, 'number' | 'startingLba' | 'endingLba' | 'name'>;

export interface GptConfigDriveInput<E extends GptPlanEntry> {
  /** Disk name for messages ("/dev/sda"). */
  device: string;
  /** Size of the disk the image is (or will be) written to, in bytes. */
  diskSize: number;
  /** The image's GPT header: its sector size and entry array geometry (the backup is moved to the disk's end). */
  header: Pick<GptHeader, 'sectorSize' | 'firstUsableLba' | 'numberOfPartitionEntries' | 'sizeOfPartitionEntry'>;
  /** Used entries (non-zero type GUID), in slot order. */
  entries: readonly E[];
  /** Wanted size of the config drive, a multiple of the sector size. */
  sizeBytes: number;
  /** GPT partition name of the config drive ("config-2"). */
  name: string;
}

export interface GptConfigDrivePlan<E extends GptPlanEntry> {
  /** First LBA of the config drive: a 1 MiB boundary at least `sizeBytes` before the end. */
  startLba: number;
  /** Last LBA (inclusive): the disk's last usable LBA once the backup GPT sits at the end of the disk. */
  endLba: number;
  /** A partition with the wanted name that already ends the disk (the step ran before); it is kept. */
  existing: E | null;
}

/**
 * Where the config drive goes on a GPT disk, or why it cannot (FORMAT.md of deploy/configdrive, "Config drive
 * placement", as Ironic does): it ends at the last usable LBA of the disk, after the backup GPT was moved to
 * the end, and starts on a 1 MiB boundary at least `sizeBytes` before. Pure: the editor that writes it
 * (addConfigDrivePartition()) and the inspection that predicts it (inspectImage()) share these rules.
 *
 * @throws BYOI_CONFIGDRIVE_FAILED (with a detail) when the disk is too small or every entry slot is used,
 *   BYOI_CONFIGDRIVE_NO_SPACE when a partition reaches into the config drive's place
 *
 * @example
 * ```ts
 * planGptConfigDrive({ device: '/dev/sda', diskSize: 10 * 2 ** 30, header, entries, sizeBytes: 64 * 2 ** 20, name: 'config-2' });
 * // { startLba: 20838400, endLba: 20971486, existing: null }
 * ```
 */
export function planGptConfigDrive<E extends GptPlanEntry>(input: GptConfigDriveInput<E>): GptConfigDrivePlan<E> {
  const { device, diskSize, header, entries, sizeBytes, name } = input;
  const sectorSize = header.sectorSize;
  const endLba = gptDiskLayout(header, diskSize).lastUsableLba;
  const startLba = Math.floor(((endLba + 1) * sectorSize - sizeBytes) / MiB) * (MiB / sectorSize);

  const existing = entries.find((entry) => entry.name === name && entry.endingLba === endLba && entry.startingLba <= startLba);
  if (existing !== undefined) return { startLba: existing.startingLba, endLba: existing.endingLba, existing };

  if (startLba < header.firstUsableLba || startLba > endLba) {
    throw new ByoiError('BYOI_CONFIGDRIVE_FAILED', { device }, {
      detail: `${device}: the disk (${diskSize} bytes) is too small for a ${sizeBytes}-byte partition`,
    });
  }
  for (const entry of entries) {
    if (entry.endingLba >= startLba) {
      throw new ByoiError('BYOI_CONFIGDRIVE_NO_SPACE', { device, sizeBytes: (endLba + 1 - startLba) * sectorSize, number: entry.number });
    }
  }
  // A slot is free when its type GUID is zero, which is exactly when readGptEntries() leaves it out.
  if (entries.length >= header.numberOfPartitionEntries) {
    throw new ByoiError('BYOI_CONFIGDRIVE_FAILED', { device }, {
      detail: `${device}: all ${header.numberOfPartitionEntries} GPT entries are used`,
    });
  }
  return { startLba, endLba, existing: null };
}
