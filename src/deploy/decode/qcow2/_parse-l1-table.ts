import { ByoiError } from '../../../contract/errors/byoi-error.ts';
import { toSafeNumber } from '../../../image/bytes.ts';
import { L1E_OFFSET_MASK } from '../../../image/qcow2/qcow2-layout.ts';
import { hex } from './_wanted-range.ts';
import type { Qcow2Geometry } from './_qcow2-geometry.ts';

export interface ParsedL1Table {
  /** Guest ranges of the L1 entries that are 0 (no L2 table: the range reads as zeros), merged: [start, end, ...]. */
  zeroRuns: number[];
  /** Host offsets of the L2 tables, sorted ascending; the same table twice when two entries share it. */
  l2Offsets: Float64Array;
  /** l1Indexes[i] is the L1 entry that points at l2Offsets[i]. */
  l1Indexes: Uint32Array;
}

/**
 * Reads the used entries of the active L1 table (qcow2.txt "Cluster mapping", L1 table entry) and checks each L2
 * table offset as loadQcow2Mapping() does: cluster-aligned, below 2^53, clear of the header, the L1 table and the
 * refcount table, and inside the file when its size is known. Reserved bits and bit 63 are ignored, as qemu
 * ignores them. Returns the L2 tables sorted by host offset: the decoder meets them in that order.
 *
 * @param table usedL1 × 8 bytes
 * @throws BYOI_IMAGE_INVALID or BYOI_IMAGE_TRUNCATED naming the L1 entry
 */
export function parseL1Table(table: Uint8Array, geometry: Qcow2Geometry, fileSize: number | null): ParsedL1Table {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const clusterSize = geometry.clusterSize;
  const zeroRuns: number[] = [];
  const offsets: number[] = [];
  const indexes: number[] = [];
  for (let index = 0; index < geometry.usedL1; index++) {
    const at = index * 8;
    // Most entries of a sparse image are 0: skip the bigint work for them.
    const empty = view.getUint32(at) === 0 && (view.getUint32(at + 4) & 0xfffffe00) === 0;
    const offsetBits = empty ? 0n : view.getBigUint64(at) & L1E_OFFSET_MASK;
    const structure = `qcow2 L1 entry ${index}`;
    if (offsetBits === 0n) {
      const guestStart = index * geometry.bytesPerL1Entry;
      const guestEnd = Math.min(guestStart + geometry.bytesPerL1Entry, geometry.virtualSize);
      const last = zeroRuns.length - 1;
      if (last > 0 && zeroRuns[last] === guestStart) zeroRuns[last] = guestEnd;
      else zeroRuns.push(guestStart, guestEnd);
      continue;
    }
    if (offsetBits % BigInt(clusterSize) !== 0n) {
      throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason: `L2 table offset 0x${offsetBits.toString(16)} is not cluster-aligned` });
    }
    const offset = toSafeNumber(offsetBits, structure, 'L2 table offset');
    for (const region of geometry.fixedMetadata) {
      if (offset >= region.start && offset < region.end) {
        throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason: `L2 table offset ${hex(offset)} points into ${region.name}` });
      }
    }
    if (fileSize !== null && offset + clusterSize > fileSize) {
      throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: `qcow2 L2 table of L1 entry ${index}`, size: fileSize, needed: offset + clusterSize });
    }
    offsets.push(offset);
    indexes.push(index);
  }

  const order = new Uint32Array(offsets.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => (offsets[a] as number) - (offsets[b] as number) || a - b);
  const l2Offsets = new Float64Array(order.length);
  const l1Indexes = new Uint32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const from = order[i] as number;
    l2Offsets[i] = offsets[from] as number;
    l1Indexes[i] = indexes[from] as number;
  }
  return { zeroRuns, l2Offsets, l1Indexes };
}
