import { crc32 } from 'node:zlib';
import { writeU32le, writeU64le } from '../bytes.ts';
import {
  GPT_HEADER_MIN_SIZE,
  GPT_REVISION_1_0,
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
  HDR_RESERVED,
  HDR_REVISION,
  HDR_SIZE_OF_PARTITION_ENTRY,
} from './gpt-layout.ts';
import { parseGuid } from './parse-guid.ts';

/** The header fields an editor sets; the rest (signature, size, CRC) follow from them. */
export interface GptHeaderFields {
  sectorSize: number;
  myLba: number;
  alternateLba: number;
  firstUsableLba: number;
  lastUsableLba: number;
  diskGuid: string;
  partitionEntryLba: number;
  numberOfPartitionEntries: number;
  sizeOfPartitionEntry: number;
  partitionEntryArrayCrc32: number;
  /**
   * The header as read (GptHeader.raw): its revision, HeaderSize and any bytes past the 92 this code knows are
   * kept. Without it a revision 1.0 header of 92 bytes is made.
   */
  raw?: Uint8Array;
}

/**
 * Builds one header sector (`sectorSize` bytes) with HeaderCRC32 computed over HeaderSize bytes (FORMAT.md
 * "Header"). The bytes after HeaderSize are zero, as the spec requires.
 *
 * @example
 * ```ts
 * const backup = encodeGptHeader({ ...primary, myLba: last, alternateLba: 1, partitionEntryLba: last - 32 });
 * ```
 */
export function encodeGptHeader(fields: GptHeaderFields): Uint8Array {
  const sector = new Uint8Array(fields.sectorSize);
  let headerSize = GPT_HEADER_MIN_SIZE;
  if (fields.raw !== undefined) {
    sector.set(fields.raw.subarray(0, Math.min(fields.raw.length, fields.sectorSize)));
    headerSize = Math.min(fields.raw.length, fields.sectorSize);
  } else {
    writeU32le(sector, HDR_REVISION, GPT_REVISION_1_0);
  }
  sector.set(GPT_SIGNATURE, 0);
  writeU32le(sector, HDR_HEADER_SIZE, headerSize);
  writeU32le(sector, HDR_RESERVED, 0);
  writeU64le(sector, HDR_MY_LBA, fields.myLba);
  writeU64le(sector, HDR_ALTERNATE_LBA, fields.alternateLba);
  writeU64le(sector, HDR_FIRST_USABLE_LBA, fields.firstUsableLba);
  writeU64le(sector, HDR_LAST_USABLE_LBA, fields.lastUsableLba);
  sector.set(parseGuid(fields.diskGuid), HDR_DISK_GUID);
  writeU64le(sector, HDR_PARTITION_ENTRY_LBA, fields.partitionEntryLba);
  writeU32le(sector, HDR_NUMBER_OF_PARTITION_ENTRIES, fields.numberOfPartitionEntries);
  writeU32le(sector, HDR_SIZE_OF_PARTITION_ENTRY, fields.sizeOfPartitionEntry);
  writeU32le(sector, HDR_PARTITION_ENTRY_ARRAY_CRC32, fields.partitionEntryArrayCrc32 >>> 0);
  writeU32le(sector, HDR_HEADER_CRC32, 0);
  writeU32le(sector, HDR_HEADER_CRC32, crc32(sector.subarray(0, headerSize)));
  return sector;
}
