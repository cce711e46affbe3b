import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { assertQcow2Deployable } from './assert-qcow2-deployable.ts';
import { decompressCluster } from './decompress-cluster.ts';
import { SUBCLUSTERS_PER_CLUSTER } from './qcow2-layout.ts';
import { checkHostRange, l2EntryAt, loadQcow2Mapping, readL2Table, type Qcow2Mapping } from './qcow2-mapping.ts';
import { readQcow2Header, type Qcow2Header } from './read-qcow2-header.ts';

/** A qcow2 image opened for reading: its header, and the guest disk as a ReadAt. */
export interface Qcow2Image {
  readonly header: Qcow2Header;
  /** Bytes of the guest disk: the header's size rounded down to 512, as qemu-img reports it. */
  readonly virtualSize: number;
  /** The guest disk: offsets are guest offsets, reads map through L1/L2 and decompress as needed. */
  readonly guest: ReadAt;
  /** The checked L1 table, for walkQcow2Extents() and decoders that reuse the mapping. */
  readonly mapping: Qcow2Mapping;
}

export interface OpenQcow2Options {
  /**
   * Bytes of L2 tables kept in memory (least recently used go first); at least one table is always kept.
   * @default 8388608 (8 MiB: 128 tables of 64 KiB, covering 512 GiB of guest disk)
   */
  l2CacheBytes?: number;
}

/** Largest host read the guest reader coalesces from contiguous data clusters. */
const MAX_COALESCED_READ = 16 * 1024 * 1024;

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** A bounded least-recently-used cache of L2 tables by L1 index (a Map keeps insertion order). */
function createL2Cache(mapping: Qcow2Mapping, capacity: number): (l1Index: number) => Promise<Uint8Array | null> {
  const tables = new Map<number, Uint8Array | null>();
  return async (l1Index: number) => {
    const cached = tables.get(l1Index);
    if (cached !== undefined) {
      tables.delete(l1Index);
      tables.set(l1Index, cached);
      return cached;
    }
    const table = await readL2Table(mapping, l1Index);
    if (table !== null) {
      tables.set(l1Index, table);
      if (tables.size > capacity) {
        const oldest = tables.keys().next().value;
        if (oldest !== undefined) tables.delete(oldest);
      }
    }
    return table;
  };
}

/**
 * Opens a qcow2 image for reading its guest disk. Reads and checks the header (readQcow2Header()), refuses backing
 * files, external data files and encryption (assertQcow2Deployable()), reads and checks the L1 table, and returns
 * a ReadAt over the guest disk that:
 *
 * - reads unallocated clusters and zero clusters (v3 zero flag, extended-L2 zero bits) as zeros;
 * - reads standard clusters where their L2 entry points, coalescing contiguous clusters into one host read;
 * - inflates compressed clusters (deflate, or zstd when compression_type says so) to exactly one cluster;
 * - handles extended L2 entries (32 subclusters each allocated, zero or unallocated), any cluster size from
 *   512 B to 2 MiB, and reads spanning any number of clusters.
 *
 * Every host range is checked before it is read: inside the file (BYOI_IMAGE_TRUNCATED otherwise) and clear of the
 * header, the L1 table, the refcount table and every L2 table (BYOI_IMAGE_INVALID otherwise). Only ByoiError comes
 * out, and every read ends: nothing loops on what the image says.
 *
 * @example
 * ```ts
 * const image = await openQcow2(source);
 * const mbr = await image.guest.readAt(0, 512);
 * ```
 */
