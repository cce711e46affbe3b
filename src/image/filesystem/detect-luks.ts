import type { FilesystemInfo } from '../inspect-result.ts';
import { bytesEqual, u16be, u64be } from '../bytes.ts';
import { blkidLabel } from './_blkid-format.ts';
import { readProbeBytes, type ProbeRegion } from './probe-region.ts';

// LUKS1 and LUKS2 binary headers, big endian (FORMAT.md "LUKS").
const magic = 0;
const version = 6;
const label = 24; // LUKS2 only
const uuid = 168; // both versions: 40 bytes, NUL-terminated text
const hdr_offset = 256; // LUKS2 only
const HEADER_BYTES = 512;
const LUKS_MAGIC = [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]; // "LUKS\xba\xbe"
const LUKS_MAGIC_2 = [0x53, 0x4b, 0x55, 0x4c, 0xba, 0xbe]; // "SKUL\xba\xbe", the LUKS2 secondary header
/** Where cryptsetup may put the LUKS2 secondary header (its offset equals the primary header's size). */
export const LUKS2_SECONDARY_OFFSETS = [0x4000, 0x8000, 0x10000, 0x20000, 0x40000, 0x80000, 0x100000, 0x200000, 0x400000];

/**
 * Detects a LUKS volume from its primary header: UUID from the header, LABEL for LUKS2 (LUKS1 has none).
 * A LUKS2 header must say it sits at offset 0.
 */
export async function detectLuks(region: ProbeRegion): Promise<FilesystemInfo | null> {
  const header = await readProbeBytes(region, 0, HEADER_BYTES);
  if (header === null) return null;
  return fromHeader(header, LUKS_MAGIC, 0);
}

/**
 * Detects LUKS2 by its secondary header when the primary one is wiped, as blkid does. Costs up to nine reads,
 * so detectFilesystem() tries it only after every other probe failed.
 */
export async function detectLuks2Secondary(region: ProbeRegion): Promise<FilesystemInfo | null> {
  for (const offset of LUKS2_SECONDARY_OFFSETS) {
    const header = await readProbeBytes(region, offset, HEADER_BYTES);
    if (header === null) return null;
    const found = fromHeader(header, LUKS_MAGIC_2, offset);
    if (found !== null) return found;
  }
  return null;
}

function fromHeader(header: Uint8Array, expected: number[], offset: number): FilesystemInfo | null {
  if (!bytesEqual(header, magic, expected)) return null;
  const headerVersion = u16be(header, version);
  if (headerVersion === 2 && u64be(header, hdr_offset) !== BigInt(offset)) return null;
  return {
    type: 'crypto_LUKS',
    label: headerVersion === 2 ? blkidLabel(header.subarray(label, label + 48)) : null,
    uuid: blkidLabel(header.subarray(uuid, uuid + 40)),
  };
}
