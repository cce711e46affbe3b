import type { Qcow2Header } from '../../../image/qcow2/read-qcow2-header.ts';

/** A host byte range [start, end) that holds metadata, rounded out to whole clusters. */
export interface MetadataRegion {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** What the decoder derives from a checked header, once. */
export interface Qcow2Geometry {
  readonly clusterBits: number;
  readonly clusterSize: number;
  readonly extendedL2: boolean;
  readonly compressionType: number;
  /** The header's size rounded down to 512, as qemu-img reads it (FORMAT.md "Notes"). */
  readonly virtualSize: number;
  /** 8, or 16 with extended L2 entries. */
  readonly l2EntrySize: number;
  /** Entries in one L2 table. */
  readonly l2Entries: number;
  /** Guest bytes one L1 entry maps: cluster_size × l2_entries. */
  readonly bytesPerL1Entry: number;
  /** L1 entries that cover the virtual disk: the only ones read (entries past it hold snapshot VM state). */
  readonly usedL1: number;
  /** The header cluster, the whole L1 table and the refcount table: no L2 table or data may lie there. */
  readonly fixedMetadata: readonly MetadataRegion[];
}

/**
 * Derives sizes and metadata regions from a header that readQcow2Header() checked (so every product here is an
 * exact double: sizes below 2^53, l1_size at most 4 Mi).
 */
export function qcow2Geometry(header: Qcow2Header): Qcow2Geometry {
  const clusterSize = header.clusterSize;
  const l2EntrySize = header.extendedL2 ? 16 : 8;
  const l2Entries = clusterSize / l2EntrySize;
  const bytesPerL1Entry = clusterSize * l2Entries;
  const virtualSize = header.size - (header.size % 512);
  const usedL1 = Math.ceil(virtualSize / bytesPerL1Entry);
  const roundUp = (value: number): number => Math.ceil(value / clusterSize) * clusterSize;

  const fixedMetadata: MetadataRegion[] = [{ name: 'the header', start: 0, end: clusterSize }];
  if (header.l1Size > 0) {
    fixedMetadata.push({ name: 'the L1 table', start: header.l1TableOffset, end: roundUp(header.l1TableOffset + header.l1Size * 8) });
  }
  if (header.refcountTableClusters > 0) {
    fixedMetadata.push({
      name: 'the refcount table',
      start: header.refcountTableOffset,
      end: header.refcountTableOffset + header.refcountTableClusters * clusterSize,
    });
  }
  return {
    clusterBits: header.clusterBits,
    clusterSize,
    extendedL2: header.extendedL2,
    compressionType: header.compressionType,
    virtualSize,
    l2EntrySize,
    l2Entries,
    bytesPerL1Entry,
    usedL1,
    fixedMetadata,
  };
}
