import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import { bytesEqual } from '../bytes.ts';
import { GPT_SIGNATURE } from '../gpt/gpt-layout.ts';
import { readGpt, type Gpt } from '../gpt/read-gpt.ts';
import type { PartitionInfo, PartitionTableInfo, Problem } from '../inspect-result.ts';
import { isExtendedType } from '../mbr/mbr-layout.ts';
import { readLogicalPartitions } from '../mbr/read-logical-partitions.ts';
import { readMbr, type Mbr, type MbrEntry } from '../mbr/read-mbr.ts';
import type { ReadAt } from '../read-at.ts';
import { invalidProblem } from './invalid-problem.ts';
import { gptTypeName, mbrTypeName } from './partition-type-names.ts';

/** The logical sector sizes a GPT is looked for with, in this order. */
export const GPT_SECTOR_SIZES: readonly number[] = [512, 4096];

/** MBR LBAs are read as 512-byte sectors: nothing in an MBR says otherwise. */
const mbrSectorSize = 512;

export interface PartitionTableReport {
  /** The shape `byoi inspect` prints. */
  table: PartitionTableInfo;
  /** Sector 0 when it holds an MBR: protective or hybrid on a GPT disk, classic otherwise. */
  mbr: Mbr | null;
  /** The GPT details when `table.type` is "gpt". */
  gpt: Gpt | null;
  /** Damage read around (BYOI_IMAGE_INVALID), for `byoi inspect`'s problem list. */
  problems: Problem[];
}

/**
 * Finds and reads the partition table of an image or disk (FORMAT.md of gpt/ and mbr/, "Which table").
 *
 * - An MBR with a 0xEE entry (protective or hybrid), or no MBR at all: the GPT, looked for with 512-byte then
 *   4096-byte sectors. With a protective entry, a damaged primary GPT is replaced by the backup at the last LBA.
 * - A classic MBR (no 0xEE entry): the MBR and its logical partitions. A GPT header there is stale, as for Linux
 *   and libfdisk, and is reported as a problem.
 *
 * @returns null when the image has neither
 * @throws BYOI_IMAGE_INVALID / BYOI_IMAGE_TRUNCATED when a GPT is announced but no copy of it can be used
 *
 * @example
 * ```ts
 * const report = await readPartitionTableReport(bufferReadAt(bytes));
 * report?.table.partitions.map((p) => p.typeName); // ["BIOS boot", "EFI System", "Linux filesystem"]
 * ```
 */
export async function readPartitionTableReport(source: ReadAt): Promise<PartitionTableReport | null> {
  const mbr = await readMbr(source, mbrSectorSize);
  if (mbr === null || mbr.kind !== 'classic') return readGptReport(source, mbr);

  const problems: Problem[] = [...mbr.problems];
  const stale = await gptSignatureSectorSize(source);
  if (stale !== null) {
    problems.push(
      invalidProblem(
        `GPT header at LBA 1 (${stale}-byte sectors)`,
        'it is ignored because the MBR has no protective (0xEE) entry, as Linux and libfdisk do: a leftover of an earlier GPT?',
      ),
    );
  }
  const entries: MbrEntry[] = [...mbr.primaries];
  for (const primary of mbr.primaries) {
    if (!isExtendedType(primary.type)) continue;
    const chain = await readLogicalPartitions(source, primary, mbrSectorSize, 5 + entries.length - mbr.primaries.length);
    entries.push(...chain.logicals);
    problems.push(...chain.problems);
  }
  const table: PartitionTableInfo = {
    type: 'mbr',
    sectorSize: mbrSectorSize,
    id: mbr.diskSignature.toString(16).padStart(8, '0'),
    partitions: entries.map((entry) => mbrPartition(entry)),
  };
  return { table, mbr, gpt: null, problems };
}

async function readGptReport(source: ReadAt, mbr: Mbr | null): Promise<PartitionTableReport | null> {
  let firstError: ByoiError | null = null;
  for (const sectorSize of GPT_SECTOR_SIZES) {
    let gpt: Gpt | null;
    try {
      gpt = await readGpt(source, sectorSize, { useBackup: mbr !== null });
    } catch (error) {
      if (!isByoiError(error) || (error.code !== 'BYOI_IMAGE_INVALID' && error.code !== 'BYOI_IMAGE_TRUNCATED')) throw error;
      firstError ??= error;
      continue;
    }
    if (gpt === null) continue;
    const problems: Problem[] = [...gpt.problems];
    if (mbr === null) {
      problems.push(
        invalidProblem('MBR', 'there is no protective MBR (no 0x55AA signature in sector 0): Linux and libfdisk ignore a GPT without one'),
      );
    }
    return { table: gptTable(gpt), mbr, gpt, problems };
  }
  if (firstError !== null) throw firstError;
  if (mbr === null) return null;
  throw new ByoiError('BYOI_IMAGE_INVALID', {
    structure: 'GPT',
    reason: `the MBR is ${mbr.kind} (type 0xEE) but there is no GPT header at LBA 1 nor at the last LBA, for 512- or 4096-byte sectors`,
  });
}

function gptTable(gpt: Gpt): PartitionTableInfo {
  const { header, sectorSize } = gpt;
  return {
    type: 'gpt',
    sectorSize,
    id: header.diskGuid,
    partitions: gpt.entries.map(
      (entry): PartitionInfo => ({
        number: entry.number,
        start: entry.startingLba * sectorSize,
        size: (entry.endingLba - entry.startingLba + 1) * sectorSize,
        type: entry.typeGuid,
        typeName: gptTypeName(entry.typeGuid),
        name: entry.name,
        filesystem: null,
        label: null,
        uuid: null,
        bootable: entry.legacyBiosBootable,
      }),
    ),
    gpt: {
      firstUsableLba: header.firstUsableLba,
      lastUsableLba: header.lastUsableLba,
      backupLba: gpt.backup.lba,
      backupValid: gpt.backup.valid,
      backupAtEnd: gpt.backup.atEnd,
      entryCount: header.numberOfPartitionEntries,
      entrySize: header.sizeOfPartitionEntry,
    },
  };
}

function mbrPartition(entry: MbrEntry): PartitionInfo {
  return {
    number: entry.number,
    start: entry.startLba * mbrSectorSize,
    size: entry.sectorCount * mbrSectorSize,
    type: entry.type.toString(16).padStart(2, '0'),
    typeName: mbrTypeName(entry.type),
    name: null,
    filesystem: null,
    label: null,
    uuid: null,
    bootable: entry.active,
  };
}

/** The sector size whose LBA 1 starts with "EFI PART", or null. */
async function gptSignatureSectorSize(source: ReadAt): Promise<number | null> {
  for (const sectorSize of GPT_SECTOR_SIZES) {
    if (2 * sectorSize > source.size) continue;
    if (bytesEqual(await source.readAt(sectorSize, GPT_SIGNATURE.length), 0, GPT_SIGNATURE)) return sectorSize;
  }
  return null;
}
