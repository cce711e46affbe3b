import { bytesEqual, isAllZero, toSafeNumber, u16le, u32le, u64le } from '../bytes.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { crc32c } from './_crc32c.ts';
import { hex, invalid, unsupported } from './_container-errors.ts';

// [MS-VHDX] v20240423: §2.2 headers, §2.2.3 region table, §2.6 metadata region. All numbers are little-endian;
// GUIDs are stored as Windows lays them out (first three fields little-endian), written here byte by byte.
const KiB = 1024;
const MiB = 1024 * KiB;
const HEADER_OFFSETS = [64 * KiB, 128 * KiB];
const HEADER_SIZE = 4 * KiB;
const REGION_TABLE_OFFSETS = [192 * KiB, 256 * KiB];
const REGION_TABLE_SIZE = 64 * KiB;
const METADATA_TABLE_SIZE = 64 * KiB;

// Header fields
const HEAD_SIGNATURE = [0x68, 0x65, 0x61, 0x64]; // "head"
const HEAD_CHECKSUM = 4; // u32, CRC-32C of the 4 KiB header with this field zero
const HEAD_SEQUENCE_NUMBER = 8; // u64
const HEAD_LOG_GUID = 48; // 16 bytes
const HEAD_VERSION = 66; // u16, must be 1
// Region table
const REGI_SIGNATURE = [0x72, 0x65, 0x67, 0x69]; // "regi"
const REGI_CHECKSUM = 4; // u32, CRC-32C of the 64 KiB table with this field zero
const REGI_ENTRY_COUNT = 8; // u32, at most 2047
const REGI_ENTRIES = 16;
const REGION_ENTRY_SIZE = 32;
const REGION_GUID = 0; // 16 bytes
const REGION_FILE_OFFSET = 16; // u64, 1 MiB aligned
const REGION_LENGTH = 24; // u32, multiple of 1 MiB
const REGION_REQUIRED = 28; // u32, bit 0
// Metadata table
const META_SIGNATURE = [0x6d, 0x65, 0x74, 0x61, 0x64, 0x61, 0x74, 0x61]; // "metadata"
const META_ENTRY_COUNT = 10; // u16, at most 2047
const META_ENTRIES = 32;
const META_ENTRY_SIZE = 32;
const META_ITEM_ID = 0; // 16 bytes
const META_OFFSET = 16; // u32, from the start of the metadata region, at least 64 KiB
const META_LENGTH = 20; // u32
const META_FLAGS = 24; // u32: bit 0 IsUser, bit 1 IsVirtualDisk, bit 2 IsRequired
const META_IS_REQUIRED = 4;
const MAX_ENTRIES = 2047;

/** {2DC27766-F623-4200-9D64-115E9BFD4A08}: the BAT region. */
const BAT_GUID = [0x66, 0x77, 0xc2, 0x2d, 0x23, 0xf6, 0x00, 0x42, 0x9d, 0x64, 0x11, 0x5e, 0x9b, 0xfd, 0x4a, 0x08];
/** {8B7CA206-4790-4B9A-B8FE-575F050F886E}: the metadata region. */
const METADATA_GUID = [0x06, 0xa2, 0x7c, 0x8b, 0x90, 0x47, 0x9a, 0x4b, 0xb8, 0xfe, 0x57, 0x5f, 0x05, 0x0f, 0x88, 0x6e];
/** {2FA54224-CD1B-4876-B211-5DBED83BF4B8}: Virtual Disk Size (u64). */
const VIRTUAL_DISK_SIZE_GUID = [0x24, 0x42, 0xa5, 0x2f, 0x1b, 0xcd, 0x76, 0x48, 0xb2, 0x11, 0x5d, 0xbe, 0xd8, 0x3b, 0xf4, 0xb8];
/** {8141BF1D-A96F-4709-BA47-F233A8FAAB5F}: Logical Sector Size (u32, 512 or 4096). */
const LOGICAL_SECTOR_SIZE_GUID = [0x1d, 0xbf, 0x41, 0x81, 0x6f, 0xa9, 0x09, 0x47, 0xba, 0x47, 0xf2, 0x33, 0xa8, 0xfa, 0xab, 0x5f];
/** Item IDs a reader of the virtual size can meet and ignore (file parameters, physical sector size, page 83 data, parent locator). */
const KNOWN_METADATA_GUIDS = [
  [0x37, 0x67, 0xa1, 0xca, 0x36, 0xfa, 0x43, 0x4d, 0xb3, 0xb6, 0x33, 0xf0, 0xaa, 0x44, 0xe7, 0x6b],
  [0xc7, 0x48, 0xa3, 0xcd, 0x5d, 0x44, 0x71, 0x44, 0x9c, 0xc9, 0xe9, 0x88, 0x52, 0x51, 0xc5, 0x56],
  [0xab, 0x12, 0xca, 0xbe, 0xe6, 0xb2, 0x23, 0x45, 0x93, 0xef, 0xc3, 0x09, 0xe0, 0x00, 0xc7, 0x46],
  [0x2d, 0x5f, 0xd3, 0xa8, 0x0b, 0xb3, 0x4d, 0x45, 0xab, 0xf7, 0xd3, 0xd8, 0x48, 0x34, 0xab, 0x0c],
  VIRTUAL_DISK_SIZE_GUID,
  LOGICAL_SECTOR_SIZE_GUID,
];
/** [MS-VHDX] §2.6.2.2: at most 64 TiB. */
const MAX_VIRTUAL_DISK_SIZE = 64 * 1024 * 1024 * MiB;

