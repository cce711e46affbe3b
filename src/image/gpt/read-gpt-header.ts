import { crc32 } from 'node:zlib';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { bytesEqual, u32le, u64le } from '../bytes.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { formatGuid } from './format-guid.ts';
import {
  GPT_ENTRY_ARRAY_MAX_BYTES,
  GPT_ENTRY_MAX_SIZE,
  GPT_ENTRY_MIN_SIZE,
  GPT_HEADER_MIN_SIZE,
  GPT_SIGNATURE,
  HDR_ALTERNATE_LBA,
  HDR_DISK_GUID,
  HDR_FIRST_USABLE_LBA,
  HDR_HEADER_CRC32,
  HDR_HEADER_SIZE,
  HDR_LAST_USABLE_LBA,
  HDR_MY_LBA,
  HDR_NUMBER_OF_PARTITION_ENTRIES,
  HDR_PARTITION_ENTRY_ARRAY_CRC32,
  HDR_PARTITION_ENTRY_LBA,
  HDR_REVISION,
  HDR_SIZE_OF_PARTITION_ENTRY,
} from './gpt-layout.ts';

/** A GPT header whose CRC, sizes and LBAs have been checked (FORMAT.md "Header"). */
export interface GptHeader {
  /** Logical sector size the header was read with: every LBA below counts sectors of this size. */
  sectorSize: number;
  revision: number;
  headerSize: number;
  headerCrc32: number;
  myLba: number;
  alternateLba: number;
  firstUsableLba: number;
  lastUsableLba: number;
  /** Upper-case text form, as sgdisk prints it. */
  diskGuid: string;
  partitionEntryLba: number;
  numberOfPartitionEntries: number;
  sizeOfPartitionEntry: number;
  partitionEntryArrayCrc32: number;
  /** The `headerSize` bytes the CRC covers, as read: an editor keeps fields it does not know. */
  raw: Uint8Array;
}

/**
 * Reads and validates the GPT header at `lba`, in sectors of `sectorSize` bytes. The header is checked on its
 * own: signature, revision, HeaderSize, HeaderCRC32, MyLBA, entry size and count, and that the header, the
 * entry array and the usable range do not overlap. Whether the entry array is inside the image is
 * readGptEntries()'s job.
 *
 * Throws BYOI_IMAGE_INVALID naming the first field that is wrong, BYOI_IMAGE_TRUNCATED when the image ends
 * before the header.
 *
 * @example
 * ```ts
 * const primary = await readGptHeader(source, 1, 512);
 * primary.alternateLba; // where the backup header should be
 * ```
 */
