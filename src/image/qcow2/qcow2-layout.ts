// Field offsets, bits and limits of qcow2, spelled as in FORMAT.md (which follows qemu's docs/interop/qcow2.txt).
// All numbers in qcow2 are big-endian. The header reader, the L1/L2 decoders and FORMAT.md share these names so
// that a reviewer can check code and table side by side.

/** "QFI\xfb": the header's magic field. */
export const QCOW2_MAGIC = 0x514649fb;

// Header fields (byte offset from the start of the file). v2 headers end at byte 72.
export const HDR_MAGIC = 0; // u32
export const HDR_VERSION = 4; // u32
export const HDR_BACKING_FILE_OFFSET = 8; // u64
export const HDR_BACKING_FILE_SIZE = 16; // u32
export const HDR_CLUSTER_BITS = 20; // u32
export const HDR_SIZE = 24; // u64
export const HDR_CRYPT_METHOD = 32; // u32
export const HDR_L1_SIZE = 36; // u32
export const HDR_L1_TABLE_OFFSET = 40; // u64
export const HDR_REFCOUNT_TABLE_OFFSET = 48; // u64
export const HDR_REFCOUNT_TABLE_CLUSTERS = 56; // u32
export const HDR_NB_SNAPSHOTS = 60; // u32
export const HDR_SNAPSHOTS_OFFSET = 64; // u64
// Version 3 and higher
export const HDR_INCOMPATIBLE_FEATURES = 72; // u64
export const HDR_COMPATIBLE_FEATURES = 80; // u64
export const HDR_AUTOCLEAR_FEATURES = 88; // u64
export const HDR_REFCOUNT_ORDER = 96; // u32
export const HDR_HEADER_LENGTH = 100; // u32
// Additional fields (present when header_length is larger than the field's offset)
export const HDR_COMPRESSION_TYPE = 104; // u8

/** qcow2.txt "Header": "For version 2, the header is exactly 72 bytes in length". */
export const V2_HEADER_LENGTH = 72;
/** qcow2.txt "Header": "For version 3 or higher, the header length is at least 104 bytes". */
export const V3_MIN_HEADER_LENGTH = 104;

// crypt_method values
export const CRYPT_NONE = 0;
export const CRYPT_AES = 1;
export const CRYPT_LUKS = 2;

// compression_type values
export const COMPRESSION_ZLIB = 0;
export const COMPRESSION_ZSTD = 1;

// incompatible_features bits
export const INCOMPAT_DIRTY = 0n;
export const INCOMPAT_CORRUPT = 1n;
export const INCOMPAT_DATA_FILE = 2n;
export const INCOMPAT_COMPRESSION = 3n;
export const INCOMPAT_EXTL2 = 4n;
/** Bits 0-4: every incompatible feature the spec defines. Any other bit makes the image unreadable. */
export const INCOMPAT_KNOWN_MASK = 0b11111n;

// compatible_features bits
export const COMPAT_LAZY_REFCOUNTS = 0n;

// autoclear_features bits
export const AUTOCLEAR_BITMAPS = 0n;
export const AUTOCLEAR_DATA_FILE_RAW = 1n;

// Header extension types (qcow2.txt "Header extensions")
export const EXT_END = 0x00000000;
export const EXT_BACKING_FORMAT = 0xe2792aca;
export const EXT_FEATURE_TABLE = 0x6803f857;
export const EXT_BITMAPS = 0x23852875;
export const EXT_CRYPTO_HEADER = 0x0537be77;
export const EXT_DATA_FILE = 0x44415441;

/** Size of one feature name table entry: type (1), bit (1), name (46). */
export const FEATURE_TABLE_ENTRY_SIZE = 48;
export const FEATURE_NAME_LENGTH = 46;
/** Size of the bitmaps extension data: nb_bitmaps, reserved, bitmap_directory_size, bitmap_directory_offset. */
export const BITMAPS_EXT_SIZE = 24;
/** Size of the full disk encryption header pointer: offset (u64) and length (u64). */
export const CRYPTO_HEADER_EXT_SIZE = 16;

// L1 table entry (u64)
/** Bits 9-55: offset of the L2 table. */
export const L1E_OFFSET_MASK = 0x00fffffffffffe00n;
// L2 table entry (u64)
/** Bits 9-55 of a standard cluster descriptor: host cluster offset. */
export const L2E_OFFSET_MASK = 0x00fffffffffffe00n;
/** Bit 62: 1 for compressed clusters. */
export const L2E_COMPRESSED = 1n << 62n;
/** Bit 63: refcount is exactly one (ignored when reading). */
export const L2E_COPIED = 1n << 63n;
/** Bit 0 of a standard cluster descriptor: the cluster reads as zeros (v3, without extended L2 entries). */
export const L2E_ZERO = 1n;
/** Sectors of the compressed cluster descriptor are 512 bytes whatever the cluster size. */
export const COMPRESSED_SECTOR_SIZE = 512;
/** Extended L2 entries split a standard cluster into 32 subclusters. */
export const SUBCLUSTERS_PER_CLUSTER = 32;

// Limits. The spec's own, then qemu's implementation limits (see FORMAT.md "Notes").
/** qcow2.txt: cluster_bits "Must not be less than 9". */
export const MIN_CLUSTER_BITS = 9;
/** qemu cannot open clusters larger than 2 MiB. */
export const MAX_CLUSTER_BITS = 21;
/** qcow2.txt: with extended L2 entries cluster_bits must be at least 14 (subclusters of at least 512 bytes). */
export const MIN_EXTL2_CLUSTER_BITS = 14;
/** qcow2.txt: refcount_order "may not exceed 6". */
export const MAX_REFCOUNT_ORDER = 6;
/** qcow2.txt: backing_file_size "Must not be longer than 1023 bytes". */
export const MAX_BACKING_FILE_SIZE = 1023;
/** qemu's limit on the active L1 table: 32 MiB, so 4 Mi entries. */
export const MAX_L1_SIZE_BYTES = 32 * 1024 * 1024;
/** qemu's limit on the refcount table: 8 MiB. */
export const MAX_REFCOUNT_TABLE_BYTES = 8 * 1024 * 1024;
/** qemu's limit on internal snapshots. */
export const MAX_SNAPSHOTS = 65536;
/** qemu's limit on persistent bitmaps. */
export const MAX_BITMAPS = 65535;
/** qemu's limit on the bitmap directory: 1 KiB per bitmap. */
export const MAX_BITMAP_DIRECTORY_SIZE = 1024 * MAX_BITMAPS;
/** qemu keeps the backing format name in a 16-byte buffer, so the name is at most 15 bytes. */
export const MAX_BACKING_FORMAT_LENGTH = 15;