function checksumOk(bytes: Uint8Array, checksumOffset: number): boolean {
  const copy = new Uint8Array(bytes);
  const stored = u32le(copy, checksumOffset);
  copy.fill(0, checksumOffset, checksumOffset + 4);
  return crc32c(copy) === stored;
}

/** The current header: the valid one (signature, checksum) with the larger sequence number (§2.2.2.1). */
async function currentHeader(source: ReadAt): Promise<Uint8Array> {
  let best: Uint8Array | null = null;
  let bestSequence = -1n;
  for (const offset of HEADER_OFFSETS) {
    if (offset + HEADER_SIZE > source.size) continue;
    const header = await source.readAt(offset, HEADER_SIZE);
    if (!bytesEqual(header, 0, HEAD_SIGNATURE) || !checksumOk(header, HEAD_CHECKSUM)) continue;
    const sequence = u64le(header, HEAD_SEQUENCE_NUMBER);
    if (sequence > bestSequence) {
      best = header;
      bestSequence = sequence;
    }
  }
  if (best === null) {
    checkRange(source.size, 0, HEADER_OFFSETS[1] as number + HEADER_SIZE, 'vhdx header');
    throw invalid('vhdx header', 'neither header at 64 KiB nor at 128 KiB has a valid signature and checksum');
  }
  return best;
}

/** The first region table with a valid signature and checksum (§2.2.3: the second is a copy of the first). */
async function regionTable(source: ReadAt): Promise<Uint8Array> {
  for (const offset of REGION_TABLE_OFFSETS) {
    if (offset + REGION_TABLE_SIZE > source.size) continue;
    const table = await source.readAt(offset, REGION_TABLE_SIZE);
    if (bytesEqual(table, 0, REGI_SIGNATURE) && checksumOk(table, REGI_CHECKSUM)) return table;
  }
  checkRange(source.size, 0, (REGION_TABLE_OFFSETS[0] as number) + REGION_TABLE_SIZE, 'vhdx region table');
  throw invalid('vhdx region table', 'neither region table at 192 KiB nor at 256 KiB has a valid signature and checksum');
}

/**
 * Virtual size of a VHDX: current header → region table → metadata region → Virtual Disk Size item, each checked
 * (signatures, CRC-32C, entry counts, required entries byoi does not know refused, as the spec demands).
 *
 * byoi refuses an image whose header names a log (LogGuid not zero): replaying the log could change the metadata.
 * qemu scans the log and refuses only when it holds entries to replay, so it opens a few images byoi refuses.
 *
 * @throws BYOI_IMAGE_INVALID, BYOI_IMAGE_TRUNCATED, BYOI_IMAGE_UNSUPPORTED_FEATURE
 */
