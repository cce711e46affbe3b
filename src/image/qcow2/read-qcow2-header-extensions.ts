import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { u32be, u64be, u8 } from '../bytes.ts';
import {
  BITMAPS_EXT_SIZE,
  CRYPTO_HEADER_EXT_SIZE,
  EXT_BACKING_FORMAT,
  EXT_BITMAPS,
  EXT_CRYPTO_HEADER,
  EXT_DATA_FILE,
  EXT_END,
  EXT_FEATURE_TABLE,
  FEATURE_NAME_LENGTH,
  FEATURE_TABLE_ENTRY_SIZE,
  MAX_BACKING_FORMAT_LENGTH,
} from './qcow2-layout.ts';

/** One entry of the feature name table: which bitmap, which bit, and the name the image gives it. */
export interface Qcow2FeatureName {
  /** 0 incompatible, 1 compatible, 2 autoclear; other values are kept as they are. */
  type: number;
  bit: number;
  name: string;
}

/** The bitmaps extension, as stored (byoi does not read the bitmaps themselves). */
export interface Qcow2BitmapsExtension {
  nbBitmaps: number;
  bitmapDirectorySize: bigint;
  bitmapDirectoryOffset: bigint;
}

/** The full disk encryption header pointer. */
export interface Qcow2CryptoHeaderExtension {
  offset: bigint;
  length: bigint;
}

/** Every header extension found between the end of the header and the end of the extension area. */
export interface Qcow2HeaderExtensions {
  backingFormat: string | null;
  featureNames: Qcow2FeatureName[];
  bitmaps: Qcow2BitmapsExtension | null;
  cryptoHeader: Qcow2CryptoHeaderExtension | null;
  dataFile: string | null;
  /** Extensions of an unknown type: the spec says they "can be safely ignored". */
  unknown: { type: number; length: number }[];
}

// Field offsets inside the extension data (qcow2.txt "Feature name table", "Bitmaps extension",
// "Full disk encryption header pointer").
const FEATURE_TYPE = 0; // u8
const FEATURE_BIT = 1; // u8
const FEATURE_NAME = 2; // 46 bytes
const BITMAPS_NB_BITMAPS = 0; // u32
const BITMAPS_RESERVED = 4; // u32
const BITMAPS_DIRECTORY_SIZE = 8; // u64
const BITMAPS_DIRECTORY_OFFSET = 16; // u64
const CRYPTO_OFFSET = 0; // u64
const CRYPTO_LENGTH = 8; // u64

const structure = 'qcow2 header extensions';

function invalid(reason: string): ByoiError {
  return new ByoiError('BYOI_IMAGE_INVALID', { structure, reason });
}

/** Text of a string extension: the spec stores no terminating NUL; like qemu, stop at one if there is. */
function extensionString(bytes: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && bytes[end] !== 0) end++;
  return new TextDecoder('utf-8').decode(bytes.subarray(offset, end));
}

/**
 * Parses the header extension area of a qcow2 image: a list of (type u32, length u32, data, padding to 8 bytes),
 * ended by type 0 or by the end of the area. Throws BYOI_IMAGE_INVALID when an extension overruns the area, a
 * known extension has the wrong size, or a type appears twice ("each header extension type shall appear at most
 * once").
 *
 * @param area bytes of the file from 0 to at least `end` (bytes past the end of the file read as zeros)
 * @param start first byte after the header: 72 for v2, header_length for v3
 * @param end backing_file_offset when there is a backing file, else the cluster size
 * @param autoclearBitmaps whether autoclear bit 0 says the bitmaps extension is consistent
 * @param clusterSize to check the bitmap directory's alignment
 *
 * @example
 * ```ts
 * const ext = parseQcow2HeaderExtensions(firstCluster, 112, 65536, false, 65536);
 * ext.featureNames; // [{ type: 0, bit: 0, name: 'dirty bit' }, ...]
 * ```
 */
