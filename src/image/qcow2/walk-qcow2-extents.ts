import { assertQcow2Deployable } from './assert-qcow2-deployable.ts';
import { SUBCLUSTERS_PER_CLUSTER } from './qcow2-layout.ts';
import { checkHostRange, l2EntryAt, readL2Table, type Qcow2Mapping } from './qcow2-mapping.ts';

/** A run of the guest disk that reads the same way. */
export interface Qcow2Extent {
  guestOffset: number;
  length: number;
  /**
   * `data`: stored as is at `hostOffset`; `zero`: zero flag or zero subclusters; `unallocated`: nothing stored
   * (zeros, since byoi refuses backing files); `compressed`: one cluster, compressed at `hostOffset`.
   */
  kind: 'data' | 'zero' | 'unallocated' | 'compressed';
  /** data: host offset of the extent's first byte; compressed: host offset of the compressed bytes. */
  hostOffset?: number;
  /**
   * compressed only: bytes to read at hostOffset and give to decompressCluster(): what the descriptor's sector
   * count covers, cut at the end of the file.
   */
  compressedLength?: number;
}

/** Whether `next` continues `previous` in the guest and reads the same way (and, for data, follows it on the host). */
function continues(previous: Qcow2Extent, next: Qcow2Extent): boolean {
  if (previous.guestOffset + previous.length !== next.guestOffset || previous.kind !== next.kind) return false;
  if (next.kind === 'zero' || next.kind === 'unallocated') return true;
  if (next.kind === 'data') return (previous.hostOffset ?? 0) + previous.length === next.hostOffset;
  return false; // each compressed cluster is its own extent
}

/**
 * Walks the whole guest disk in guest order and yields extents: adjacent clusters of the same kind are merged
 * (data clusters only when they are also contiguous on the host), each compressed cluster is one extent, and the
 * last extent ends at the virtual size. Each L2 table is read once, in L1 order.
 *
 * Host ranges are checked as openQcow2() checks them (inside the file, clear of metadata); compressed data is not
 * decompressed here, so a cluster that does not inflate is found by whoever decompresses it.
 *
 * @param mapping from openQcow2() (`image.mapping`) or loadQcow2Mapping()
 * @throws BYOI_IMAGE_UNSUPPORTED_FEATURE for images openQcow2() refuses; BYOI_IMAGE_INVALID or
 *   BYOI_IMAGE_TRUNCATED naming the entry at fault
 *
 * @example
 * ```ts
 * const image = await openQcow2(source);
 * for await (const extent of walkQcow2Extents(image.mapping)) {
 *   // { guestOffset: 0, length: 65536, kind: 'data', hostOffset: 327680 }, ...
 * }
 * ```
 */
export async function* walkQcow2Extents(mapping: Qcow2Mapping): AsyncGenerator<Qcow2Extent> {
  assertQcow2Deployable(mapping.header);
  const clusterSize = mapping.header.clusterSize;
  const subclusterSize = clusterSize / SUBCLUSTERS_PER_CLUSTER;
  const bytesPerTable = clusterSize * mapping.l2Entries;
  const virtualSize = mapping.virtualSize;
  let pending: Qcow2Extent | null = null;

  for (let l1Index = 0; l1Index < mapping.l2TableOffsets.length; l1Index++) {
    const tableStart = l1Index * bytesPerTable;
    const table = await readL2Table(mapping, l1Index);
    const pieces: Qcow2Extent[] = [];
    if (table === null) {
      pieces.push({ guestOffset: tableStart, length: Math.min(bytesPerTable, virtualSize - tableStart), kind: 'unallocated' });
    } else {
      for (let l2Index = 0; l2Index < mapping.l2Entries; l2Index++) {
        const guestOffset = tableStart + l2Index * clusterSize;
        if (guestOffset >= virtualSize) break;
        const length = Math.min(clusterSize, virtualSize - guestOffset);
        const entry = l2EntryAt(mapping, table, l2Index, guestOffset);
        if (entry.kind === 'unallocated' || entry.kind === 'zero') {
          pieces.push({ guestOffset, length, kind: entry.kind });
        } else if (entry.kind === 'data') {
          checkHostRange(mapping, entry.hostOffset, length, 'data cluster', guestOffset);
          pieces.push({ guestOffset, length, kind: 'data', hostOffset: entry.hostOffset });
        } else if (entry.kind === 'compressed') {
          const available = Math.min(entry.compressedLength, mapping.source.size - entry.hostOffset);
          checkHostRange(mapping, entry.hostOffset, Math.max(available, 1), 'compressed cluster', guestOffset);
          pieces.push({ guestOffset, length, kind: 'compressed', hostOffset: entry.hostOffset, compressedLength: available });
        } else {
          for (let index = 0; index < SUBCLUSTERS_PER_CLUSTER; index++) {
            const subOffset = guestOffset + index * subclusterSize;
            if (subOffset >= virtualSize) break;
            const subLength = Math.min(subclusterSize, virtualSize - subOffset);
            const kind = entry.subclusters[index] ?? 'unallocated';
            if (kind === 'data') {
              const hostOffset = entry.hostOffset + index * subclusterSize;
              checkHostRange(mapping, hostOffset, subLength, 'data subcluster', subOffset);
              pieces.push({ guestOffset: subOffset, length: subLength, kind, hostOffset });
            } else {
              pieces.push({ guestOffset: subOffset, length: subLength, kind });
            }
          }
        }
      }
    }
    for (const piece of pieces) {
      if (pending !== null && continues(pending, piece)) {
        pending.length += piece.length;
        continue;
      }
      if (pending !== null) yield pending;
      pending = piece;
    }
  }
  if (pending !== null) yield pending;
}
