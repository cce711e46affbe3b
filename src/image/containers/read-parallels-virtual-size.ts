import { bytesEqual, u32le, u64le } from '../bytes.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { invalid, unsupported } from './_container-errors.ts';

// Parallels disk image header (qemu docs/interop/parallels.txt). All numbers are little-endian.
const HEADER_SIZE = 64;
const MAGIC_OLD = Array.from('WithoutFreeSpace', (c) => c.charCodeAt(0));
const MAGIC_EXT = Array.from('WithouFreSpacExt', (c) => c.charCodeAt(0));
const VERSION = 16; // u32, 2
const TRACKS = 28; // u32, sectors per cluster
const BAT_ENTRIES = 32; // u32
const NB_SECTORS = 36; // u64 (u32 in the old "WithoutFreeSpace" format)

/**
 * Virtual size of a Parallels image: nb_sectors × 512. In the old format ("WithoutFreeSpace") only the low 32 bits
 * count, as qemu's parallels_open() reads it. Also qemu's checks: version 2, non-zero sectors per track, a
 * cluster and a BAT of sane size.
 *
 * @throws BYOI_IMAGE_INVALID, BYOI_IMAGE_TRUNCATED, BYOI_IMAGE_UNSUPPORTED_FEATURE
 */
export async function readParallelsVirtualSize(source: ReadAt): Promise<number> {
  checkRange(source.size, 0, HEADER_SIZE, 'parallels header');
  const header = await source.readAt(0, HEADER_SIZE);
  const old = bytesEqual(header, 0, MAGIC_OLD);
  if (!old && !bytesEqual(header, 0, MAGIC_EXT)) throw invalid('parallels header', 'magic is not "WithoutFreeSpace" or "WithouFreSpacExt"');
  const version = u32le(header, VERSION);
  if (version !== 2) throw unsupported(`Parallels image version ${version}`);
  const tracks = u32le(header, TRACKS);
  if (tracks === 0) throw invalid('parallels header', 'sectors per track is 0');
  if (tracks > Math.floor(0x7fffffff / 513)) throw invalid('parallels header', `cluster of ${tracks} sectors is too big`);
  const batEntries = u32le(header, BAT_ENTRIES);
  if (batEntries > Math.floor(0x7fffffff / 4)) throw invalid('parallels header', `BAT of ${batEntries} entries is too large`);
  let sectors = u64le(header, NB_SECTORS);
  if (old) sectors &= 0xffffffffn;
  if (sectors * 512n > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid('parallels header', `nb_sectors ${sectors} is too large`);
  return Number(sectors * 512n);
}
