import { bytesEqual, toSafeNumber, u16be, u32be, u64be, u8 } from '../bytes.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { hex, invalid, unsupported } from './_container-errors.ts';

// "Virtual Hard Disk Image Format Specification" (Microsoft, 2006): the 512-byte footer, copied at offset 0 for
// dynamic disks; the dynamic disk header at data_offset. All numbers are big-endian.
const COOKIE = [0x63, 0x6f, 0x6e, 0x65, 0x63, 0x74, 0x69, 0x78]; // "conectix"
const FOOTER_SIZE = 512;
const FOOTER_DATA_OFFSET = 16; // u64
const FOOTER_CREATOR_APP = 28; // 4 ASCII bytes
const FOOTER_CURRENT_SIZE = 48; // u64
const FOOTER_CYLINDERS = 56; // u16
const FOOTER_HEADS = 58; // u8
const FOOTER_SECTORS_PER_TRACK = 59; // u8
const FOOTER_DISK_TYPE = 60; // u32: 2 fixed, 3 dynamic, 4 differencing
const DISK_TYPE_FIXED = 2;
const DISK_TYPE_DYNAMIC = 3;
const DISK_TYPE_DIFFERENCING = 4;
const DYNAMIC_COOKIE = [0x63, 0x78, 0x73, 0x70, 0x61, 0x72, 0x73, 0x65]; // "cxsparse"
const DYNAMIC_HEADER_SIZE = 1024;
const DYNAMIC_MAX_TABLE_ENTRIES = 28; // u32
const DYNAMIC_BLOCK_SIZE = 32; // u32
/** 65535 cylinders × 16 heads × 255 sectors: the largest CHS geometry a footer can hold. */
const MAX_GEOMETRY_SECTORS = 65535 * 16 * 255;
/** qemu's VHD_MAX_SECTORS: 2040 GiB. */
const MAX_SECTORS = 0xff000000;
/** Creator applications whose current_size qemu trusts over the CHS geometry (block/vpc.c). */
const CURRENT_SIZE_CREATORS = ['win ', 'qem2', 'd2v ', 'CTXS', 'tap\0'];

/**
 * The disk size qemu gives a VHD footer (block/vpc.c vpc_open()). Virtual PC sizes a disk by its CHS geometry,
 * Hyper-V and others by current_size, and a footer does not say which it meant. qemu uses cylinders × heads ×
 * sectors per track × 512, except when the creator application is one that writes an exact current_size ("win ",
 * "qem2", "d2v ", "CTXS", "tap\0") or the geometry is the maximum (65535/16/255), where it uses current_size
 * (rounded down to 512). `qemu-img create -f vpc` writes creator "qemu" and a geometry rounded up, so its images
 * are a little larger than asked (10 MiB becomes 10514432 bytes); `-o force_size=on` writes "qem2".
 */
export function vpcFooterSectors(footer: Uint8Array): number {
  const creator = String.fromCharCode(...footer.subarray(FOOTER_CREATOR_APP, FOOTER_CREATOR_APP + 4));
  const chs = u16be(footer, FOOTER_CYLINDERS) * u8(footer, FOOTER_HEADS) * u8(footer, FOOTER_SECTORS_PER_TRACK);
  if (!CURRENT_SIZE_CREATORS.includes(creator) && chs !== MAX_GEOMETRY_SECTORS) return chs;
  return toSafeNumber(u64be(footer, FOOTER_CURRENT_SIZE) / 512n, 'vpc footer', 'current_size');
}

/**
 * Virtual size of a VHD ("vpc" in qemu): the footer copy at offset 0 (dynamic disks), else the footer in the last
 * 512 bytes (fixed disks, which qemu-img only opens when told `-f vpc`). See vpcFooterSectors() for the size rule.
 * Dynamic disks also get qemu's checks of the dynamic header (cookie, block size, table large enough).
 *
 * qemu ignores a bad footer checksum (it prints a warning), and so does byoi.
 *
 * @throws BYOI_IMAGE_INVALID, BYOI_IMAGE_TRUNCATED; BYOI_IMAGE_UNSUPPORTED_FEATURE for a differencing disk
 */
export async function readVpcVirtualSize(source: ReadAt): Promise<number> {
  checkRange(source.size, 0, FOOTER_SIZE, 'vpc footer');
  let footer = await source.readAt(0, FOOTER_SIZE);
  let diskType: number;
  if (bytesEqual(footer, 0, COOKIE)) {
    diskType = u32be(footer, FOOTER_DISK_TYPE);
  } else {
    footer = await source.readAt(source.size - FOOTER_SIZE, FOOTER_SIZE);
    if (!bytesEqual(footer, 0, COOKIE)) throw invalid('vpc footer', 'there is no "conectix" cookie at the start or in the last 512 bytes');
    diskType = DISK_TYPE_FIXED;
  }
  if (diskType === DISK_TYPE_DIFFERENCING) throw unsupported('a VHD differencing disk (a backing file)');

  const sectors = vpcFooterSectors(footer);
  if (sectors > MAX_SECTORS) throw invalid('vpc footer', `the disk has ${sectors} sectors, more than qemu's 2040 GiB`);

  if (diskType === DISK_TYPE_DYNAMIC) {
    const dataOffset = toSafeNumber(u64be(footer, FOOTER_DATA_OFFSET), 'vpc footer', 'data_offset');
    checkRange(source.size, dataOffset, DYNAMIC_HEADER_SIZE, 'vpc dynamic disk header');
    const dynamic = await source.readAt(dataOffset, DYNAMIC_HEADER_SIZE);
    if (!bytesEqual(dynamic, 0, DYNAMIC_COOKIE)) throw invalid('vpc dynamic disk header', 'cookie is not "cxsparse"');
    const blockSize = u32be(dynamic, DYNAMIC_BLOCK_SIZE);
    if (blockSize < 512 || (blockSize & (blockSize - 1)) !== 0) {
      throw invalid('vpc dynamic disk header', `block size ${hex(blockSize)} is not a power of two of at least 512`);
    }
    const maxTableEntries = u32be(dynamic, DYNAMIC_MAX_TABLE_ENTRIES);
    if (maxTableEntries * blockSize < sectors * 512) {
      throw invalid('vpc dynamic disk header', `${maxTableEntries} blocks of ${blockSize} bytes do not cover ${sectors * 512} bytes`);
    }
  }
  return sectors * 512;
}