export async function openQcow2(source: ReadAt, options: OpenQcow2Options = {}): Promise<Qcow2Image> {
  const header = await readQcow2Header(source);
  assertQcow2Deployable(header);
  const mapping = await loadQcow2Mapping(source, header);
  const clusterSize = header.clusterSize;
  const cacheBytes = options.l2CacheBytes ?? 8 * 1024 * 1024;
  const l2Table = createL2Cache(mapping, Math.max(1, Math.floor(cacheBytes / clusterSize)));
  const subclusterSize = clusterSize / SUBCLUSTERS_PER_CLUSTER;

  // The last cluster decompressed: small reads (a partition table, a boot sector) often hit one cluster repeatedly.
  let lastCompressed: { guestCluster: number; data: Uint8Array } | null = null;

  async function compressedCluster(guestCluster: number, hostOffset: number, compressedLength: number): Promise<Uint8Array> {
    if (lastCompressed !== null && lastCompressed.guestCluster === guestCluster) return lastCompressed.data;
    const guestOffset = guestCluster * clusterSize;
    // Like qemu, read what the descriptor covers up to the end of the file: qemu-img aligns the file's end only to
    // 512 bytes, so the last compressed cluster's sectors may run past it.
    const available = Math.min(compressedLength, source.size - hostOffset);
    checkHostRange(mapping, hostOffset, Math.max(available, 1), 'compressed cluster', guestOffset);
    const compressed = await source.readAt(hostOffset, available);
    let data: Uint8Array;
    try {
      data = decompressCluster(compressed, header.compressionType, clusterSize);
    } catch (error) {
      const structure = `qcow2 compressed cluster for guest offset ${hex(guestOffset)}`;
      if (available < compressedLength) {
        throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure, size: source.size, needed: hostOffset + compressedLength });
      }
      const reason = (error as ByoiError).params?.reason ?? String(error);
      throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason });
    }
    lastCompressed = { guestCluster, data };
    return data;
  }

  const guest: ReadAt = {
    size: mapping.virtualSize,
    async readAt(offset: number, length: number): Promise<Uint8Array> {
      checkRange(mapping.virtualSize, offset, length, 'qcow2 guest disk');
      const out = new Uint8Array(length);
      // One pending host read, grown while data clusters follow each other on the host as in the guest.
      let pendingHost = 0;
      let pendingOut = 0;
      let pendingLength = 0;
      async function flush(): Promise<void> {
        if (pendingLength === 0) return;
        out.set(await source.readAt(pendingHost, pendingLength), pendingOut);
        pendingLength = 0;
      }
      async function addData(hostOffset: number, outOffset: number, n: number): Promise<void> {
        if (
          pendingLength > 0 &&
          pendingHost + pendingLength === hostOffset &&
          pendingOut + pendingLength === outOffset &&
          pendingLength + n <= MAX_COALESCED_READ
        ) {
          pendingLength += n;
          return;
        }
        await flush();
        pendingHost = hostOffset;
        pendingOut = outOffset;
        pendingLength = n;
      }

      const end = offset + length;
      let pos = offset;
      while (pos < end) {
        const guestCluster = Math.floor(pos / clusterSize);
        const within = pos - guestCluster * clusterSize;
        const n = Math.min(clusterSize - within, end - pos);
        const l1Index = Math.floor(guestCluster / mapping.l2Entries);
        const l2Index = guestCluster - l1Index * mapping.l2Entries;
        const entry = l2EntryAt(mapping, await l2Table(l1Index), l2Index, guestCluster * clusterSize);
        if (entry.kind === 'data') {
          checkHostRange(mapping, entry.hostOffset + within, n, 'data cluster', pos);
          await addData(entry.hostOffset + within, pos - offset, n);
        } else if (entry.kind === 'compressed') {
          const data = await compressedCluster(guestCluster, entry.hostOffset, entry.compressedLength);
          out.set(data.subarray(within, within + n), pos - offset);
        } else if (entry.kind === 'subclusters') {
          // Walk the subclusters this piece of the cluster touches; unallocated and zero ones stay zero.
          let piece = within;
          while (piece < within + n) {
            const index = Math.floor(piece / subclusterSize);
            const pieceEnd = Math.min((index + 1) * subclusterSize, within + n);
            if (entry.subclusters[index] === 'data') {
              const guestPos = guestCluster * clusterSize + piece;
              checkHostRange(mapping, entry.hostOffset + piece, pieceEnd - piece, 'data subcluster', guestPos);
              await addData(entry.hostOffset + piece, guestPos - offset, pieceEnd - piece);
            }
            piece = pieceEnd;
          }
        }
        pos += n;
      }
      await flush();
      return out;
    },
  };

  return { header, virtualSize: mapping.virtualSize, guest, mapping };
}
