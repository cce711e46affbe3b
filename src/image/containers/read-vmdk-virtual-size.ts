import { bytesEqual, toSafeNumber, u32be, u32le, u64le } from '../bytes.ts';
import { checkRange, readAtMost, type ReadAt } from '../read-at.ts';
import { hex, invalid, unsupported } from './_container-errors.ts';

// VMDK 5.0 "Virtual Disk Format" §"Hosted Sparse Extent Header" (all little-endian), and VMware 3 "COWD" extents.
const VMDK4_MAGIC = [0x4b, 0x44, 0x4d, 0x56]; // "KDMV"
const VMDK3_MAGIC = [0x43, 0x4f, 0x57, 0x44]; // "COWD"
const SPARSE_VERSION = 4; // u32
const SPARSE_CAPACITY = 12; // u64, sectors
const SPARSE_GRANULARITY = 20; // u64, sectors per grain
const SPARSE_DESCRIPTOR_OFFSET = 28; // u64, sectors
const SPARSE_NUM_GTES_PER_GT = 44; // u32
const SPARSE_GD_OFFSET = 56; // u64, sectors
const SPARSE_HEADER_SIZE = 79; // through compressAlgorithm
const GD_AT_END = 0xffffffffffffffffn; // streamOptimized: the real header is in the footer
const COWD_DISK_SECTORS = 12; // u32 (after magic, version, flags)
// streamOptimized footer, at the end of the file: footer marker (512), footer (512: magic + header), end-of-stream
// marker (512). Markers are { val u64, size u32, type u32, pad }.
const FOOTER_AREA = 1536;
const MARKER_SIZE = 8; // u32
const MARKER_TYPE = 12; // u32
const MARKER_END_OF_STREAM = 0;
const MARKER_FOOTER = 3;
/** qemu reads a descriptor file up to 1 MiB - 1 ("avoid unbounded allocation"). */
const MAX_DESCRIPTOR = 1024 * 1024 - 1;
/** createType values qemu opens from a descriptor file (vmdk_open_desc_file()). */
const DESCRIPTOR_CREATE_TYPES = ['monolithicFlat', 'vmfs', 'vmfsSparse', 'seSparse', 'twoGbMaxExtentSparse', 'twoGbMaxExtentFlat'];
const EXTENT_TYPES = ['FLAT', 'SPARSE', 'VMFS', 'VMFSSPARSE', 'SESPARSE'];

/**
 * Sums the extents of a VMDK text descriptor, as qemu's vmdk_parse_extents() does: lines of the form
 * `RW <sectors> <type> "<file name>" [<offset>]`; only RW extents of type FLAT, SPARSE, VMFS, VMFSSPARSE or
 * SESPARSE with a positive size count. byoi takes sizes from the descriptor, as it cannot open the extent files;
 * qemu takes a SPARSE extent's size from its own header, which is the same for files VMware or qemu wrote.
 */
export function vmdkDescriptorSectors(text: string): number {
  const createType = /^\s*createType\s*=\s*"([^"]*)"/m.exec(text);
  if (createType === null) throw invalid('vmdk descriptor', 'there is no createType');
  if (!DESCRIPTOR_CREATE_TYPES.includes(createType[1] as string)) {
    throw unsupported(`the VMDK create type "${createType[1]}" in a descriptor file`);
  }
  let sectors = 0;
  for (const line of text.split('\n')) {
    // sscanf("%10s %" SCNd64 " %10s \"%511[^\n\r\"]\" %" SCNd64)
    const match = /^\s*(\S{1,10})\s+([-+]?\d+)\s+(\S{1,10})\s+"([^\n\r"]{1,511})"(?:\s+([-+]?\d+))?/.exec(line);
    if (match === null || match[1] !== 'RW') continue;
    const type = match[3] as string;
    const hasOffset = match[5] !== undefined;
    if (type === 'FLAT' ? !hasOffset || Number(match[5]) < 0 : type === 'VMFS' ? hasOffset : hasOffset) {
      throw invalid('vmdk descriptor', `extent line "${line.trim()}" is not valid`);
    }
    const count = Number(match[2]);
    if (count <= 0 || !EXTENT_TYPES.includes(type)) continue;
    sectors += count;
    if (!Number.isSafeInteger(sectors * 512)) throw invalid('vmdk descriptor', `extents add up to more than 2^53 bytes`);
  }
  return sectors;
}

