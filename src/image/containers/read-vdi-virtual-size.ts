import { isAllZero, u32le, u64le } from '../bytes.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { hex, invalid, unsupported } from './_container-errors.ts';

// VirtualBox VDI header, version 1.1 (the layout qemu's block/vdi.c reads). All numbers are little-endian.
const HEADER_SIZE = 512;
const SIGNATURE = 0x40; // u32
const VERSION = 0x44; // u32: major << 16 | minor
const OFFSET_BMAP = 0x154; // u32
const OFFSET_DATA = 0x158; // u32
const SECTOR_SIZE = 0x168; // u32
const DISK_SIZE = 0x170; // u64
const BLOCK_SIZE = 0x178; // u32
const BLOCKS_IN_IMAGE = 0x180; // u32
const UUID_LINK = 0x1a8; // 16 bytes
const UUID_PARENT = 0x1b8; // 16 bytes
const VDI_SIGNATURE = 0xbeda107f;
const VERSION_1_1 = 0x00010001;
const BLOCK_1_MIB = 1024 * 1024;
/** qemu's VDI_BLOCKS_IN_IMAGE_MAX. */
const MAX_BLOCKS = 0x3fffffff;

/**
 * Virtual size of a VDI: disk_size rounded up to 512 (qemu: "'VBoxManage convertfromraw' can create images with
 * odd disk sizes. We accept them but round the disk size to the next multiple of SECTOR_SIZE"), after qemu's
 * checks: signature, version 1.1, sector-aligned block map and data, 512-byte sectors, 1 MiB blocks, enough
 * blocks, no link or parent UUID (differencing images).
 *
 * @throws BYOI_IMAGE_INVALID, BYOI_IMAGE_TRUNCATED, BYOI_IMAGE_UNSUPPORTED_FEATURE
 */
export async function readVdiVirtualSize(source: ReadAt): Promise<number> {
  checkRange(source.size, 0, HEADER_SIZE, 'vdi header');
  const header = await source.readAt(0, HEADER_SIZE);
  const signature = u32le(header, SIGNATURE);
  if (signature !== VDI_SIGNATURE) throw invalid('vdi header', `signature is ${hex(signature)}, not 0xbeda107f`);
  const version = u32le(header, VERSION);
  if (version !== VERSION_1_1) throw unsupported(`VDI version ${version >>> 16}.${version & 0xffff}`);
  const offsetBmap = u32le(header, OFFSET_BMAP);
  const offsetData = u32le(header, OFFSET_DATA);
  if (offsetBmap % 512 !== 0) throw invalid('vdi header', `block map offset ${hex(offsetBmap)} is not sector-aligned`);
  if (offsetData % 512 !== 0) throw invalid('vdi header', `data offset ${hex(offsetData)} is not sector-aligned`);
  const sectorSize = u32le(header, SECTOR_SIZE);
  if (sectorSize !== 512) throw invalid('vdi header', `sector size ${sectorSize} is not 512`);
  const blockSize = u32le(header, BLOCK_SIZE);
  if (blockSize !== BLOCK_1_MIB) throw invalid('vdi header', `block size ${blockSize} is not 1 MiB`);
  const blocks = u32le(header, BLOCKS_IN_IMAGE);
  if (blocks > MAX_BLOCKS) throw invalid('vdi header', `${blocks} blocks is more than qemu's ${MAX_BLOCKS}`);
  let diskSize = u64le(header, DISK_SIZE);
  if (diskSize > BigInt(MAX_BLOCKS) * BigInt(BLOCK_1_MIB)) throw invalid('vdi header', `disk size ${diskSize} is larger than qemu's maximum`);
  diskSize = ((diskSize + 511n) / 512n) * 512n;
  if (diskSize > BigInt(blocks) * BigInt(blockSize)) {
    throw invalid('vdi header', `disk size ${diskSize} is larger than its ${blocks} blocks`);
  }
  if (!isAllZero(header.subarray(UUID_LINK, UUID_LINK + 16)) || !isAllZero(header.subarray(UUID_PARENT, UUID_PARENT + 16))) {
    throw unsupported('a VDI differencing image (a parent image)');
  }
  return Number(diskSize);
}
