import type { ReadAt } from '../read-at.ts';
import { readFatBootSector, type FatBootSector } from './read-fat-boot-sector.ts';

/**
 * A FAT volume opened for reading: where it is, its validated boot sector, and the parts of the FAT read so
 * far. The FAT is read lazily in chunks of FAT_CHUNK_BYTES, so a large FAT32 volume costs only what is used.
 */
export interface FatVolume {
  readonly source: ReadAt;
  /** Byte offset of the volume (its boot sector) in `source`. */
  readonly offset: number;
  /** Bytes of the partition that holds the volume. */
  readonly length: number;
  readonly bootSector: FatBootSector;
  /** FAT bytes already read, keyed by chunk index. */
  readonly fatChunks: Map<number, Uint8Array>;
}

/** Bytes of FAT read at a time: 64 KiB is 16384 FAT32 entries, a whole FAT16 table needs at most two reads. */
export const FAT_CHUNK_BYTES = 64 * 1024;

/**
 * Opens the FAT volume at [offset, offset+length) of `source`: reads and checks its boot sector.
 * Throws BYOI_IMAGE_INVALID or BYOI_IMAGE_TRUNCATED like readFatBootSector().
 */
export async function openFatVolume(source: ReadAt, offset: number, length: number): Promise<FatVolume> {
  const bootSector = await readFatBootSector(source, offset, length);
  return { source, offset, length, bootSector, fatChunks: new Map() };
}

/** Byte offset in the source of cluster `cluster`'s first byte (the caller has checked the cluster number). */
export function clusterOffset(volume: FatVolume, cluster: number): number {
  const bs = volume.bootSector;
  return volume.offset + (bs.firstDataSector + (cluster - 2) * bs.sectorsPerCluster) * bs.bytesPerSector;
}
