import { ByoiError } from '../../../contract/errors/byoi-error.ts';
import { decodeL2Entry, type L2Entry } from '../../../image/qcow2/decode-l2-entry.ts';
import { SUBCLUSTERS_PER_CLUSTER } from '../../../image/qcow2/qcow2-layout.ts';
import { metadataOverlap } from './_metadata-overlap.ts';
import type { Qcow2Geometry } from './_qcow2-geometry.ts';
import { hex, type CompressedRange, type DataRange } from './_wanted-range.ts';

/** What one L2 table says about its guest range, in guest order. */
export interface ParsedL2Table {
  /** Guest ranges that read as zeros (zero flag, zero subclusters, unallocated), merged: [start, end, ...]. */
  zeroRuns: number[];
  /** Host ranges to copy to the guest, merged while host and guest both follow on. */
  data: DataRange[];
  /** One range per compressed cluster. */
  compressed: CompressedRange[];
}

/**
 * Decodes the entries of one L2 table that cover the virtual disk (qcow2.txt "Cluster mapping", "Extended L2
 * Entries") with decodeL2Entry(), and checks every host range as openQcow2() does: inside the file when its size
 * is known (BYOI_IMAGE_TRUNCATED), clear of the header, the L1 table, the refcount table and every active L2
 * table (BYOI_IMAGE_INVALID). The last guest cluster is cut at the virtual size.
 *
 * A compressed cluster's range is cut at the end of the file, as qemu cuts it: the descriptor's last sector may
 * run past the file, which qemu-img aligns to 512 bytes only (FORMAT.md "Notes").
 *
 * @param l2Offsets every active L2 table's host offset, sorted ascending
 * @param fileSize the image file's size, or null while it is unknown (the end() checks catch the rest)
 */
export function parseL2Table(
  table: Uint8Array,
  l1Index: number,
  geometry: Qcow2Geometry,
  l2Offsets: Float64Array,
  fileSize: number | null,
): ParsedL2Table {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const clusterSize = geometry.clusterSize;
  const subclusterSize = clusterSize / SUBCLUSTERS_PER_CLUSTER;
  const zeroRuns: number[] = [];
  const data: DataRange[] = [];
  const compressed: CompressedRange[] = [];
  const firstGuestCluster = l1Index * geometry.l2Entries;
  const guestClusters = Math.ceil(geometry.virtualSize / clusterSize);
  const entries = Math.min(geometry.l2Entries, guestClusters - firstGuestCluster);

  function zero(guestStart: number, guestEnd: number): void {
    const last = zeroRuns.length - 1;
    if (last > 0 && zeroRuns[last] === guestStart) zeroRuns[last] = guestEnd;
    else zeroRuns.push(guestStart, guestEnd);
  }

  function addData(hostOffset: number, guestOffset: number, length: number, what: string): void {
    const structure = `qcow2 ${what} for guest offset ${hex(guestOffset)}`;
    if (fileSize !== null && hostOffset + length > fileSize) {
      throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure, size: fileSize, needed: hostOffset + length });
    }
    const overlap = metadataOverlap(geometry, l2Offsets, hostOffset, hostOffset + length);
    if (overlap !== null) {
      throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason: `host offset ${hex(hostOffset)} overlaps ${overlap}` });
    }
    const last = data[data.length - 1];
    if (last !== undefined && last.end === hostOffset && last.guestOffset + (last.end - last.start) === guestOffset) {
      last.end += length;
      return;
    }
    data.push({ kind: 'data', start: hostOffset, end: hostOffset + length, next: hostOffset, guestOffset });
  }

  function addCompressed(hostOffset: number, compressedLength: number, guestOffset: number): void {
    const structure = `qcow2 compressed cluster for guest offset ${hex(guestOffset)}`;
    const descriptorEnd = hostOffset + compressedLength;
    const end = fileSize === null ? descriptorEnd : Math.min(descriptorEnd, fileSize);
    if (end <= hostOffset) {
      throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure, size: fileSize ?? 0, needed: descriptorEnd });
    }
    const overlap = metadataOverlap(geometry, l2Offsets, hostOffset, end);
    if (overlap !== null) {
      throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason: `host offset ${hex(hostOffset)} overlaps ${overlap}` });
    }
    compressed.push({ kind: 'compressed', start: hostOffset, end, next: hostOffset, buffer: null, guestOffset, descriptorEnd, nextStart: -1 });
  }

  for (let l2Index = 0; l2Index < entries; l2Index++) {
    const at = l2Index * geometry.l2EntrySize;
    const guestOffset = (firstGuestCluster + l2Index) * clusterSize;
    const length = Math.min(clusterSize, geometry.virtualSize - guestOffset);
    // Unallocated entries are all zero bits: the common case of a sparse image, without bigint work.
    let empty = view.getUint32(at) === 0 && view.getUint32(at + 4) === 0;
    if (empty && geometry.extendedL2) empty = view.getUint32(at + 8) === 0 && view.getUint32(at + 12) === 0;
    if (empty) {
      zero(guestOffset, guestOffset + length);
      continue;
    }
    let entry: L2Entry;
    try {
      const bitmap = geometry.extendedL2 ? view.getBigUint64(at + 8) : 0n;
      entry = decodeL2Entry(view.getBigUint64(at), geometry.clusterBits, geometry.extendedL2, bitmap);
    } catch (error) {
      const reason = (error as ByoiError).params?.reason ?? String(error);
      throw new ByoiError('BYOI_IMAGE_INVALID', { structure: `qcow2 L2 entry for guest offset ${hex(guestOffset)}`, reason });
    }
    if (entry.kind === 'unallocated' || entry.kind === 'zero') {
      zero(guestOffset, guestOffset + length);
    } else if (entry.kind === 'data') {
      addData(entry.hostOffset, guestOffset, length, 'data cluster');
    } else if (entry.kind === 'compressed') {
      addCompressed(entry.hostOffset, entry.compressedLength, guestOffset);
    } else {
      for (let index = 0; index < SUBCLUSTERS_PER_CLUSTER; index++) {
        const within = index * subclusterSize;
        if (within >= length) break;
        const pieceLength = Math.min(subclusterSize, length - within);
        if (entry.subclusters[index] === 'data') {
          addData(entry.hostOffset + within, guestOffset + within, pieceLength, 'data subcluster');
        } else {
          zero(guestOffset + within, guestOffset + within + pieceLength);
        }
      }
    }
  }

  // Where each compressed cluster's successor starts, in host order (see CompressedRange.nextStart). Walked
  // backwards so that equal starts (a hostile table) cost no more than distinct ones.
  const byHost = compressed.slice().sort((a, b) => a.start - b.start);
  let following = -1;
  for (let i = byHost.length - 1; i >= 0; i--) {
    const range = byHost[i] as CompressedRange;
    const after = byHost[i + 1];
    if (after !== undefined && after.start > range.start) following = after.start;
    range.nextStart = following;
  }
  return { zeroRuns, data, compressed };
}
