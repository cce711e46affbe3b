import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { toSafeNumber } from '../bytes.ts';
import { COMPRESSED_SECTOR_SIZE, L2E_COMPRESSED, L2E_OFFSET_MASK, L2E_ZERO, SUBCLUSTERS_PER_CLUSTER } from './qcow2-layout.ts';

/** How one subcluster reads when its cluster mixes kinds (extended L2 entries only). */
export type SubclusterKind = 'data' | 'zero' | 'unallocated';

/**
 * What a guest cluster reads as, from its L2 entry.
 *
 * - `unallocated`: zeros (or the backing file's data, when there is one);
 * - `zero`: zeros, whatever a backing file says;
 * - `data`: the cluster is stored as is at `hostOffset` (cluster-aligned);
 * - `compressed`: `compressedLength` bytes at `hostOffset` (not aligned) decompress to one cluster;
 * - `subclusters`: extended L2 entries whose 32 subclusters are not all of one kind; subcluster `i` of a `data`
 *   kind is at `hostOffset + i * clusterSize / 32`.
 */
export type L2Entry =
  | { kind: 'unallocated' }
  | { kind: 'zero' }
  | { kind: 'data'; hostOffset: number }
  | { kind: 'compressed'; hostOffset: number; compressedLength: number }
  | { kind: 'subclusters'; hostOffset: number; subclusters: SubclusterKind[] };

const structure = 'qcow2 L2 entry';

function invalid(reason: string): ByoiError {
  return new ByoiError('BYOI_IMAGE_INVALID', { structure, reason });
}

function alignedHostOffset(entry: bigint, clusterBits: number): number {
  const offset = entry & L2E_OFFSET_MASK;
  // qcow2.txt "Standard Cluster Descriptor": bits 9-55 "Must be aligned to a cluster boundary".
  if (offset % (1n << BigInt(clusterBits)) !== 0n) {
    throw invalid(`host cluster offset 0x${offset.toString(16)} is not cluster-aligned`);
  }
  return toSafeNumber(offset, structure, 'host cluster offset');
}

/**
 * Decodes one L2 table entry (qcow2.txt "Cluster mapping", "Extended L2 Entries"). Pure: no I/O, no knowledge of
 * the file size; callers check that the host range lies inside the file and clear of metadata.
 *
 * Reserved bits and the "copied" bit 63 are ignored, as qemu ignores them when reading. The zero flag (bit 0) is
 * honoured without looking at the version, as qemu does; with extended L2 entries it is reserved and ignored.
 *
 * @param entry the first 64 bits of the entry
 * @param clusterBits from the header (9 to 21); sets where the compressed descriptor's sector count starts
 * @param extendedL2 incompatible feature bit 4
 * @param bitmap the second 64 bits of an extended entry (allocation bits 0-31, zero bits 32-63)
 * @throws BYOI_IMAGE_INVALID for an unaligned host cluster offset, a subcluster both allocated and zero,
 *   allocated subclusters without a host cluster, or an offset beyond 2^53
 *
 * @example
 * ```ts
 * decodeL2Entry(0x8000000000050000n, 16, false); // { kind: 'data', hostOffset: 0x50000 }
 * decodeL2Entry(1n, 16, false);                   // { kind: 'zero' }
 * ```
 */
export function decodeL2Entry(entry: bigint, clusterBits: number, extendedL2: boolean, bitmap = 0n): L2Entry {
  if ((entry & L2E_COMPRESSED) !== 0n) {
    // Compressed Clusters Descriptor (x = 62 - (cluster_bits - 8)): offset in bits 0..x-1, then the number of
    // additional 512-byte sectors in bits x..61. Extended entries keep no subcluster bitmap for these.
    const x = BigInt(62 - (clusterBits - 8));
    const hostOffset = toSafeNumber(entry & ((1n << x) - 1n), structure, 'compressed cluster offset');
    const additionalSectors = Number((entry >> x) & ((1n << BigInt(clusterBits - 8)) - 1n));
    const compressedLength = (additionalSectors + 1) * COMPRESSED_SECTOR_SIZE - (hostOffset % COMPRESSED_SECTOR_SIZE);
    return { kind: 'compressed', hostOffset, compressedLength };
  }

  if (!extendedL2) {
    if ((entry & L2E_ZERO) !== 0n) {
      alignedHostOffset(entry, clusterBits); // a preallocated zero cluster must still be aligned (qemu checks it)
      return { kind: 'zero' };
    }
    const hostOffset = alignedHostOffset(entry, clusterBits);
    // Offset 0 means unallocated; only external data files may use host offset 0 (byoi refuses those).
    if (hostOffset === 0) return { kind: 'unallocated' };
    return { kind: 'data', hostOffset };
  }

  const hostOffset = alignedHostOffset(entry, clusterBits);
  const allocated = bitmap & 0xffffffffn;
  const zero = (bitmap >> 32n) & 0xffffffffn;
  if ((allocated & zero) !== 0n) {
    throw invalid(`subcluster bitmap 0x${bitmap.toString(16)} marks a subcluster both allocated and zero`);
  }
  if (allocated !== 0n && hostOffset === 0) {
    throw invalid(`subcluster bitmap 0x${bitmap.toString(16)} allocates subclusters of a cluster with no host offset`);
  }
  if (allocated === 0xffffffffn) return { kind: 'data', hostOffset };
  if (zero === 0xffffffffn) return { kind: 'zero' };
  if (allocated === 0n && zero === 0n) return { kind: 'unallocated' };
  const subclusters: SubclusterKind[] = [];
  for (let i = 0n; i < BigInt(SUBCLUSTERS_PER_CLUSTER); i++) {
    if (((allocated >> i) & 1n) === 1n) subclusters.push('data');
    else if (((zero >> i) & 1n) === 1n) subclusters.push('zero');
    else subclusters.push('unallocated');
  }
  return { kind: 'subclusters', hostOffset, subclusters };
}
