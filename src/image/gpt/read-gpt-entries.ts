import { crc32 } from 'node:zlib';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { u64le } from '../bytes.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { formatGuid } from './format-guid.ts';
import {
  ATTR_LEGACY_BIOS_BOOTABLE,
  ENT_ATTRIBUTES,
  ENT_ENDING_LBA,
  ENT_PARTITION_NAME,
  ENT_PARTITION_NAME_BYTES,
  ENT_PARTITION_TYPE_GUID,
  ENT_STARTING_LBA,
  ENT_UNIQUE_PARTITION_GUID,
} from './gpt-layout.ts';
import type { GptHeader } from './read-gpt-header.ts';

/** One used slot of the entry array (PartitionTypeGUID not all zero). */
export interface GptEntry {
  /** Slot index + 1: the number Linux and sgdisk give the partition. */
  number: number;
  /** Upper-case text form, as sgdisk prints it. */
  typeGuid: string;
  uniqueGuid: string;
  startingLba: number;
  endingLba: number;
  /** The 64 attribute bits (FORMAT.md "Attributes"). */
  attributes: bigint;
  /** Bit 2, Legacy BIOS Bootable. */
  legacyBiosBootable: boolean;
  /** PartitionName up to its first NUL, decoded from UTF-16LE. */
  name: string;
}

export interface GptEntries {
  /** Used slots in slot order. */
  entries: GptEntry[];
  /** The whole array as read (NumberOfPartitionEntries × SizeOfPartitionEntry bytes), for editors. */
  raw: Uint8Array;
}

const nameDecoder = new TextDecoder('utf-16le');

/**
 * Reads the partition entry array a validated header points to, checks PartitionEntryArrayCRC32, and decodes
 * the used entries.
 *
 * Throws BYOI_IMAGE_TRUNCATED when the array is not inside the image, BYOI_IMAGE_INVALID on a CRC mismatch,
 * an entry whose StartingLBA is after its EndingLBA, or LBAs too large to address.
 *
 * @example
 * ```ts
 * const { entries } = await readGptEntries(source, await readGptHeader(source, 1, 512));
 * entries[0].typeGuid; // "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
 * ```
 */
export async function readGptEntries(source: ReadAt, header: GptHeader): Promise<GptEntries> {
  const { sectorSize, numberOfPartitionEntries: count, sizeOfPartitionEntry: size } = header;
  const structure = `GPT partition entries at LBA ${header.partitionEntryLba}`;
  const arrayBytes = count * size;
  checkRange(source.size, header.partitionEntryLba * sectorSize, arrayBytes, structure);
  const raw = (await source.readAt(header.partitionEntryLba * sectorSize, arrayBytes)).slice();
  const computed = crc32(raw);
  if (computed !== header.partitionEntryArrayCrc32) {
    throw new ByoiError('BYOI_IMAGE_INVALID', {
      structure,
      reason: `PartitionEntryArrayCRC32 is 0x${hex8(header.partitionEntryArrayCrc32)} but the entries hash to 0x${hex8(computed)}`,
    });
  }

  const entries: GptEntry[] = [];
  for (let slot = 0; slot < count; slot++) {
    const base = slot * size;
    if (isZero(raw, base + ENT_PARTITION_TYPE_GUID, 16)) continue;
    const number = slot + 1;
    const invalid = (reason: string): ByoiError =>
      new ByoiError('BYOI_IMAGE_INVALID', { structure: `GPT partition ${number}`, reason });
    const lbaField = (offset: number, name: string): number => {
      const value = u64le(raw, base + offset);
      if (value * BigInt(sectorSize) > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`${name} 0x${value.toString(16)} is too large`);
      return Number(value);
    };
    const startingLba = lbaField(ENT_STARTING_LBA, 'StartingLBA');
    const endingLba = lbaField(ENT_ENDING_LBA, 'EndingLBA');
    if (startingLba > endingLba) throw invalid(`StartingLBA ${startingLba} is after EndingLBA ${endingLba}`);
    const attributes = u64le(raw, base + ENT_ATTRIBUTES);
    entries.push({
      number,
      typeGuid: formatGuid(raw, base + ENT_PARTITION_TYPE_GUID),
      uniqueGuid: formatGuid(raw, base + ENT_UNIQUE_PARTITION_GUID),
      startingLba,
      endingLba,
      attributes,
      legacyBiosBootable: ((attributes >> ATTR_LEGACY_BIOS_BOOTABLE) & 1n) === 1n,
      name: decodeName(raw, base + ENT_PARTITION_NAME),
    });
  }
  return { entries, raw };
}

/** PartitionName: 36 UTF-16LE code units, ended by the first NUL code unit or the end of the field. */
function decodeName(bytes: Uint8Array, offset: number): string {
  let end = offset;
  while (end < offset + ENT_PARTITION_NAME_BYTES && (bytes[end] !== 0 || bytes[end + 1] !== 0)) end += 2;
  return nameDecoder.decode(bytes.subarray(offset, end));
}

function isZero(bytes: Uint8Array, offset: number, length: number): boolean {
  for (let i = offset; i < offset + length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}