export async function readGptHeader(source: ReadAt, lba: number, sectorSize: number): Promise<GptHeader> {
  const structure = `GPT header at LBA ${lba} (${sectorSize}-byte sectors)`;
  const invalid = (reason: string): ByoiError => new ByoiError('BYOI_IMAGE_INVALID', { structure, reason });
  if (!Number.isSafeInteger(lba * sectorSize)) throw invalid(`LBA ${lba} is not a valid position`);
  checkRange(source.size, lba * sectorSize, sectorSize, structure);
  const sector = await source.readAt(lba * sectorSize, sectorSize);

  if (!bytesEqual(sector, 0, GPT_SIGNATURE)) throw invalid('the signature is not "EFI PART"');
  const revision = u32le(sector, HDR_REVISION);
  // UEFI §5.3.2: revision 1.0 is the only one defined; a new major revision may change the layout.
  if (revision >>> 16 !== 1) throw invalid(`revision 0x${hex8(revision)} is not 1.x`);
  const headerSize = u32le(sector, HDR_HEADER_SIZE);
  if (headerSize < GPT_HEADER_MIN_SIZE || headerSize > sectorSize) {
    throw invalid(`HeaderSize ${headerSize} is outside ${GPT_HEADER_MIN_SIZE}..${sectorSize}`);
  }
  const headerCrc32 = u32le(sector, HDR_HEADER_CRC32);
  const covered = sector.slice(0, headerSize);
  covered.fill(0, HDR_HEADER_CRC32, HDR_HEADER_CRC32 + 4);
  const computed = crc32(covered);
  if (computed !== headerCrc32) {
    throw invalid(`HeaderCRC32 is 0x${hex8(headerCrc32)} but the header hashes to 0x${hex8(computed)}`);
  }

  const lbaField = (offset: number, name: string): number => {
    const value = u64le(sector, offset);
    if (value * BigInt(sectorSize) > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`${name} 0x${value.toString(16)} is too large`);
    return Number(value);
  };
  const myLba = lbaField(HDR_MY_LBA, 'MyLBA');
  const alternateLba = lbaField(HDR_ALTERNATE_LBA, 'AlternateLBA');
  const firstUsableLba = lbaField(HDR_FIRST_USABLE_LBA, 'FirstUsableLBA');
  const lastUsableLba = lbaField(HDR_LAST_USABLE_LBA, 'LastUsableLBA');
  const partitionEntryLba = lbaField(HDR_PARTITION_ENTRY_LBA, 'PartitionEntryLBA');
  const numberOfPartitionEntries = u32le(sector, HDR_NUMBER_OF_PARTITION_ENTRIES);
  const sizeOfPartitionEntry = u32le(sector, HDR_SIZE_OF_PARTITION_ENTRY);

  if (myLba !== lba) throw invalid(`MyLBA is ${myLba}, not the LBA it was read from`);
  if (alternateLba === myLba) throw invalid(`AlternateLBA ${alternateLba} points to the header itself`);
  if (alternateLba === 0) throw invalid('AlternateLBA is 0, the MBR');
  if (!isPowerOfTwoMultiple(sizeOfPartitionEntry, GPT_ENTRY_MIN_SIZE) || sizeOfPartitionEntry > GPT_ENTRY_MAX_SIZE) {
    throw invalid(`SizeOfPartitionEntry ${sizeOfPartitionEntry} is not 128 × 2^n up to ${GPT_ENTRY_MAX_SIZE}`);
  }
  if (numberOfPartitionEntries === 0) throw invalid('NumberOfPartitionEntries is 0');
  const arrayBytes = numberOfPartitionEntries * sizeOfPartitionEntry;
  if (arrayBytes > GPT_ENTRY_ARRAY_MAX_BYTES) {
    throw invalid(
      `the entry array (${numberOfPartitionEntries} × ${sizeOfPartitionEntry} bytes) is larger than byoi's limit of ${GPT_ENTRY_ARRAY_MAX_BYTES} bytes`,
    );
  }
  if (firstUsableLba > lastUsableLba) throw invalid(`FirstUsableLBA ${firstUsableLba} is after LastUsableLBA ${lastUsableLba}`);

  // Layout on disk (FORMAT.md "Layout"): primary header, its entries, usable space, backup entries, backup header.
  const arrayLastLba = partitionEntryLba + Math.ceil(arrayBytes / sectorSize) - 1;
  if (myLba < alternateLba) {
    if (partitionEntryLba <= myLba) throw invalid(`PartitionEntryLBA ${partitionEntryLba} is not after the header`);
    if (arrayLastLba >= firstUsableLba) {
      throw invalid(`the entry array (LBA ${partitionEntryLba}..${arrayLastLba}) reaches FirstUsableLBA ${firstUsableLba}`);
    }
    if (lastUsableLba >= alternateLba) throw invalid(`LastUsableLBA ${lastUsableLba} reaches AlternateLBA ${alternateLba}`);
  } else {
    if (arrayLastLba >= myLba) throw invalid(`the entry array (LBA ${partitionEntryLba}..${arrayLastLba}) reaches the header`);
    if (partitionEntryLba <= lastUsableLba) {
      throw invalid(`PartitionEntryLBA ${partitionEntryLba} is inside the usable range (LastUsableLBA ${lastUsableLba})`);
    }
    if (firstUsableLba <= alternateLba) throw invalid(`FirstUsableLBA ${firstUsableLba} is not after AlternateLBA ${alternateLba}`);
  }

  return {
    sectorSize,
    revision,
    headerSize,
    headerCrc32,
    myLba,
    alternateLba,
    firstUsableLba,
    lastUsableLba,
    diskGuid: formatGuid(sector, HDR_DISK_GUID),
    partitionEntryLba,
    numberOfPartitionEntries,
    sizeOfPartitionEntry,
    partitionEntryArrayCrc32: u32le(sector, HDR_PARTITION_ENTRY_ARRAY_CRC32),
    raw: sector.slice(0, headerSize),
  };
}

function isPowerOfTwoMultiple(value: number, base: number): boolean {
  if (value < base || value % base !== 0) return false;
  const ratio = value / base;
  return (ratio & (ratio - 1)) === 0;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}
