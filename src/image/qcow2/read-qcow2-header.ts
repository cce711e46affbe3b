import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { toSafeNumber, u32be, u64be, u8 } from '../bytes.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import {
  AUTOCLEAR_BITMAPS,
  AUTOCLEAR_DATA_FILE_RAW,
  COMPAT_LAZY_REFCOUNTS,
  COMPRESSION_ZLIB,
  COMPRESSION_ZSTD,
  CRYPT_LUKS,
  HDR_AUTOCLEAR_FEATURES,
  HDR_BACKING_FILE_OFFSET,
  HDR_BACKING_FILE_SIZE,
  HDR_CLUSTER_BITS,
  HDR_COMPATIBLE_FEATURES,
  HDR_COMPRESSION_TYPE,
  HDR_CRYPT_METHOD,
  HDR_HEADER_LENGTH,
  HDR_INCOMPATIBLE_FEATURES,
  HDR_L1_SIZE,
  HDR_L1_TABLE_OFFSET,
  HDR_MAGIC,
  HDR_NB_SNAPSHOTS,
  HDR_REFCOUNT_ORDER,
  HDR_REFCOUNT_TABLE_CLUSTERS,
  HDR_REFCOUNT_TABLE_OFFSET,
  HDR_SIZE,
  HDR_SNAPSHOTS_OFFSET,
  HDR_VERSION,
  INCOMPAT_COMPRESSION,
  INCOMPAT_CORRUPT,
  INCOMPAT_DATA_FILE,
  INCOMPAT_DIRTY,
  INCOMPAT_EXTL2,
  INCOMPAT_KNOWN_MASK,
  MAX_BACKING_FILE_SIZE,
  MAX_CLUSTER_BITS,
  MAX_L1_SIZE_BYTES,
  MAX_REFCOUNT_ORDER,
  MAX_REFCOUNT_TABLE_BYTES,
  MAX_SNAPSHOTS,
  MIN_CLUSTER_BITS,
  MIN_EXTL2_CLUSTER_BITS,
  QCOW2_MAGIC,
  V2_HEADER_LENGTH,
  V3_MIN_HEADER_LENGTH,
} from './qcow2-layout.ts';
import { parseQcow2HeaderExtensions, type Qcow2HeaderExtensions } from './read-qcow2-header-extensions.ts';

/**
 * Every field of a qcow2 header (v2 or v3), its header extensions, and the feature bits decoded. Offsets and sizes
 * are numbers (checked to be exact); the three feature bitmaps stay bigint as stored.
 */
export interface Qcow2Header {
  version: 2 | 3;
  backingFileOffset: number;
  backingFileSize: number;
  clusterBits: number;
  /** 1 << clusterBits. */
  clusterSize: number;
  /** The header's size field: virtual disk size in bytes. */
  size: number;
  /** 0 none, 1 AES, 2 LUKS. */
  cryptMethod: number;
  l1Size: number;
  l1TableOffset: number;
  refcountTableOffset: number;
  refcountTableClusters: number;
  nbSnapshots: number;
  snapshotsOffset: number;
  incompatibleFeatures: bigint;
  compatibleFeatures: bigint;
  autoclearFeatures: bigint;
  /** 4 for v2 (refcount_bits 16). */
  refcountOrder: number;
  /** 72 for v2. */
  headerLength: number;
  /** compression_type: 0 zlib (raw deflate), 1 zstd. */
  compressionType: number;

  // incompatible_features
  dirty: boolean;
  corrupt: boolean;
  /** Bit 2: guest clusters live in an external data file. */
  externalDataFile: boolean;
  /** Bit 4: L2 entries are 128 bits with subcluster bitmaps. */
  extendedL2: boolean;
  // compatible_features
  lazyRefcounts: boolean;
  // autoclear_features
  /** Bit 0: the bitmaps extension is consistent. */
  bitmapsConsistent: boolean;
  /** Bit 1: the external data file is a consistent raw image on its own. */
  rawExternalData: boolean;

  /** Backing file name, or null when backing_file_offset is 0. */
  backingFile: string | null;
  extensions: Qcow2HeaderExtensions;
}

const structure = 'qcow2 header';

function invalid(reason: string): ByoiError {
  return new ByoiError('BYOI_IMAGE_INVALID', { structure, reason });
}

function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}

function bit(bits: bigint, index: bigint): boolean {
  return ((bits >> index) & 1n) === 1n;
}

/** Reads `length` bytes at `offset`, or fewer at the end of the file, padded with zeros (qemu reads zeros there). */
async function readPadded(source: ReadAt, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  const available = Math.max(0, Math.min(length, source.size - offset));
  if (available > 0) out.set(await source.readAt(offset, available), 0);
  return out;
}

