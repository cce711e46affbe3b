import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { FatVolume } from './open-fat-volume.ts';
import { readClusterChain } from './read-cluster-chain.ts';
import { readClusters } from './read-clusters.ts';
import { readFatDirectory, type FatDirectoryEntry } from './read-fat-directory.ts';

/** FORMAT.md "Directory entry": a directory holds at most 65536 entries of 32 bytes (2 MiB). */
const MAX_DIRECTORY_BYTES = 65536 * 32;

/** The root directory, whatever the FAT type. */
export const ROOT_DIRECTORY = 'root';

/**
 * Reads and parses one directory: the fixed root region on FAT12/16, or the cluster chain that starts at
 * `firstCluster` (the root's chain from BPB_RootClus on FAT32 when given ROOT_DIRECTORY).
 *
 * @param structure names the directory in messages, e.g. "FAT directory \EFI"
 */
export async function loadFatDirectory(
  volume: FatVolume,
  firstCluster: number | typeof ROOT_DIRECTORY,
  structure: string,
): Promise<FatDirectoryEntry[]> {
  const bs = volume.bootSector;
  if (firstCluster === ROOT_DIRECTORY && bs.fatType !== 32) {
    const rootStart = volume.offset + (bs.reservedSectorCount + bs.numFats * bs.fatSizeSectors) * bs.bytesPerSector;
    const bytes = await volume.source.readAt(rootStart, bs.rootEntryCount * 32);
    return readFatDirectory(bytes, bs.fatType);
  }
  const start = firstCluster === ROOT_DIRECTORY ? bs.rootCluster : firstCluster;
  if (start === 0) {
    throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason: 'the directory entry has no first cluster' });
  }
  const chain = await readClusterChain(volume, start, {
    max: Math.ceil(MAX_DIRECTORY_BYTES / bs.bytesPerCluster),
    structure,
  });
  const bytes = await readClusters(volume, chain, chain.length * bs.bytesPerCluster);
  return readFatDirectory(bytes, bs.fatType);
}
