import type { FilesystemInfo } from '../inspect-result.ts';
import { bytesEqual, u16le, u32le, u64le, u8 } from '../bytes.ts';
import { blkidUtf16Label, hexUpper } from './_blkid-format.ts';
import { readProbeBytes, type ProbeRegion } from './probe-region.ts';

// NTFS boot sector (FORMAT.md "NTFS").
const oem_id = 3;
const bytes_per_sector = 11;
const sectors_per_cluster = 13;
const reserved_sectors = 14;
const fats = 16;
const root_entries = 17;
const sectors = 19;
const sectors_per_fat = 22;
const large_sectors = 32;
const number_of_sectors = 40;
const mft_cluster_location = 48;
const mft_mirror_cluster_location = 56;
const clusters_per_mft_record = 64;
const volume_serial = 72;
const NTFS_MAGIC = Array.from('NTFS    ', (c) => c.charCodeAt(0));
// MFT record header and attribute header.
const FILE_MAGIC = [0x46, 0x49, 0x4c, 0x45]; // "FILE"
const usa_ofs = 4;
const usa_count = 6;
const attrs_offset = 20;
const bytes_allocated = 28;
const attr_type = 0;
const attr_length = 4;
const attr_value_length = 16;
const attr_value_offset = 20;
const ATTR_HEADER_BYTES = 22;
const MFT_RECORD_VOLUME = 3;
const ATTR_VOLUME_NAME = 0x60;
const ATTR_END = 0xffffffff;
/** Update sequence stride: NTFS protects every 512 bytes of a record, whatever the sector size. */
const USA_STRIDE = 512;
const NTFS_MAX_CLUSTER_SIZE = 64 * 1024;
/** byoi's bound on an MFT record (they are 1 KiB or 4 KiB in practice). */
const MAX_MFT_RECORD_SIZE = 64 * 1024;

/**
 * Detects NTFS like blkid: boot-sector checks, then the MFT's first record and record 3 ($Volume) must start
 * with "FILE". LABEL is $Volume's VOLUME_NAME attribute, read after the record's update-sequence fixups are
 * applied and with every offset bounds-checked (a torn or malformed record gives no label, never an error).
 * UUID is the 64-bit volume serial as 16 upper-case hex digits.
 */
export async function detectNtfs(region: ProbeRegion): Promise<FilesystemInfo | null> {
  const bs = await readProbeBytes(region, 0, 512);
  if (bs === null || !bytesEqual(bs, oem_id, NTFS_MAGIC)) return null;

  const sectorSize = u16le(bs, bytes_per_sector);
  const sectorsPerCluster = u8(bs, sectors_per_cluster);
  if (sectorSize < 256 || sectorSize > 4096) return null;
  if (![1, 2, 4, 8, 16, 32, 64, 128].includes(sectorsPerCluster)) return null;
  const clusterSize = sectorSize * sectorsPerCluster;
  if (clusterSize > NTFS_MAX_CLUSTER_SIZE) return null;
  if (
    u16le(bs, reserved_sectors) !== 0 ||
    u16le(bs, root_entries) !== 0 ||
    u16le(bs, sectors) !== 0 ||
    u16le(bs, sectors_per_fat) !== 0 ||
    u32le(bs, large_sectors) !== 0 ||
    u8(bs, fats) !== 0
  ) {
    return null;
  }

  // clusters_per_mft_record: 1..64 clusters, or a negative power of two (0xE1..0xF7 → 2^31 .. 2^9 bytes).
  const perRecord = u8(bs, clusters_per_mft_record);
  let recordSize: number;
  if (perRecord >= 0xe1 && perRecord <= 0xf7) recordSize = 2 ** (256 - perRecord);
  else if ([1, 2, 4, 8, 16, 32, 64].includes(perRecord)) recordSize = perRecord * clusterSize;
  else return null;

  const clusters = u64le(bs, number_of_sectors) / BigInt(sectorsPerCluster);
  const mft = u64le(bs, mft_cluster_location);
  if (mft > clusters || u64le(bs, mft_mirror_cluster_location) > clusters) return null;
  if (recordSize > MAX_MFT_RECORD_SIZE) return null;
  const mftOffset = mft * BigInt(clusterSize);
  if (mftOffset > BigInt(region.length)) return null;

  const first = await readProbeBytes(region, Number(mftOffset), recordSize);
  if (first === null || !bytesEqual(first, 0, FILE_MAGIC)) return null;
  const volume = await readProbeBytes(region, Number(mftOffset) + MFT_RECORD_VOLUME * recordSize, recordSize);
  if (volume === null || !bytesEqual(volume, 0, FILE_MAGIC)) return null;

  const serial = u64le(bs, volume_serial);
  return { type: 'ntfs', label: volumeName(volume), uuid: serial === 0n ? null : hexUpper(serial, 16) };
}

/** The VOLUME_NAME attribute of the $Volume record, or null when absent, torn or malformed. */
function volumeName(record: Uint8Array): string | null {
  const fixed = applyFixups(record);
  if (fixed === null) return null;
  const allocated = u32le(fixed, bytes_allocated);
  let offset = u16le(fixed, attrs_offset);
  while (offset + ATTR_HEADER_BYTES <= fixed.length && offset <= allocated) {
    const type = u32le(fixed, offset + attr_type);
    const length = u32le(fixed, offset + attr_length);
    if (length === 0 || type === ATTR_END) return null;
    if (type === ATTR_VOLUME_NAME) {
      const valueOffset = u16le(fixed, offset + attr_value_offset);
      const valueLength = u32le(fixed, offset + attr_value_length);
      if (valueOffset + valueLength > length || offset + length > fixed.length) return null;
      return blkidUtf16Label(fixed.subarray(offset + valueOffset, offset + valueOffset + valueLength), true);
    }
    offset += length;
  }
  return null;
}

/**
 * Applies the update sequence array: the last two bytes of every 512-byte stride hold the update sequence
 * number on disk, and their real value is in the array. Null when the record is torn (a stride's number
 * differs) or the array does not fit.
 */
function applyFixups(record: Uint8Array): Uint8Array | null {
  const arrayOffset = u16le(record, usa_ofs);
  const count = u16le(record, usa_count);
  if (count === 0 || arrayOffset + count * 2 > record.length) return null;
  const fixed = record.slice();
  const usn = u16le(record, arrayOffset);
  for (let i = 1; i < count; i++) {
    const end = i * USA_STRIDE - 2;
    if (end + 2 > fixed.length) return null;
    if (u16le(fixed, end) !== usn) return null;
    fixed[end] = record[arrayOffset + i * 2] ?? 0;
    fixed[end + 1] = record[arrayOffset + i * 2 + 1] ?? 0;
  }
  return fixed;
}