function featureLabel(kind: 'incompatible' | 'compatible' | 'autoclear', bitNumber: number, ext: Qcow2HeaderExtensions): string {
  const type = kind === 'incompatible' ? 0 : kind === 'compatible' ? 1 : 2;
  for (const entry of ext.featureNames) {
    if (entry.type === type && entry.bit === bitNumber && entry.name !== '') {
      return `qcow2 ${kind} feature bit ${bitNumber} ("${entry.name}")`;
    }
  }
  return `qcow2 ${kind} feature bit ${bitNumber}`;
}

/**
 * Reads and validates the header of a qcow2 image, before anything trusts it: magic, version, cluster_bits,
 * header_length, refcount_order, crypt_method, compression type, table offsets (cluster-aligned, inside the file,
 * bounded as qemu bounds them), l1_size against the virtual size, and the header extensions.
 *
 * Backing files, external data files and encryption are reported, not refused: inspect shows them, and
 * openQcow2() refuses them. Unknown incompatible feature bits are refused here (qcow2.txt: "An implementation
 * must fail to open an image if an unknown bit is set"), with the bit number and its name from the feature name
 * table when the image has one.
 *
 * @throws BYOI_IMAGE_INVALID when a field breaks the spec ("Cannot read qcow2 header: l1_table_offset 0x1234 is
 *   not cluster-aligned"); BYOI_IMAGE_TRUNCATED when a table lies past the end of the file;
 *   BYOI_IMAGE_UNSUPPORTED_FEATURE for a version above 3, clusters above 2 MiB, an unknown incompatible bit or an
 *   unknown compression type.
 *
 * @example
 * ```ts
 * const header = await readQcow2Header(bufferReadAt(bytes));
 * header.clusterSize; // 65536
 * header.backingFile; // null
 * ```
 */
