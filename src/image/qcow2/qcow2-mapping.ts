import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { toSafeNumber, u64be } from '../bytes.ts';
import type { ReadAt } from '../read-at.ts';
import { decodeL2Entry, type L2Entry } from './decode-l2-entry.ts';
import { L1E_OFFSET_MASK } from './qcow2-layout.ts';
import type { Qcow2Header } from './read-qcow2-header.ts';

/**
 * The active L1 table of a qcow2 image, checked, with what is needed to find and check L2 entries. Built once by
 * loadQcow2Mapping(); shared by openQcow2() (random reads) and walkQcow2Extents() (one pass in guest order).
 */
export interface Qcow2Mapping {
  readonly source: ReadAt;
  readonly header: Qcow2Header;
  /** Guest bytes the image exposes: the header's size rounded down to 512, as qemu does. */
  readonly virtualSize: number;
  /** Host offset of the L2 table for each L1 index that covers the virtual disk; 0 when unallocated. */
  readonly l2TableOffsets: readonly number[];
  /** Entries in one L2 table: cluster_size / 8, or / 16 with extended L2 entries. */
  readonly l2Entries: number;
  /** Bytes of one L2 entry: 8, or 16 with extended L2 entries. */
  readonly l2EntrySize: number;
  /** Host cluster indexes that hold an L2 table. */
  readonly l2Clusters: ReadonlySet<number>;
  /** Host cluster index ranges [first, end) of the header, the L1 table and the refcount table. */
  readonly fixedMetadata: readonly { name: string; first: number; end: number }[];
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/**
 * Names the metadata a host byte range overlaps, or returns null. Refcount blocks and the snapshot table are not
 * tracked (see FORMAT.md "Notes").
 */
export function metadataOverlap(mapping: Qcow2Mapping, hostOffset: number, length: number): string | null {
  const clusterSize = mapping.header.clusterSize;
  const first = Math.floor(hostOffset / clusterSize);
  const last = Math.floor((hostOffset + Math.max(length, 1) - 1) / clusterSize);
  for (const region of mapping.fixedMetadata) {
    if (first < region.end && last >= region.first) return region.name;
  }
  for (let cluster = first; cluster <= last; cluster++) {
    if (mapping.l2Clusters.has(cluster)) return `the L2 table at ${hex(cluster * clusterSize)}`;
  }
  return null;
}

/**
 * Checks that host bytes holding guest data lie inside the file and clear of metadata.
 * @param what names the bytes for the error, e.g. "data cluster", "compressed cluster"
 * @throws BYOI_IMAGE_TRUNCATED past the end of the file; BYOI_IMAGE_INVALID on metadata
 */
export function checkHostRange(mapping: Qcow2Mapping, hostOffset: number, length: number, what: string, guestOffset: number): void {
  const name = `qcow2 ${what} for guest offset ${hex(guestOffset)}`;
  if (hostOffset + length > mapping.source.size) {
    throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: name, size: mapping.source.size, needed: hostOffset + length });
  }
  const overlap = metadataOverlap(mapping, hostOffset, length);
  if (overlap !== null) {
    throw new ByoiError('BYOI_IMAGE_INVALID', { structure: name, reason: `host offset ${hex(hostOffset)} overlaps ${overlap}` });
  }
}

/**
 * Reads the active L1 table and checks every entry that covers the virtual disk: L2 tables must be
 * cluster-aligned, inside the file, and clear of the header, the L1 table and the refcount table. Entries past the
 * virtual size (where qemu keeps VM state of internal snapshots) are not used and not checked.
 *
 * @throws BYOI_IMAGE_INVALID or BYOI_IMAGE_TRUNCATED naming the L1 index
 */
export async function loadQcow2Mapping(source: ReadAt, header: Qcow2Header): Promise<Qcow2Mapping> {
  const clusterSize = header.clusterSize;
  const l2EntrySize = header.extendedL2 ? 16 : 8;
  const l2Entries = clusterSize / l2EntrySize;
  const virtualSize = header.size - (header.size % 512);
  const bytesPerL2Table = clusterSize * l2Entries;
  const usedL1 = Math.ceil(virtualSize / bytesPerL2Table);

  const fixedMetadata = [{ name: 'the header', first: 0, end: 1 }];
  if (header.l1Size > 0) {
    fixedMetadata.push({
      name: 'the L1 table',
      first: header.l1TableOffset / clusterSize,
      end: Math.ceil((header.l1TableOffset + header.l1Size * 8) / clusterSize),
    });
  }
  if (header.refcountTableClusters > 0) {
    fixedMetadata.push({
      name: 'the refcount table',
      first: header.refcountTableOffset / clusterSize,
      end: header.refcountTableOffset / clusterSize + header.refcountTableClusters,
    });
  }

  const l2TableOffsets: number[] = [];
  const l2Clusters = new Set<number>();
  const mapping: Qcow2Mapping = { source, header, virtualSize, l2TableOffsets, l2Entries, l2EntrySize, l2Clusters, fixedMetadata };
  if (usedL1 === 0) return mapping;

  const l1 = await source.readAt(header.l1TableOffset, usedL1 * 8);
  for (let index = 0; index < usedL1; index++) {
    const offsetBits = u64be(l1, index * 8) & L1E_OFFSET_MASK;
    const structure = `qcow2 L1 entry ${index}`;
    if (offsetBits % BigInt(clusterSize) !== 0n) {
      throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason: `L2 table offset 0x${offsetBits.toString(16)} is not cluster-aligned` });
    }
    const offset = toSafeNumber(offsetBits, structure, 'L2 table offset');
    l2TableOffsets.push(offset);
    if (offset === 0) continue;
    if (offset + clusterSize > source.size) {
      throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: `qcow2 L2 table of L1 entry ${index}`, size: source.size, needed: offset + clusterSize });
    }
    const cluster = offset / clusterSize;
    for (const region of fixedMetadata) {
      if (cluster >= region.first && cluster < region.end) {
        throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason: `L2 table offset ${hex(offset)} points into ${region.name}` });
      }
    }
    l2Clusters.add(cluster);
  }
  return mapping;
}

/** Reads the L2 table of one L1 index; null when the L1 entry is unallocated. */
export async function readL2Table(mapping: Qcow2Mapping, l1Index: number): Promise<Uint8Array | null> {
  const offset = mapping.l2TableOffsets[l1Index] ?? 0;
  if (offset === 0) return null;
  return mapping.source.readAt(offset, mapping.header.clusterSize);
}

/**
 * Decodes entry `l2Index` of an L2 table, adding the guest offset to any error so that it names the cluster.
 * Entries of an unallocated L2 table read as unallocated.
 */
export function l2EntryAt(mapping: Qcow2Mapping, table: Uint8Array | null, l2Index: number, guestOffset: number): L2Entry {
  if (table === null) return { kind: 'unallocated' };
  const at = l2Index * mapping.l2EntrySize;
  const entry = u64be(table, at);
  const bitmap = mapping.header.extendedL2 ? u64be(table, at + 8) : 0n;
  try {
    return decodeL2Entry(entry, mapping.header.clusterBits, mapping.header.extendedL2, bitmap);
  } catch (error) {
    const params = (error as ByoiError).params;
    throw new ByoiError('BYOI_IMAGE_INVALID', {
      structure: `qcow2 L2 entry for guest offset ${hex(guestOffset)}`,
      reason: params?.reason ?? String(error),
    });
  }
}