export async function readVhdxVirtualSize(source: ReadAt): Promise<number> {
  const header = await currentHeader(source);
  const version = u16le(header, HEAD_VERSION);
  if (version !== 1) throw unsupported(`VHDX version ${version}`);
  if (!isAllZero(header.subarray(HEAD_LOG_GUID, HEAD_LOG_GUID + 16))) throw unsupported('a VHDX log that may need replaying');

  const table = await regionTable(source);
  const entryCount = u32le(table, REGI_ENTRY_COUNT);
  if (entryCount > MAX_ENTRIES) throw invalid('vhdx region table', `EntryCount ${entryCount} is larger than ${MAX_ENTRIES}`);
  let metadataOffset = -1;
  let metadataLength = 0;
  for (let i = 0; i < entryCount; i++) {
    const entry = REGI_ENTRIES + i * REGION_ENTRY_SIZE;
    const isMetadata = bytesEqual(table, entry + REGION_GUID, METADATA_GUID);
    if (!isMetadata && !bytesEqual(table, entry + REGION_GUID, BAT_GUID) && (u32le(table, entry + REGION_REQUIRED) & 1) === 1) {
      throw unsupported('a required VHDX region byoi does not know');
    }
    if (!isMetadata) continue;
    metadataOffset = toSafeNumber(u64le(table, entry + REGION_FILE_OFFSET), 'vhdx region table', 'metadata FileOffset');
    metadataLength = u32le(table, entry + REGION_LENGTH);
  }
  if (metadataOffset < 0) throw invalid('vhdx region table', 'there is no metadata region');
  if (metadataOffset % MiB !== 0 || metadataOffset < MiB) {
    throw invalid('vhdx region table', `metadata region offset ${hex(metadataOffset)} is not a multiple of 1 MiB past the first`);
  }
  if (metadataLength < METADATA_TABLE_SIZE) throw invalid('vhdx region table', `metadata region length ${metadataLength} is less than 64 KiB`);
  checkRange(source.size, metadataOffset, METADATA_TABLE_SIZE, 'vhdx metadata table');
  const metadata = await source.readAt(metadataOffset, METADATA_TABLE_SIZE);
  if (!bytesEqual(metadata, 0, META_SIGNATURE)) throw invalid('vhdx metadata table', 'signature is not "metadata"');
  const itemCount = u16le(metadata, META_ENTRY_COUNT);
  if (itemCount > MAX_ENTRIES) throw invalid('vhdx metadata table', `EntryCount ${itemCount} is larger than ${MAX_ENTRIES}`);

  let virtualDiskSize: bigint | null = null;
  let logicalSectorSize = 512;
  for (let i = 0; i < itemCount; i++) {
    const entry = META_ENTRIES + i * META_ENTRY_SIZE;
    const known = KNOWN_METADATA_GUIDS.some((guid) => bytesEqual(metadata, entry + META_ITEM_ID, guid));
    if (!known && (u32le(metadata, entry + META_FLAGS) & META_IS_REQUIRED) !== 0) {
      throw unsupported('a required VHDX metadata item byoi does not know');
    }
    const isSize = bytesEqual(metadata, entry + META_ITEM_ID, VIRTUAL_DISK_SIZE_GUID);
    const isSector = bytesEqual(metadata, entry + META_ITEM_ID, LOGICAL_SECTOR_SIZE_GUID);
    if (!isSize && !isSector) continue;
    const itemOffset = u32le(metadata, entry + META_OFFSET);
    const itemLength = u32le(metadata, entry + META_LENGTH);
    const wanted = isSize ? 8 : 4;
    if (itemLength < wanted || itemOffset < METADATA_TABLE_SIZE || itemOffset + wanted > metadataLength) {
      throw invalid('vhdx metadata table', `item at offset ${itemOffset} with length ${itemLength} is outside the metadata region`);
    }
    checkRange(source.size, metadataOffset + itemOffset, wanted, 'vhdx metadata item');
    const value = await source.readAt(metadataOffset + itemOffset, wanted);
    if (isSize) virtualDiskSize = u64le(value, 0);
    else logicalSectorSize = u32le(value, 0);
  }
  if (virtualDiskSize === null) throw invalid('vhdx metadata table', 'there is no Virtual Disk Size item');
  if (logicalSectorSize !== 512 && logicalSectorSize !== 4096) {
    throw invalid('vhdx metadata', `LogicalSectorSize ${logicalSectorSize} is not 512 or 4096`);
  }
  if (virtualDiskSize > BigInt(MAX_VIRTUAL_DISK_SIZE)) throw invalid('vhdx metadata', `VirtualDiskSize ${virtualDiskSize} is larger than 64 TiB`);
  if (virtualDiskSize % BigInt(logicalSectorSize) !== 0n) {
    throw invalid('vhdx metadata', `VirtualDiskSize ${virtualDiskSize} is not a multiple of the ${logicalSectorSize}-byte logical sector`);
  }
  return Number(virtualDiskSize);
}
