// Field offsets of the GPT header and partition entry, spelled as in FORMAT.md (UEFI 2.10 §5.3.2, §5.3.3).
// All numbers are little-endian. Reader and editor share these so that both can be checked against one table.

/** "EFI PART" in ASCII: the header's Signature field. */
export const GPT_SIGNATURE = [0x45, 0x46, 0x49, 0x20, 0x50, 0x41, 0x52, 0x54] as const;
/** Revision 1.0, the only revision the spec has defined. */
export const GPT_REVISION_1_0 = 0x00010000;
/** Size of the header fields the spec defines; a header may declare more, up to one sector. */
export const GPT_HEADER_MIN_SIZE = 92;
/** Size of one partition entry in revision 1.0; SizeOfPartitionEntry is 128 × 2^n. */
export const GPT_ENTRY_MIN_SIZE = 128;

// Header fields (byte offset inside the header sector)
export const HDR_SIGNATURE = 0; // 8 bytes
export const HDR_REVISION = 8; // u32
export const HDR_HEADER_SIZE = 12; // u32
export const HDR_HEADER_CRC32 = 16; // u32
export const HDR_RESERVED = 20; // u32, zero
export const HDR_MY_LBA = 24; // u64
export const HDR_ALTERNATE_LBA = 32; // u64
export const HDR_FIRST_USABLE_LBA = 40; // u64
export const HDR_LAST_USABLE_LBA = 48; // u64
export const HDR_DISK_GUID = 56; // 16 bytes
export const HDR_PARTITION_ENTRY_LBA = 72; // u64
export const HDR_NUMBER_OF_PARTITION_ENTRIES = 80; // u32
export const HDR_SIZE_OF_PARTITION_ENTRY = 84; // u32
export const HDR_PARTITION_ENTRY_ARRAY_CRC32 = 88; // u32

// Partition entry fields (byte offset inside one entry)
export const ENT_PARTITION_TYPE_GUID = 0; // 16 bytes
export const ENT_UNIQUE_PARTITION_GUID = 16; // 16 bytes
export const ENT_STARTING_LBA = 32; // u64
export const ENT_ENDING_LBA = 40; // u64
export const ENT_ATTRIBUTES = 48; // u64
export const ENT_PARTITION_NAME = 56; // 72 bytes: 36 UTF-16LE code units
export const ENT_PARTITION_NAME_BYTES = 72;

// Attribute bits (UEFI Table 5.8)
export const ATTR_REQUIRED_PARTITION = 0n;
export const ATTR_NO_BLOCK_IO_PROTOCOL = 1n;
export const ATTR_LEGACY_BIOS_BOOTABLE = 2n;

/**
 * byoi's limit on NumberOfPartitionEntries × SizeOfPartitionEntry. The spec sets none; every tool writes 16 KiB
 * (128 × 128). 1 MiB keeps a hostile header from making byoi read gigabytes.
 */
export const GPT_ENTRY_ARRAY_MAX_BYTES = 1024 * 1024;
/** byoi's limit on SizeOfPartitionEntry (the spec only asks for 128 × 2^n). */
export const GPT_ENTRY_MAX_SIZE = 4096;
