import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { ReadAt } from '../read-at.ts';
import { loadFatDirectory, ROOT_DIRECTORY } from './load-fat-directory.ts';
import { openFatVolume } from './open-fat-volume.ts';
import type { FatDirectoryEntry } from './read-fat-directory.ts';

/** One file or directory of a FAT volume. */
export interface FatTreeEntry {
  /** Backslash path from the root in the volume's own spelling (long names): "\EFI\debian\grubx64.efi". */
  path: string;
  /** Last component of the path. */
  name: string;
  /** The 8.3 alias ("GRUBX64.EFI"). */
  shortName: string;
  isDirectory: boolean;
  /** Bytes; 0 for directories. */
  size: number;
  firstCluster: number;
  /** DIR_Attr (read-only 0x01, hidden 0x02, system 0x04, directory 0x10, archive 0x20). */
  attributes: number;
}

/**
 * Lists every file and directory of the FAT volume at [offset, offset+length) of `source`, depth first: a
 * directory comes before its contents. The volume label, "." and ".." are left out; hidden and system
 * files are listed.
 *
 * Never hangs: every directory's first cluster may be visited once, so a directory that points to itself,
 * to an ancestor or to another directory's clusters throws BYOI_IMAGE_INVALID, as do broken cluster chains
 * and names that hold a path separator.
 *
 * @example
 * ```ts
 * const tree = await listFatTree(disk, esp.start, esp.size);
 * tree.filter((e) => !e.isDirectory).map((e) => e.path); // ["\\EFI\\BOOT\\BOOTX64.EFI", ...]
 * ```
 */
export async function listFatTree(source: ReadAt, offset: number, length: number): Promise<FatTreeEntry[]> {
  const volume = await openFatVolume(source, offset, length);
  const out: FatTreeEntry[] = [];
  const visited = new Set<number>();
  if (volume.bootSector.fatType === 32) visited.add(volume.bootSector.rootCluster);

  // Directories are walked with an explicit stack rather than recursion, so a deep tree cannot overflow it.
  const stack: { entries: FatDirectoryEntry[]; next: number; path: string }[] = [];
  stack.push({ entries: await loadFatDirectory(volume, ROOT_DIRECTORY, 'FAT root directory'), next: 0, path: '' });
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as (typeof stack)[number];
    const entry = frame.entries[frame.next];
    if (entry === undefined) {
      stack.pop();
      continue;
    }
    frame.next++;
    if (entry.isVolumeLabel || entry.shortName === '.' || entry.shortName === '..') continue;
    const path = `${frame.path}\\${checkedName(entry, frame.path)}`;
    out.push({
      path,
      name: entry.name,
      shortName: entry.shortName,
      isDirectory: entry.isDirectory,
      size: entry.isDirectory ? 0 : entry.size,
      firstCluster: entry.firstCluster,
      attributes: entry.attributes,
    });
    if (!entry.isDirectory) continue;

    const structure = `FAT directory ${path}`;
    if (visited.has(entry.firstCluster)) {
      throw new ByoiError('BYOI_IMAGE_INVALID', {
        structure,
        reason: `its first cluster ${entry.firstCluster} already belongs to another directory`,
      });
    }
    visited.add(entry.firstCluster);
    stack.push({ entries: await loadFatDirectory(volume, entry.firstCluster, structure), next: 0, path });
  }
  return out;
}

/** A name must be a single path component; FAT forbids "\" and "/" in names, so one that has them is corrupt. */
function checkedName(entry: FatDirectoryEntry, parentPath: string): string {
  if (entry.name === '' || /[\\/\0]/.test(entry.name)) {
    throw new ByoiError('BYOI_IMAGE_INVALID', {
      structure: `FAT directory ${parentPath === '' ? '\\' : parentPath}`,
      reason: `entry ${entry.index} has the name ${JSON.stringify(entry.name)}, which is not a valid file name`,
    });
  }
  return entry.name;
}
