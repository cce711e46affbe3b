import type { FilesystemInfo } from '../inspect-result.ts';
import { bytesEqual, u32le, u64le } from '../bytes.ts';
import { readProbeBytes, type ProbeRegion } from './probe-region.ts';

// LVM2 physical-volume label, in one of the first four 512-byte sectors (FORMAT.md "LVM2").
const id = 0;
const sector_xl = 8;
const crc_xl = 16;
const offset_xl = 20;
const type = 24;
const pv_uuid = 32;
const LABEL_SIZE = 512;
const LABEL_SCAN_SECTORS = 4;
const LABELONE = Array.from('LABELONE', (c) => c.charCodeAt(0));
const LVM2_001 = Array.from('LVM2 001', (c) => c.charCodeAt(0));
/** LVM's CRC: CRC-32 (reflected 0xEDB88320) started at 0xF597A6CF, with no final inversion. */
const LVM_CRC_SEED = 0xf597a6cf;

const NIBBLE_TABLE: number[] = [];
for (let n = 0; n < 16; n++) {
  let c = n;
  for (let k = 0; k < 4; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  NIBBLE_TABLE.push(c >>> 0);
}

/** LVM2's label checksum over `bytes` (lib/misc/crc.c, four bits at a time). */
export function lvmCrc(bytes: Uint8Array): number {
  let crc = LVM_CRC_SEED;
  for (let i = 0; i < bytes.length; i++) {
    crc = (crc ^ (bytes[i] ?? 0)) >>> 0;
    crc = ((crc >>> 4) ^ (NIBBLE_TABLE[crc & 0xf] ?? 0)) >>> 0;
    crc = ((crc >>> 4) ^ (NIBBLE_TABLE[crc & 0xf] ?? 0)) >>> 0;
  }
  return crc;
}

/**
 * Detects an LVM2 physical volume: "LABELONE" at the start of sector 0..3, the label's own sector number,
 * its CRC, and the type "LVM2 001". UUID is the PV UUID grouped 6-4-4-4-4-4-6 as LVM prints it.
 */
export async function detectLvm2(region: ProbeRegion): Promise<FilesystemInfo | null> {
  for (let sector = 0; sector < LABEL_SCAN_SECTORS; sector++) {
    const label = await readProbeBytes(region, sector * LABEL_SIZE, LABEL_SIZE);
    if (label === null) return null;
    if (!bytesEqual(label, id, LABELONE) || !bytesEqual(label, type, LVM2_001)) continue;
    if (u64le(label, sector_xl) !== BigInt(sector)) continue;
    if (lvmCrc(label.subarray(offset_xl)) !== u32le(label, crc_xl)) continue;
    return { type: 'LVM2_member', label: null, uuid: formatPvUuid(label.subarray(pv_uuid, pv_uuid + 32)) };
  }
  return null;
}

function formatPvUuid(bytes: Uint8Array): string {
  const raw = new TextDecoder('latin1').decode(bytes);
  const groups = [6, 4, 4, 4, 4, 4, 6];
  const parts: string[] = [];
  let at = 0;
  for (const size of groups) {
    parts.push(raw.slice(at, at + size));
    at += size;
  }
  return parts.join('-');
}