export async function readQcow2Header(source: ReadAt): Promise<Qcow2Header> {
  checkRange(source.size, 0, V2_HEADER_LENGTH, structure);
  // Enough for every field byoi knows, up to compression_type and its padding; bytes past the end read as zeros
  // and only count when header_length says the field is there.
  const fixed = await readPadded(source, 0, HDR_COMPRESSION_TYPE + 8);

  const magic = u32be(fixed, HDR_MAGIC);
  if (magic !== QCOW2_MAGIC) throw invalid(`magic is ${hex(magic)}, not 0x514649fb ("QFI\\xfb")`);
  const version = u32be(fixed, HDR_VERSION);
  if (version < 2) throw invalid(`version ${version} is not 2 or 3${version === 1 ? ' (version 1 is the older qcow format)' : ''}`);
  if (version > 3) throw new ByoiError('BYOI_IMAGE_UNSUPPORTED_FEATURE', { feature: `qcow2 version ${version}` });

  const clusterBits = u32be(fixed, HDR_CLUSTER_BITS);
  if (clusterBits < MIN_CLUSTER_BITS || clusterBits > 63) {
    throw invalid(`cluster_bits ${clusterBits} is not between ${MIN_CLUSTER_BITS} and 63`);
  }
  if (clusterBits > MAX_CLUSTER_BITS) {
    // Valid for the spec, but qemu cannot open it either (qcow2.txt note on cluster_bits).
    throw new ByoiError('BYOI_IMAGE_UNSUPPORTED_FEATURE', { feature: `qcow2 clusters of 2^${clusterBits} bytes (qemu's maximum is 2 MiB)` });
  }
  const clusterSize = 2 ** clusterBits;

  let headerLength = V2_HEADER_LENGTH;
  let incompatibleFeatures = 0n;
  let compatibleFeatures = 0n;
  let autoclearFeatures = 0n;
  let refcountOrder = 4;
  let compressionType = COMPRESSION_ZLIB;
  if (version === 3) {
    checkRange(source.size, 0, V3_MIN_HEADER_LENGTH, structure);
    headerLength = u32be(fixed, HDR_HEADER_LENGTH);
    if (headerLength < V3_MIN_HEADER_LENGTH) throw invalid(`header_length ${headerLength} is less than ${V3_MIN_HEADER_LENGTH}`);
    if (headerLength % 8 !== 0) throw invalid(`header_length ${headerLength} is not a multiple of 8`);
    if (headerLength > clusterSize) throw invalid(`header_length ${headerLength} is larger than the cluster size ${clusterSize}`);
    incompatibleFeatures = u64be(fixed, HDR_INCOMPATIBLE_FEATURES);
    compatibleFeatures = u64be(fixed, HDR_COMPATIBLE_FEATURES);
    autoclearFeatures = u64be(fixed, HDR_AUTOCLEAR_FEATURES);
    refcountOrder = u32be(fixed, HDR_REFCOUNT_ORDER);
    if (refcountOrder > MAX_REFCOUNT_ORDER) throw invalid(`refcount_order ${refcountOrder} is larger than ${MAX_REFCOUNT_ORDER}`);
    // qcow2.txt "Additional fields": a field is present only when header_length is larger than its offset.
    if (headerLength > HDR_COMPRESSION_TYPE) compressionType = u8(fixed, HDR_COMPRESSION_TYPE);
  }

  const backingFileOffset = toSafeNumber(u64be(fixed, HDR_BACKING_FILE_OFFSET), structure, 'backing_file_offset');
  const backingFileSize = u32be(fixed, HDR_BACKING_FILE_SIZE);
  if (backingFileOffset !== 0) {
    // The name lives in the first cluster, after the header extensions (qcow2.txt "Header extensions").
    if (backingFileOffset > clusterSize) throw invalid(`backing_file_offset ${hex(backingFileOffset)} is outside the first cluster`);
    if (backingFileOffset < headerLength) throw invalid(`backing_file_offset ${hex(backingFileOffset)} is inside the header`);
    if (backingFileSize > MAX_BACKING_FILE_SIZE) {
      throw invalid(`backing_file_size ${backingFileSize} is longer than ${MAX_BACKING_FILE_SIZE} bytes`);
    }
  }

  // Header extensions run from the end of the header to the backing file name, or to the end of the first cluster.
  const extensionsEnd = backingFileOffset !== 0 ? backingFileOffset : clusterSize;
  const area = await readPadded(source, 0, extensionsEnd);
  const extensions = parseQcow2HeaderExtensions(area, headerLength, extensionsEnd, bit(autoclearFeatures, AUTOCLEAR_BITMAPS), clusterSize);

  const unknownIncompatible = incompatibleFeatures & ~INCOMPAT_KNOWN_MASK;
  if (unknownIncompatible !== 0n) {
    let first = 0;
    while (((unknownIncompatible >> BigInt(first)) & 1n) === 0n) first++;
    throw new ByoiError('BYOI_IMAGE_UNSUPPORTED_FEATURE', { feature: featureLabel('incompatible', first, extensions) });
  }

  const cryptMethod = u32be(fixed, HDR_CRYPT_METHOD);
  if (cryptMethod > CRYPT_LUKS) throw invalid(`crypt_method ${cryptMethod} is not 0, 1 or 2`);
  // qcow2.txt "Full disk encryption header pointer": present "if, and only if" the method is LUKS.
  if (cryptMethod === CRYPT_LUKS && extensions.cryptoHeader === null) {
    throw invalid('crypt_method is LUKS but there is no full disk encryption header pointer');
  }
  if (cryptMethod !== CRYPT_LUKS && extensions.cryptoHeader !== null) {
    throw invalid(`full disk encryption header pointer found with crypt_method ${cryptMethod}`);
  }
  if (extensions.cryptoHeader !== null) {
    const offset = toSafeNumber(extensions.cryptoHeader.offset, structure, 'encryption header offset');
    const length = toSafeNumber(extensions.cryptoHeader.length, structure, 'encryption header length');
    if (offset % clusterSize !== 0) throw invalid(`encryption header offset ${hex(offset)} is not cluster-aligned`);
    checkRange(source.size, offset, length, 'qcow2 encryption header');
  }

  // qemu's validate_compression_type(): the type and incompatible bit 3 must agree.
  const compressionBit = bit(incompatibleFeatures, INCOMPAT_COMPRESSION);
  if (compressionType !== COMPRESSION_ZLIB && compressionType !== COMPRESSION_ZSTD) {
    throw new ByoiError('BYOI_IMAGE_UNSUPPORTED_FEATURE', { feature: `qcow2 compression type ${compressionType}` });
  }
  if (compressionType === COMPRESSION_ZLIB && compressionBit) {
    throw invalid('incompatible feature bit 3 (compression type) is set but compression_type is 0 (zlib)');
  }
  if (compressionType !== COMPRESSION_ZLIB && !compressionBit) {
    throw invalid(`compression_type is ${compressionType} but incompatible feature bit 3 (compression type) is not set`);
  }

  const extendedL2 = bit(incompatibleFeatures, INCOMPAT_EXTL2);
  if (extendedL2 && clusterBits < MIN_EXTL2_CLUSTER_BITS) {
    throw invalid(`extended L2 entries need clusters of at least 16 KiB, not ${clusterSize} bytes`);
  }

  // Virtual size and the L1 table. byoi keeps sizes as exact doubles: 2^53 - 1 bytes (8 PiB) at most.
  const size = toSafeNumber(u64be(fixed, HDR_SIZE), structure, 'size');
  const l1Size = u32be(fixed, HDR_L1_SIZE);
  const l1TableOffset = toSafeNumber(u64be(fixed, HDR_L1_TABLE_OFFSET), structure, 'l1_table_offset');
  if (l1Size > MAX_L1_SIZE_BYTES / 8) {
    throw invalid(`l1_size ${l1Size} is larger than qemu's limit of ${MAX_L1_SIZE_BYTES / 8} entries (32 MiB)`);
  }
  const l2Entries = BigInt(clusterSize / (extendedL2 ? 16 : 8));
  const bytesPerL1Entry = BigInt(clusterSize) * l2Entries;
  const neededL1 = (BigInt(size) + bytesPerL1Entry - 1n) / bytesPerL1Entry;
  if (BigInt(l1Size) < neededL1) {
    throw invalid(`l1_size ${l1Size} is too small for a virtual size of ${size} bytes (needs ${neededL1})`);
  }
  if (l1TableOffset % clusterSize !== 0) throw invalid(`l1_table_offset ${hex(l1TableOffset)} is not cluster-aligned`);
  if (l1Size > 0) {
    if (l1TableOffset === 0) throw invalid('l1_table_offset 0x0 points into the header');
    checkRange(source.size, l1TableOffset, l1Size * 8, 'qcow2 L1 table');
  }

  const refcountTableOffset = toSafeNumber(u64be(fixed, HDR_REFCOUNT_TABLE_OFFSET), structure, 'refcount_table_offset');
  const refcountTableClusters = u32be(fixed, HDR_REFCOUNT_TABLE_CLUSTERS);
  if (refcountTableOffset % clusterSize !== 0) {
    throw invalid(`refcount_table_offset ${hex(refcountTableOffset)} is not cluster-aligned`);
  }
  if (refcountTableClusters > MAX_REFCOUNT_TABLE_BYTES / clusterSize) {
    throw invalid(`refcount_table_clusters ${refcountTableClusters} is larger than qemu's limit of 8 MiB`);
  }
  if (refcountTableClusters > 0) {
    if (refcountTableOffset === 0) throw invalid('refcount_table_offset 0x0 points into the header');
    // The last refcount table cluster may be cut short when the file ends inside it (qemu reads zeros there).
    checkRange(source.size, refcountTableOffset, 1, 'qcow2 refcount table');
  }

  const nbSnapshots = u32be(fixed, HDR_NB_SNAPSHOTS);
  const snapshotsOffset = toSafeNumber(u64be(fixed, HDR_SNAPSHOTS_OFFSET), structure, 'snapshots_offset');
  if (nbSnapshots > MAX_SNAPSHOTS) throw invalid(`nb_snapshots ${nbSnapshots} is larger than qemu's limit of ${MAX_SNAPSHOTS}`);
  if (snapshotsOffset % clusterSize !== 0) throw invalid(`snapshots_offset ${hex(snapshotsOffset)} is not cluster-aligned`);
  if (nbSnapshots > 0) checkRange(source.size, snapshotsOffset, 1, 'qcow2 snapshot table');

  let backingFile: string | null = null;
  if (backingFileOffset !== 0) {
    checkRange(source.size, backingFileOffset, backingFileSize, 'qcow2 backing file name');
    const name = await source.readAt(backingFileOffset, backingFileSize);
    backingFile = new TextDecoder('utf-8').decode(name);
  }

  return {
    version: version === 2 ? 2 : 3,
    backingFileOffset,
    backingFileSize,
    clusterBits,
    clusterSize,
    size,
    cryptMethod,
    l1Size,
    l1TableOffset,
    refcountTableOffset,
    refcountTableClusters,
    nbSnapshots,
    snapshotsOffset,
    incompatibleFeatures,
    compatibleFeatures,
    autoclearFeatures,
    refcountOrder,
    headerLength,
    compressionType,
    dirty: bit(incompatibleFeatures, INCOMPAT_DIRTY),
    corrupt: bit(incompatibleFeatures, INCOMPAT_CORRUPT),
    externalDataFile: bit(incompatibleFeatures, INCOMPAT_DATA_FILE),
    extendedL2,
    lazyRefcounts: bit(compatibleFeatures, COMPAT_LAZY_REFCOUNTS),
    bitmapsConsistent: bit(autoclearFeatures, AUTOCLEAR_BITMAPS),
    rawExternalData: bit(autoclearFeatures, AUTOCLEAR_DATA_FILE_RAW),
    backingFile,
    extensions,
  };
}

