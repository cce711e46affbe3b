import { u32le, u64le } from '../bytes.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { hex, invalid, unsupported } from './_container-errors.ts';

// QED header (qemu docs/interop/qed_spec.txt). All numbers are little-endian.
const HEADER_SIZE = 64;
const MAGIC = 0; // u32 "QED\0"
const CLUSTER_SIZE = 4; // u32, power of two, 4 KiB to 64 MiB
const TABLE_SIZE = 8; // u32, in clusters, power of two, 1 to 16
const FEATURES = 16; // u64
const IMAGE_SIZE = 48; // u64, multiple of 512
const QED_MAGIC = 0x00444551;
/** Bit 0 backing file, bit 1 needs check, bit 2 backing format is raw (no probing). */
const KNOWN_FEATURES = 0b111n;

function powerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}

/**
 * Virtual size of a QED image: image_size, after the checks qemu's bdrv_qed_do_open() makes (known features,
 * cluster and table sizes, image_size a multiple of 512 and within what two table levels address).
 *
 * @throws BYOI_IMAGE_INVALID, BYOI_IMAGE_TRUNCATED, BYOI_IMAGE_UNSUPPORTED_FEATURE (unknown feature bits)
 */
export async function readQedVirtualSize(source: ReadAt): Promise<number> {
  checkRange(source.size, 0, HEADER_SIZE, 'qed header');
  const header = await source.readAt(0, HEADER_SIZE);
  if (u32le(header, MAGIC) !== QED_MAGIC) throw invalid('qed header', 'magic is not "QED\\0"');
  const features = u64le(header, FEATURES);
  if ((features & ~KNOWN_FEATURES) !== 0n) throw unsupported(`QED features ${hex(features & ~KNOWN_FEATURES)}`);
  const clusterSize = u32le(header, CLUSTER_SIZE);
  if (!powerOfTwo(clusterSize) || clusterSize < 4096 || clusterSize > 64 * 1024 * 1024) {
    throw invalid('qed header', `cluster_size ${clusterSize} is not a power of two from 4 KiB to 64 MiB`);
  }
  const tableSize = u32le(header, TABLE_SIZE);
  if (!powerOfTwo(tableSize) || tableSize > 16) throw invalid('qed header', `table_size ${tableSize} is not a power of two from 1 to 16`);
  const imageSize = u64le(header, IMAGE_SIZE);
  const tableEntries = BigInt((tableSize * clusterSize) / 8);
  const maxImageSize = BigInt(clusterSize) * tableEntries * tableEntries;
  if (imageSize % 512n !== 0n) throw invalid('qed header', `image_size ${imageSize} is not a multiple of 512`);
  if (imageSize > maxImageSize) throw invalid('qed header', `image_size ${imageSize} is more than the tables address (${maxImageSize})`);
  if (imageSize > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid('qed header', `image_size ${imageSize} is too large`);
  return Number(imageSize);
}
