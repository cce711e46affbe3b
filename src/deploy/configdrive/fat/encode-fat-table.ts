import { writeU16le, writeU32le } from '../../../image/bytes.ts';
import type { FatType } from './choose-fat-layout.ts';

/** A run of consecutive clusters holding one file or directory. */
export interface ClusterRun {
  firstCluster: number;
  clusterCount: number;
}

/** End-of-chain marks (fatgen103 "FAT Type Determination": any value >= 0xFF8 / 0xFFF8 / 0x0FFFFFF8; byoi writes the all-ones form). */
const endOfChain: Record<FatType, number> = { 12: 0xfff, 16: 0xffff, 32: 0x0fffffff };

/**
 * Encodes one copy of the FAT: FAT[0] = media descriptor with the remaining bits set, FAT[1] = end of chain,
 * then each run as a chain of consecutive clusters ending in an end-of-chain mark. Only the part up to the last
 * used entry is returned, rounded up to whole sectors; the rest of the FAT must read as zero (free clusters).
 */
export function encodeFatTable(fatType: FatType, mediaDescriptor: number, runs: readonly ClusterRun[], bytesPerSector: number): Uint8Array {
  let lastCluster = 1;
  for (const run of runs) lastCluster = Math.max(lastCluster, run.firstCluster + run.clusterCount - 1);
  const usedBytes = fatType === 12 ? Math.ceil(((lastCluster + 1) * 3) / 2) : ((lastCluster + 1) * fatType) / 8;
  const table = new Uint8Array(Math.ceil(usedBytes / bytesPerSector) * bytesPerSector);
  const mediaEntry = fatType === 12 ? 0xf00 | mediaDescriptor : fatType === 16 ? 0xff00 | mediaDescriptor : 0x0fffff00 | mediaDescriptor;
  setEntry(table, fatType, 0, mediaEntry);
  // FAT[1] is an end-of-chain mark; on FAT16/32 its two high bits are ClnShutBitMask and HrdErrBitMask, which
  // set mean "unmounted cleanly, no I/O errors": the all-ones mark says exactly that.
  setEntry(table, fatType, 1, endOfChain[fatType]);
  for (const run of runs) {
    const last = run.firstCluster + run.clusterCount - 1;
    for (let cluster = run.firstCluster; cluster < last; cluster++) setEntry(table, fatType, cluster, cluster + 1);
    setEntry(table, fatType, last, endOfChain[fatType]);
  }
  return table;
}

/** fatgen103 "FAT12": entry n is 12 bits at byte n + n/2, in the low bits when n is even, the high bits when odd. */
function setEntry(table: Uint8Array, fatType: FatType, cluster: number, value: number): void {
  if (fatType === 16) {
    writeU16le(table, cluster * 2, value);
  } else if (fatType === 32) {
    // The high 4 bits of a FAT32 entry are reserved and must be kept; a fresh FAT has them zero.
    writeU32le(table, cluster * 4, value & 0x0fffffff);
  } else {
    const offset = cluster + (cluster >> 1);
    const low = table[offset] ?? 0;
    const high = table[offset + 1] ?? 0;
    if ((cluster & 1) === 0) {
      table[offset] = value & 0xff;
      table[offset + 1] = (high & 0xf0) | ((value >> 8) & 0x0f);
    } else {
      table[offset] = (low & 0x0f) | ((value & 0x0f) << 4);
      table[offset + 1] = (value >> 4) & 0xff;
    }
  }
}
