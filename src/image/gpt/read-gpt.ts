import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import { bytesEqual } from '../bytes.ts';
import type { Problem } from '../inspect-result.ts';
import { invalidProblem } from '../partition-table/invalid-problem.ts';
import type { ReadAt } from '../read-at.ts';
import { GPT_SIGNATURE } from './gpt-layout.ts';
import { readGptEntries, type GptEntry } from './read-gpt-entries.ts';
import { readGptHeader, type GptHeader } from './read-gpt-header.ts';

export interface GptBackupFacts {
  /** Where the backup header is: the primary's AlternateLBA, or the last LBA when the backup was used. */
  lba: number;
  /** A valid backup header and entry array are at `lba` and agree with the header that was used. */
  valid: boolean;
  /** `lba` is the last LBA of the image. */
  atEnd: boolean;
  /** Why the backup is not valid, when it is not. */
  reason: string | null;
}

export interface Gpt {
  sectorSize: number;
  /** The header the partitions were read from. */
  header: GptHeader;
  /** 'backup' when the primary header or its entries were damaged and the backup at the last LBA was used. */
  headerSource: 'primary' | 'backup';
  /** Used entries, in slot order. */
  entries: GptEntry[];
  /** The entry array as read, for editors. */
  entryArray: Uint8Array;
  backup: GptBackupFacts;
  /** Damage read around: a broken primary or backup, entries outside the usable range or the image, overlaps. */
  problems: Problem[];
}

export interface ReadGptOptions {
  /**
   * Read the backup header at the last LBA when the primary is damaged or missing. Linux and libfdisk do so
   * only when the MBR has a protective (0xEE) entry; readPartitionTable() decides. Default false.
   */
  useBackup?: boolean;
}

/**
 * Reads the GPT of an image for one logical sector size: the primary header at LBA 1 and its entries, then the
 * backup where the primary's AlternateLBA says. With `useBackup`, a damaged or missing primary is replaced by
 * the backup at the last LBA, and a problem says so.
 *
 * @returns null when there is no "EFI PART" signature where a header should be (for this sector size)
 * @throws BYOI_IMAGE_INVALID or BYOI_IMAGE_TRUNCATED when a header is present but neither copy can be used
 *
 * @example
 * ```ts
 * const gpt = (await readGpt(source, 512)) ?? (await readGpt(source, 4096));
 * gpt?.backup.atEnd; // false after a small image was written to a big disk
 * ```
 */
export async function readGpt(source: ReadAt, sectorSize: number, options: ReadGptOptions = {}): Promise<Gpt | null> {
  const sectors = Math.floor(source.size / sectorSize);
  if (sectors < 3) return null;
  const lastLba = sectors - 1;
  const problems: Problem[] = [];

  let primaryError: ByoiError | null = null;
  if (await hasSignature(source, 1, sectorSize)) {
    let primary: { header: GptHeader; entries: GptEntry[]; raw: Uint8Array } | null = null;
    try {
      const header = await readGptHeader(source, 1, sectorSize);
      primary = { header, ...(await readGptEntries(source, header)) };
    } catch (error) {
      if (!isImageError(error)) throw error;
      primaryError = error;
    }
    if (primary !== null) {
      const { header, entries, raw } = primary;
      const backup = await checkBackup(source, header, lastLba);
      if (!backup.valid && backup.reason !== null) problems.push(invalidProblem(`backup GPT header at LBA ${backup.lba}`, backup.reason));
      problems.push(...entryProblems(header, entries, source.size));
      return { sectorSize, header, headerSource: 'primary', entries, entryArray: raw, backup, problems };
    }
  }

  if (!options.useBackup || !(await hasSignature(source, lastLba, sectorSize))) {
    if (primaryError !== null) throw primaryError;
    return null;
  }
  let header: GptHeader;
  let read: { entries: GptEntry[]; raw: Uint8Array };
  try {
    header = await readGptHeader(source, lastLba, sectorSize);
    if (header.alternateLba > header.myLba) throw invalidHeader(header, 'it is after MyLBA, so this is not a backup header');
    read = await readGptEntries(source, header);
  } catch (error) {
    if (isImageError(error) && primaryError !== null) throw primaryError;
    throw error;
  }
  problems.push(
    invalidProblem(
      `primary GPT header at LBA 1 (${sectorSize}-byte sectors)`,
      `${primaryError === null ? 'there is no "EFI PART" signature' : reasonOf(primaryError)}; the partitions were read from the backup header at LBA ${lastLba}`,
    ),
  );
  problems.push(...entryProblems(header, read.entries, source.size));
  const backup: GptBackupFacts = { lba: lastLba, valid: true, atEnd: true, reason: null };
  return { sectorSize, header, headerSource: 'backup', entries: read.entries, entryArray: read.raw, backup, problems };
}