export function parseQcow2HeaderExtensions(
  area: Uint8Array,
  start: number,
  end: number,
  autoclearBitmaps: boolean,
  clusterSize: number,
): Qcow2HeaderExtensions {
  const result: Qcow2HeaderExtensions = {
    backingFormat: null,
    featureNames: [],
    bitmaps: null,
    cryptoHeader: null,
    dataFile: null,
    unknown: [],
  };
  const seen = new Set<number>();
  let offset = start;
  while (offset < end) {
    if (end - offset < 8) throw invalid(`extension header at byte ${offset} does not fit before byte ${end}`);
    const type = u32be(area, offset);
    const length = u32be(area, offset + 4);
    const data = offset + 8;
    if (type === EXT_END) break;
    if (length > end - data) {
      throw invalid(`extension 0x${type.toString(16)} at byte ${offset} is ${length} bytes long and overruns byte ${end}`);
    }
    const known =
      type === EXT_BACKING_FORMAT ||
      type === EXT_FEATURE_TABLE ||
      type === EXT_BITMAPS ||
      type === EXT_CRYPTO_HEADER ||
      type === EXT_DATA_FILE;
    if (known && seen.has(type)) throw invalid(`extension 0x${type.toString(16)} appears twice`);
    seen.add(type);

    if (type === EXT_BACKING_FORMAT) {
      if (length > MAX_BACKING_FORMAT_LENGTH) {
        throw invalid(`backing file format name is ${length} bytes long, more than ${MAX_BACKING_FORMAT_LENGTH}`);
      }
      result.backingFormat = extensionString(area, data, length);
    } else if (type === EXT_FEATURE_TABLE) {
      // qcow2.txt: "The number of entries ... is determined by the length of the header extension data."
      const count = Math.floor(length / FEATURE_TABLE_ENTRY_SIZE);
      for (let i = 0; i < count; i++) {
        const entry = data + i * FEATURE_TABLE_ENTRY_SIZE;
        result.featureNames.push({
          type: u8(area, entry + FEATURE_TYPE),
          bit: u8(area, entry + FEATURE_BIT),
          name: extensionString(area, entry + FEATURE_NAME, FEATURE_NAME_LENGTH),
        });
      }
    } else if (type === EXT_BITMAPS) {
      if (length !== BITMAPS_EXT_SIZE) throw invalid(`bitmaps extension is ${length} bytes long, not ${BITMAPS_EXT_SIZE}`);
      const bitmaps: Qcow2BitmapsExtension = {
        nbBitmaps: u32be(area, data + BITMAPS_NB_BITMAPS),
        bitmapDirectorySize: u64be(area, data + BITMAPS_DIRECTORY_SIZE),
        bitmapDirectoryOffset: u64be(area, data + BITMAPS_DIRECTORY_OFFSET),
      };
      // qcow2.txt "autoclear_features" bit 0: without it the extension's data "must be considered inconsistent";
      // qemu then ignores it, so only a consistent extension is checked.
      if (autoclearBitmaps) {
        if (u32be(area, data + BITMAPS_RESERVED) !== 0) throw invalid('bitmaps extension has a non-zero reserved field');
        if (bitmaps.nbBitmaps === 0) throw invalid('bitmaps extension has nb_bitmaps 0');
        if (bitmaps.bitmapDirectoryOffset % BigInt(clusterSize) !== 0n) {
          throw invalid(`bitmap_directory_offset 0x${bitmaps.bitmapDirectoryOffset.toString(16)} is not cluster-aligned`);
        }
      }
      result.bitmaps = bitmaps;
    } else if (type === EXT_CRYPTO_HEADER) {
      if (length !== CRYPTO_HEADER_EXT_SIZE) {
        throw invalid(`full disk encryption header pointer is ${length} bytes long, not ${CRYPTO_HEADER_EXT_SIZE}`);
      }
      result.cryptoHeader = { offset: u64be(area, data + CRYPTO_OFFSET), length: u64be(area, data + CRYPTO_LENGTH) };
    } else if (type === EXT_DATA_FILE) {
      result.dataFile = extensionString(area, data, length);
    } else {
      result.unknown.push({ type, length });
    }
    // Data is padded "to round up the header extension size to the next multiple of 8".
    offset = data + Math.ceil(length / 8) * 8;
  }
  return result;
}
