import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { ReadAt } from '../read-at.ts';
import { fatUpperCase } from './fat-upper-case.ts';
import { loadFatDirectory, ROOT_DIRECTORY } from './load-fat-directory.ts';
import { openFatVolume, type FatVolume } from './open-fat-volume.ts';
import { readClusterChain } from './read-cluster-chain.ts';
import { readClusters } from './read-clusters.ts';
import type { FatDirectoryEntry } from './read-fat-directory.ts';

/**
 * Reads a whole file of the FAT volume at [offset, offset+length) of `source`.
 *
 * `path` uses "\" or "/" between components ("\EFI\debian\grub.cfg", "EFI/debian/grub.cfg"); each component
 * matches a long name or a short name without regard to case, as FAT does. Returns null when no file has
 * that path (or it names a directory). A file whose size exceeds the data region, or whose cluster chain is
 * broken or shorter than its size, throws BYOI_IMAGE_INVALID.
 *
 * @example
 * ```ts
 * const cfg = await readFatFile(disk, esp.start, esp.size, '\\EFI\\debian\\grub.cfg');
 * ```
 */
export async function readFatFile(source: ReadAt, offset: number, length: number, path: string): Promise<Uint8Array | null> {
  const volume = await openFatVolume(source, offset, length);
  const components = path.split(/[\\/]+/).filter((part) => part !== '');
  if (components.length === 0) return null;

  let spelled = '';
  let entries = await loadFatDirectory(volume, ROOT_DIRECTORY, 'FAT root directory');
  for (let i = 0; i < components.length; i++) {
    const entry = findEntry(entries, components[i] as string);
    if (entry === null) return null;
    spelled += `\\${entry.name}`;
    const last = i === components.length - 1;
    if (last) {
      if (entry.isDirectory) return null;
      return readEntryData(volume, entry, spelled);
    }
    if (!entry.isDirectory) return null;
    entries = await loadFatDirectory(volume, entry.firstCluster, `FAT directory ${spelled}`);
  }
  return null;
}

/** The first `entry.size` bytes of the entry's cluster chain, after the checks FORMAT.md lists for files. */
async function readEntryData(volume: FatVolume, entry: FatDirectoryEntry, filePath: string): Promise<Uint8Array> {
  const bs = volume.bootSector;
  const structure = `FAT file ${filePath}`;
  if (entry.size === 0) return new Uint8Array(0);
  const dataBytes = bs.clusterCount * bs.bytesPerCluster;
  if (entry.size > dataBytes) {
    throw new ByoiError('BYOI_IMAGE_INVALID', {
      structure,
      reason: `its size ${entry.size} is larger than the volume's data region of ${dataBytes} bytes`,
    });
  }
  if (entry.firstCluster === 0) {
    throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason: `it has ${entry.size} bytes but no first cluster` });
  }
  const want = Math.ceil(entry.size / bs.bytesPerCluster);
  const chain = await readClusterChain(volume, entry.firstCluster, { want, structure });
  return readClusters(volume, chain, entry.size);
}

/** The first entry whose long or short name equals `name` without regard to case; ".", ".." and labels never match. */
function findEntry(entries: readonly FatDirectoryEntry[], name: string): FatDirectoryEntry | null {
  const wanted = fatUpperCase(name);
  for (const entry of entries) {
    if (entry.isVolumeLabel || entry.shortName === '.' || entry.shortName === '..') continue;
    if (fatUpperCase(entry.name) === wanted || fatUpperCase(entry.shortName) === wanted) return entry;
  }
  return null;
}