async function descriptorAt(source: ReadAt, offset: number): Promise<string> {
  const bytes = await readAtMost(source, offset, MAX_DESCRIPTOR);
  let end = 0;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new TextDecoder('latin1').decode(bytes.subarray(0, end));
}

/**
 * Virtual size of a VMDK: a hosted sparse extent ("KDMV": capacity, or the streamOptimized footer's capacity when
 * gd_offset says the grain directory is at the end, or the embedded descriptor when capacity is 0), a VMware 3
 * extent ("COWD": disk_sectors), or a text descriptor file (the sum of its extents).
 *
 * @throws BYOI_IMAGE_INVALID, BYOI_IMAGE_TRUNCATED, BYOI_IMAGE_UNSUPPORTED_FEATURE (version above 3, or a create
 *   type qemu does not open)
 */
export async function readVmdkVirtualSize(source: ReadAt): Promise<number> {
  const head = await readAtMost(source, 0, 512);
  if (bytesEqual(head, 0, VMDK3_MAGIC)) {
    checkRange(source.size, 0, 16, 'vmdk COWD header');
    return u32le(head, COWD_DISK_SECTORS) * 512;
  }
  if (!bytesEqual(head, 0, VMDK4_MAGIC)) {
    return vmdkDescriptorSectors(await descriptorAt(source, 0)) * 512;
  }
  checkRange(source.size, 0, SPARSE_HEADER_SIZE, 'vmdk sparse header');
  let header = head;
  if (u64le(head, SPARSE_GD_OFFSET) === GD_AT_END) {
    // qemu: "The footer takes precedence over the header".
    checkRange(source.size, 0, 512 + FOOTER_AREA, 'vmdk footer');
    const area = await source.readAt(source.size - FOOTER_AREA, FOOTER_AREA);
    if (
      u32le(area, MARKER_SIZE) !== 0 ||
      u32le(area, MARKER_TYPE) !== MARKER_FOOTER ||
      u32be(area, 512) !== 0x4b444d56 ||
      u64le(area, 1024) !== 0n ||
      u32le(area, 1024 + MARKER_SIZE) !== 0 ||
      u32le(area, 1024 + MARKER_TYPE) !== MARKER_END_OF_STREAM
    ) {
      throw invalid('vmdk footer', 'the footer markers are not where a streamOptimized image keeps them');
    }
    header = area.subarray(512, 1024);
  }
  const version = u32le(header, SPARSE_VERSION);
  if (version > 3) throw unsupported(`VMDK version ${version}`);
  const capacity = u64le(header, SPARSE_CAPACITY);
  const descriptorOffset = u64le(header, SPARSE_DESCRIPTOR_OFFSET);
  if (capacity === 0n && descriptorOffset !== 0n) {
    const offset = toSafeNumber(descriptorOffset * 512n, 'vmdk sparse header', 'descriptorOffset');
    checkRange(source.size, offset, 1, 'vmdk embedded descriptor');
    return vmdkDescriptorSectors(await descriptorAt(source, offset)) * 512;
  }
  // The checks of qemu's vmdk_open_vmdk4() that bear on the size.
  const gtes = u32le(header, SPARSE_NUM_GTES_PER_GT);
  if (gtes > 512) throw invalid('vmdk sparse header', `numGTEsPerGT ${gtes} is larger than 512`);
  const granularity = u64le(header, SPARSE_GRANULARITY);
  if (granularity === 0n || gtes === 0) throw invalid('vmdk sparse header', `grain table covers no sectors (grainSize ${granularity}, numGTEsPerGT ${gtes})`);
  if (granularity > 0x200000n) throw invalid('vmdk sparse header', `grainSize ${hex(granularity)} is larger than qemu's 0x200000 sectors`);
  return toSafeNumber(capacity * 512n, 'vmdk sparse header', 'capacity');
}
