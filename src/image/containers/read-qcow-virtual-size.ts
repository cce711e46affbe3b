import { u32be, u64be, u8 } from '../bytes.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { hex, invalid, unsupported } from './_container-errors.ts';

// qcow version 1 header (qemu block/qcow.c QCowHeader). All numbers are big-endian.
const HEADER_SIZE = 48;
const MAGIC = 0; // u32 "QFI\xfb"
const VERSION = 4; // u32, 1
const SIZE = 24; // u64, bytes
const CLUSTER_BITS = 32; // u8, 9..16
const L2_BITS = 33; // u8, 6..13 (entries, 8 bytes each)
const CRYPT_METHOD = 36; // u32, 0 none, 1 AES
const QCOW_MAGIC = 0x514649fb;

/**
 * Virtual size of a qcow (version 1) image: the size field rounded down to 512, as qemu counts whole sectors,
 * after qemu's qcow_open() checks (size at least 2, cluster_bits 9-16, l2_bits 6-13, crypt_method 0 or 1, and the
 * L1 table it implies not absurdly large).
 *
 * @throws BYOI_IMAGE_INVALID, BYOI_IMAGE_TRUNCATED, BYOI_IMAGE_UNSUPPORTED_FEATURE
 */
export async function readQcowVirtualSize(source: ReadAt): Promise<number> {
  checkRange(source.size, 0, HEADER_SIZE, 'qcow header');
  const header = await source.readAt(0, HEADER_SIZE);
  if (u32be(header, MAGIC) !== QCOW_MAGIC) throw invalid('qcow header', 'magic is not "QFI\\xfb"');
  const version = u32be(header, VERSION);
  if (version !== 1) throw unsupported(`qcow version ${version}`);
  const size = u64be(header, SIZE);
  if (size <= 1n) throw invalid('qcow header', `size ${size} is less than 2 bytes`);
  const clusterBits = u8(header, CLUSTER_BITS);
  if (clusterBits < 9 || clusterBits > 16) throw invalid('qcow header', `cluster_bits ${clusterBits} is not between 9 and 16`);
  const l2Bits = u8(header, L2_BITS);
  if (l2Bits < 6 || l2Bits > 13) throw invalid('qcow header', `l2_bits ${l2Bits} is not between 6 and 13`);
  const cryptMethod = u32be(header, CRYPT_METHOD);
  if (cryptMethod > 1) throw invalid('qcow header', `crypt_method ${cryptMethod} is not 0 or 1`);
  // qemu: "Image too large" when the L1 table would pass INT_MAX / 8 entries.
  const shift = BigInt(clusterBits + l2Bits);
  const l1Size = (size + (1n << shift) - 1n) >> shift;
  if (l1Size > BigInt(Math.floor(0x7fffffff / 8)) || size > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalid('qcow header', `size ${hex(size)} is too large`);
  }
  return Number(size - (size % 512n));
}
