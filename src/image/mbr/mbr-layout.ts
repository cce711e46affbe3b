// Field offsets of the MBR and of its partition entries, spelled as in FORMAT.md. All numbers are little-endian.
// The MBR is the first 512 bytes of the disk whatever the logical sector size; LBAs count logical sectors.

export const MBR_SIZE = 512;

// MBR fields (byte offset in sector 0)
export const MBR_BOOT_CODE = 0; // 440 bytes
export const MBR_BOOT_CODE_SIZE = 440;
export const MBR_DISK_SIGNATURE = 440; // u32
export const MBR_RESERVED = 444; // u16, 0x0000 (or 0x5A5A "copy-protected")
export const MBR_PARTITION_ENTRIES = 446; // 4 × 16 bytes
export const MBR_ENTRY_SIZE = 16;
export const MBR_ENTRY_COUNT = 4;
export const MBR_BOOT_SIGNATURE = 510; // 0x55 0xAA
export const MBR_BOOT_SIGNATURE_BYTES = [0x55, 0xaa] as const;

// Partition entry fields (byte offset in one 16-byte entry)
export const PE_STATUS = 0; // u8: 0x80 active, 0x00 inactive
export const PE_CHS_FIRST = 1; // 3 bytes
export const PE_TYPE = 4; // u8
export const PE_CHS_LAST = 5; // 3 bytes
export const PE_LBA_FIRST = 8; // u32
export const PE_SECTOR_COUNT = 12; // u32

export const STATUS_ACTIVE = 0x80;
export const STATUS_INACTIVE = 0x00;

/** Type bytes of extended partitions (containers of an EBR chain): DOS 3.3+, Windows LBA, Linux. */
export const EXTENDED_TYPES: readonly number[] = [0x05, 0x0f, 0x85];

/** True for the type bytes of an extended partition. */
export function isExtendedType(type: number): boolean {
  return EXTENDED_TYPES.includes(type);
}
/** GPT protective partition (UEFI §5.2.3). */
export const TYPE_GPT_PROTECTIVE = 0xee;

/**
 * Sectors an MBR can address: a partition's StartingLBA + SectorCount must itself fit in 32 bits, so its last
 * sector is at most 0xFFFFFFFE (2 TiB − 512 bytes at 512-byte sectors; libfdisk's limit too).
 */
export const MBR_MAX_SECTORS = 0xffff_ffff;

/**
 * byoi's limit on the length of an EBR chain. Linux stops at 256 partitions per disk (DISK_MAX_PARTS);
 * more links than that are reported, not followed.
 */
export const EBR_CHAIN_MAX_LENGTH = 256;
