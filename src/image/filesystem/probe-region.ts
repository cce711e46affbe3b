import type { ReadAt } from '../read-at.ts';

/**
 * What a filesystem probe sees: one partition (or a whole raw image) and its first HEAD_BYTES already read,
 * so that the common signatures cost no extra read.
 */
export interface ProbeRegion {
  readonly source: ReadAt;
  /** Byte offset of the region in `source`. */
  readonly offset: number;
  /** Bytes in the region; probes never read past it. */
  readonly length: number;
  /** The region's first min(length, HEAD_BYTES) bytes. */
  readonly head: Uint8Array;
}

/**
 * Bytes read up front: 64 KiB + 4 KiB covers the superblocks of ext (1 KiB), XFS, FAT, NTFS, LUKS, LVM2
 * and squashfs (0), swap (up to 64 KiB - 10), the ISO 9660 volume descriptors (32 KiB .. 64 KiB) and the
 * Btrfs superblock (64 KiB + 4 KiB).
 */
export const HEAD_BYTES = 64 * 1024 + 4096;

/**
 * Bytes [at, at+length) of the region, or null when they lie past its end (the signature cannot be there).
 */
export async function readProbeBytes(region: ProbeRegion, at: number, length: number): Promise<Uint8Array | null> {
  if (!Number.isSafeInteger(at) || at < 0 || at + length > region.length) return null;
  if (at + length <= region.head.length) return region.head.subarray(at, at + length);
  return region.source.readAt(region.offset + at, length);
}
