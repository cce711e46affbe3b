import type { FilesystemInfo } from '../inspect-result.ts';
import { bytesEqual, u8 } from '../bytes.ts';
import { blkidLabel, blkidUtf16Label } from './_blkid-format.ts';
import { readProbeBytes, type ProbeRegion } from './probe-region.ts';

// ISO 9660 volume descriptors: 2048-byte sectors from sector 16 (FORMAT.md "ISO 9660").
const SYSTEM_AREA_BYTES = 16 * 2048;
const DESCRIPTOR_BYTES = 2048;
const vd_type = 0;
const vd_id = 1;
const volume_id = 40;
const escape_sequences = 88;
const creation_date = 813;
const modification_date = 830;
const DATE_BYTES = 17;
const CD001 = [0x43, 0x44, 0x30, 0x30, 0x31];
const VD_SUPPLEMENTARY = 2;
const VD_TERMINATOR = 255;
/** blkid looks at no more than 16 descriptors after the first. */
const MAX_DESCRIPTORS = 16;
/** Joliet's escape sequences for UCS-2 levels 1, 2 and 3. */
const JOLIET_ESCAPES = [
  [0x25, 0x2f, 0x40],
  [0x25, 0x2f, 0x43],
  [0x25, 0x2f, 0x45],
];

/**
 * Detects ISO 9660 like blkid: "CD001" in the first volume descriptor. LABEL is the primary volume
 * identifier, or the Joliet one when it says something else (Joliet keeps case and non-ASCII).
 * UUID is blkid's, made from the modification date, else the creation date: "YYYY-MM-DD-HH-MM-SS-hh".
 */
export async function detectIso9660(region: ProbeRegion): Promise<FilesystemInfo | null> {
  const pvd = await readProbeBytes(region, SYSTEM_AREA_BYTES, DESCRIPTOR_BYTES);
  if (pvd === null || !bytesEqual(pvd, vd_id, CD001)) return null;

  const primaryLabel = pvd.subarray(volume_id, volume_id + 32);
  const uuid = dateUuid(pvd.subarray(modification_date, modification_date + DATE_BYTES)) ??
    dateUuid(pvd.subarray(creation_date, creation_date + DATE_BYTES));

  let label = blkidLabel(primaryLabel, 'latin1');
  for (let i = 1; i <= MAX_DESCRIPTORS; i++) {
    const vd = await readProbeBytes(region, SYSTEM_AREA_BYTES + i * DESCRIPTOR_BYTES, DESCRIPTOR_BYTES);
    if (vd === null || u8(vd, vd_type) === VD_TERMINATOR) break;
    if (u8(vd, vd_type) !== VD_SUPPLEMENTARY) continue;
    if (!JOLIET_ESCAPES.some((escape) => bytesEqual(vd, escape_sequences, escape))) continue;
    const jolietLabel = vd.subarray(volume_id, volume_id + 32);
    if (!sameLabel(primaryLabel, jolietLabel)) label = blkidUtf16Label(jolietLabel, false);
    break;
  }
  return { type: 'iso9660', label, uuid };
}

/** True when the UCS-2 big-endian label spells the same ASCII bytes as the primary one (16 characters). */
function sameLabel(ascii: Uint8Array, ucs2: Uint8Array): boolean {
  for (let a = 0, u = 0; u < ucs2.length; a++, u += 2) {
    if (ucs2[u] !== 0 || ascii[a] !== ucs2[u + 1]) return false;
  }
  return true;
}

/** The 16 date digits joined as blkid does; null when the date is unset (all "0" and a zero zone). */
function dateUuid(date: Uint8Array): string | null {
  const digits = new TextDecoder('latin1').decode(date.subarray(0, 16));
  if (digits === '0000000000000000' && u8(date, 16) === 0) return null;
  const part = (from: number, to: number): string => digits.slice(from, to);
  return `${part(0, 4)}-${part(4, 6)}-${part(6, 8)}-${part(8, 10)}-${part(10, 12)}-${part(12, 14)}-${part(14, 16)}`;
}