/** Locates and validates the backup a valid primary points to, and compares it with the primary. */
async function checkBackup(source: ReadAt, primary: GptHeader, lastLba: number): Promise<GptBackupFacts> {
  const lba = primary.alternateLba;
  const facts = (valid: boolean, reason: string | null): GptBackupFacts => ({ lba, valid, atEnd: lba === lastLba, reason });
  if (lba > lastLba) return facts(false, `AlternateLBA ${lba} is past the last LBA of the image (${lastLba})`);
  let backup: GptHeader;
  try {
    backup = await readGptHeader(source, lba, primary.sectorSize);
    await readGptEntries(source, backup);
  } catch (error) {
    if (!isImageError(error)) throw error;
    return facts(false, reasonOf(error));
  }
  const differences: string[] = [];
  if (backup.alternateLba !== primary.myLba) differences.push(`its AlternateLBA is ${backup.alternateLba}, not ${primary.myLba}`);
  if (backup.diskGuid !== primary.diskGuid) differences.push(`its DiskGUID is ${backup.diskGuid}`);
  if (backup.firstUsableLba !== primary.firstUsableLba || backup.lastUsableLba !== primary.lastUsableLba) {
    differences.push(`its usable range is ${backup.firstUsableLba}..${backup.lastUsableLba}`);
  }
  if (backup.numberOfPartitionEntries !== primary.numberOfPartitionEntries || backup.sizeOfPartitionEntry !== primary.sizeOfPartitionEntry) {
    differences.push(`it has ${backup.numberOfPartitionEntries} entries of ${backup.sizeOfPartitionEntry} bytes`);
  }
  if (backup.partitionEntryArrayCrc32 !== primary.partitionEntryArrayCrc32) differences.push('its entries differ');
  if (differences.length > 0) return facts(false, `it disagrees with the primary header: ${differences.join(', ')}`);
  return facts(true, null);
}

/** Entries outside the usable range or the image, and entries that overlap. */
function entryProblems(header: GptHeader, entries: readonly GptEntry[], imageSize: number): Problem[] {
  const problems: Problem[] = [];
  const imageSectors = Math.floor(imageSize / header.sectorSize);
  for (const entry of entries) {
    const structure = `GPT partition ${entry.number}`;
    if (entry.startingLba < header.firstUsableLba || entry.endingLba > header.lastUsableLba) {
      problems.push(
        invalidProblem(
          structure,
          `LBA ${entry.startingLba}..${entry.endingLba} is outside the usable range ${header.firstUsableLba}..${header.lastUsableLba}`,
        ),
      );
    }
    if (entry.endingLba >= imageSectors) {
      problems.push(invalidProblem(structure, `it ends at LBA ${entry.endingLba}, past the end of the image (${imageSectors} sectors)`));
    }
  }
  const sorted = [...entries].sort((a, b) => a.startingLba - b.startingLba);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1] as GptEntry;
    const current = sorted[i] as GptEntry;
    if (current.startingLba <= previous.endingLba) {
      problems.push(invalidProblem(`GPT partition ${current.number}`, `it overlaps partition ${previous.number}`));
    }
  }
  return problems;
}

async function hasSignature(source: ReadAt, lba: number, sectorSize: number): Promise<boolean> {
  const offset = lba * sectorSize;
  if (offset + sectorSize > source.size) return false;
  return bytesEqual(await source.readAt(offset, GPT_SIGNATURE.length), 0, GPT_SIGNATURE);
}

function invalidHeader(header: GptHeader, reason: string): ByoiError {
  return new ByoiError('BYOI_IMAGE_INVALID', {
    structure: `GPT header at LBA ${header.myLba} (${header.sectorSize}-byte sectors)`,
    reason: `AlternateLBA is ${header.alternateLba}; ${reason}`,
  });
}

/** What the readers throw about the bytes themselves; anything else (a failed HTTP read) is passed on. */
function isImageError(error: unknown): error is ByoiError {
  return isByoiError(error) && (error.code === 'BYOI_IMAGE_INVALID' || error.code === 'BYOI_IMAGE_TRUNCATED');
}

function reasonOf(error: ByoiError): string {
  return error.params.reason ?? error.message;
}
