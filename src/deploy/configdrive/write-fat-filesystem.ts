import type { ConfigDriveFile } from './config-drive-file.ts';
import type { Extent, FilesystemImage } from './filesystem-image.ts';
import { buildFileTree, type DirectoryNode } from './_file-tree.ts';
import { configDriveError } from './_config-drive-error.ts';
import { chooseFatLayout, type FatLayout } from './fat/choose-fat-layout.ts';
import { encodeReservedRegion, fat32RootCluster, mediaDescriptor } from './fat/encode-reserved-region.ts';
import { encodeFatTable, type ClusterRun } from './fat/encode-fat-table.ts';
import { makeShortName } from './fat/make-short-name.ts';
import {
  ATTR_ARCHIVE,
  ATTR_DIRECTORY,
  ATTR_VOLUME_ID,
  directoryEntryBytes,
  encodeDirectoryEntries,
  entryCountFor,
  maxLongNameLength,
} from './fat/encode-directory-entries.ts';
import { toFatDateTime, type FatDateTime } from './fat/to-fat-date-time.ts';

export interface FatFilesystemOptions {
  /** Volume label, 1 to 11 printable ASCII characters; written as given (lower case kept) to BS_VolLab and the root. */
  label: string;
  sizeBytes: number;
  /** Bytes per sector (BPB_BytsPerSec): the disk's logical sector size, 512 or 4096 (1024 and 2048 work too). */
  sectorSize: number;
  /** BS_VolID, the volume serial number blkid shows as UUID (XXXX-XXXX). */
  volumeId: number;
  /** Creation, write and access time of every entry. */
  timestamp: Date;
  /** BPB_HiddSec: sectors before the volume on its disk (the partition's first LBA); default 0. */
  hiddenSectors?: number;
}

/** A FAT volume as extents, with the geometry chosen for it. */
export interface FatFilesystem extends FilesystemImage {
  layout: FatLayout;
}

/**
 * Characters a volume label may not hold: those DIR_Name forbids (fatgen103 "Directory Structure") and the
 * period. Lower-case letters are kept: blkid reports the label byte for byte and cloud-init looks for
 * "config-2" (mkfs.fat only warns about them).
 */
const labelForbidden = '"*+,./:;<=>?[\\]|';
/** Characters no long name may hold (fatgen103 "Name Limits and Character Sets"). */
const longNameForbidden = '"*/:<>?\\|';
/** fatgen103: data clusters are numbered from 2 (FAT[0] and FAT[1] are reserved). */
const firstDataCluster = 2;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface FatFile {
  kind: 'file';
  longName: string | null;
  name11: string;
  bytes: Uint8Array;
  firstCluster: number;
  clusterCount: number;
}

interface FatDirectory {
  kind: 'directory';
  longName: string | null;
  name11: string;
  parent: FatDirectory | null;
  children: (FatFile | FatDirectory)[];
  /** 32-byte entries it holds, "." and ".." (or the volume label in the root) included. */
  entryCount: number;
  firstCluster: number;
  clusterCount: number;
}

/**
 * Builds a FAT12, FAT16 or FAT32 volume (chosen by size, FORMAT.md) holding `files`, with VFAT long names,
 * the volume label in the boot sector and in a root-directory entry, and two FATs. Files are stored in
 * consecutive clusters in the order given. Nothing is written: the result is the list of non-zero extents.
 * Throws BYOI_CONFIGDRIVE_FAILED with a detail when a name, the label or the size cannot be written, or the
 * files do not fit.
 *
 * @example
 * ```ts
 * const image = writeFatFilesystem([{ path: 'openstack/latest/meta_data.json', bytes }],
 *   { label: 'config-2', sizeBytes: 64 * 1024 * 1024, sectorSize: 512, volumeId: 0x12345678, timestamp: new Date() });
 * image.layout.fatType; // 16
 * ```
 */
export function writeFatFilesystem(files: readonly ConfigDriveFile[], options: FatFilesystemOptions): FatFilesystem {
  const label11 = checkLabel(options.label);
  if (!Number.isInteger(options.volumeId) || options.volumeId < 0 || options.volumeId > 0xffffffff) {
    throw configDriveError(`Cannot use volume id ${options.volumeId}: it must be a 32-bit unsigned integer`);
  }
  const hiddenSectors = options.hiddenSectors ?? 0;
  if (!Number.isInteger(hiddenSectors) || hiddenSectors < 0 || hiddenSectors > 0xffffffff) {
    throw configDriveError(`Cannot use ${hiddenSectors} hidden sectors: BPB_HiddSec is a 32-bit unsigned integer`);
  }
  const stamp = toFatDateTime(options.timestamp);
  const root = toFatDirectory(buildFileTree(files), null, '');
  const layout = chooseFatLayout(options.sizeBytes, options.sectorSize, root.entryCount);
  const sectorSize = layout.bytesPerSector;
  const clusterBytes = layout.sectorsPerCluster * sectorSize;

  // Allocate consecutive clusters from the first data cluster: the FAT32 root first (so it gets BPB_RootClus),
  // then each directory followed by its contents.
  const runs: ClusterRun[] = [];
  let nextCluster = firstDataCluster;
  const allocate = (byteCount: number): { firstCluster: number; clusterCount: number } => {
    const clusterCount = Math.ceil(byteCount / clusterBytes);
    if (clusterCount === 0) return { firstCluster: 0, clusterCount: 0 };
    const run = { firstCluster: nextCluster, clusterCount };
    nextCluster += clusterCount;
    runs.push(run);
    return run;
  };
  const allocateTree = (directory: FatDirectory): void => {
    if (directory.parent !== null || layout.fatType === 32) {
      const run = allocate(directory.entryCount * directoryEntryBytes);
      directory.firstCluster = run.firstCluster;
      directory.clusterCount = run.clusterCount;
    }
    for (const child of directory.children) {
      if (child.kind === 'directory') {
        allocateTree(child);
        continue;
      }
      const run = allocate(child.bytes.length);
      child.firstCluster = run.firstCluster;
      child.clusterCount = run.clusterCount;
    }
  };
  allocateTree(root);
  const usedClusters = nextCluster - firstDataCluster;
  if (layout.fatType === 32 && root.firstCluster !== fat32RootCluster) {
    throw new Error(`FAT32 root allocated at cluster ${root.firstCluster}, not BPB_RootClus ${fat32RootCluster}`);
  }
  if (usedClusters > layout.clusterCount) {
    throw configDriveError(
      `Cannot fit the files in ${options.sizeBytes} bytes: they need ${usedClusters} clusters of ${clusterBytes} bytes, the FAT${layout.fatType} volume has ${layout.clusterCount}`,
    );
  }
  if (layout.fatType !== 32 && root.entryCount > layout.rootEntryCount) {
    throw configDriveError(`Cannot fit ${root.entryCount} entries in the root directory: it holds ${layout.rootEntryCount}`);
  }

  const extents: Extent[] = [];
  // fatgen103: FirstSectorofCluster = ((N - 2) * BPB_SecPerClus) + FirstDataSector.
  const dataOffset = (cluster: number): number =>
    (layout.firstDataSector + (cluster - 2) * layout.sectorsPerCluster) * sectorSize;
  const freeClusters = layout.clusterCount - usedClusters;
  extents.push({
    offset: 0,
    bytes: encodeReservedRegion(layout, {
      label11,
      volumeId: options.volumeId,
      hiddenSectors,
      freeClusters,
      // FSI_Nxt_Free: 0xFFFFFFFF means "no hint" (the volume is full).
      nextFreeCluster: freeClusters === 0 ? 0xffffffff : nextCluster,
    }),
  });
  const fat = encodeFatTable(layout.fatType, mediaDescriptor, runs, sectorSize);
  for (let copy = 0; copy < layout.numFats; copy++) {
    extents.push({ offset: (layout.reservedSectors + copy * layout.fatSizeSectors) * sectorSize, bytes: fat });
  }
  const encodeTree = (directory: FatDirectory): void => {
    const bytes =
      directory.parent === null && layout.fatType !== 32
        ? new Uint8Array(layout.rootDirSectors * sectorSize)
        : new Uint8Array(directory.clusterCount * clusterBytes);
    encodeDirectory(bytes, directory, label11, stamp);
    const offset =
      directory.parent === null && layout.fatType !== 32
        ? (layout.reservedSectors + layout.numFats * layout.fatSizeSectors) * sectorSize
        : dataOffset(directory.firstCluster);
    extents.push({ offset, bytes });
    for (const child of directory.children) {
      if (child.kind === 'directory') encodeTree(child);
      else if (child.clusterCount > 0) extents.push({ offset: dataOffset(child.firstCluster), bytes: child.bytes });
    }
  };
  encodeTree(root);
  extents.sort((a, b) => a.offset - b.offset);
  return { sizeBytes: options.sizeBytes, extents, layout };
}

/** Writes a directory's entries: the label (root) or "." and ".." (others), then each child's long and short entries. */
function encodeDirectory(bytes: Uint8Array, directory: FatDirectory, label11: Uint8Array, stamp: FatDateTime): void {
  let at = 0;
  if (directory.parent === null) {
    const name11 = String.fromCharCode(...label11);
    at = encodeDirectoryEntries(bytes, at, null, { name11, attributes: ATTR_VOLUME_ID, firstCluster: 0, fileSize: 0, stamp });
  } else {
    // fatgen103: ".." of a directory whose parent is the root points at cluster 0, on FAT32 too.
    const parentCluster = directory.parent.parent === null ? 0 : directory.parent.firstCluster;
    const dot = { name11: '.'.padEnd(11), attributes: ATTR_DIRECTORY, firstCluster: directory.firstCluster, fileSize: 0, stamp };
    at = encodeDirectoryEntries(bytes, at, null, dot);
    at = encodeDirectoryEntries(bytes, at, null, { ...dot, name11: '..'.padEnd(11), firstCluster: parentCluster });
  }
  for (const child of directory.children) {
    const isFile = child.kind === 'file';
    at = encodeDirectoryEntries(bytes, at, child.longName, {
      name11: child.name11,
      attributes: isFile ? ATTR_ARCHIVE : ATTR_DIRECTORY,
      firstCluster: child.firstCluster,
      fileSize: isFile ? child.bytes.length : 0,
      stamp,
    });
  }
}

/** Converts a tree directory: checks names, makes unique short names in order, counts entries. */
function toFatDirectory(node: DirectoryNode, parent: FatDirectory | null, path: string): FatDirectory {
  const directory: FatDirectory = {
    kind: 'directory',
    longName: null,
    name11: '',
    parent,
    children: [],
    // The root holds the volume label entry; other directories "." and "..".
    entryCount: parent === null ? 1 : 2,
    firstCluster: 0,
    clusterCount: 0,
  };
  const taken = new Set<string>();
  const foldedNames = new Set<string>();
  for (const child of node.children) {
    const childPath = path === '' ? child.name : `${path}/${child.name}`;
    checkLongName(child.name, childPath);
    // FAT looks names up without regard to case: two names that differ only in case cannot both exist.
    const folded = child.name.toUpperCase();
    if (foldedNames.has(folded)) {
      throw configDriveError(`Cannot store "${childPath}" on FAT: another name in its directory differs only in case`);
    }
    foldedNames.add(folded);
    const short = makeShortName(child.name, taken);
    const longName = short.needsLongName ? child.name : null;
    directory.entryCount += entryCountFor(child.name, short.needsLongName);
    if (child.kind === 'file') {
      if (child.bytes.length > 0xffffffff) {
        throw configDriveError(`Cannot store "${childPath}" on FAT: ${child.bytes.length} bytes is over the 4 GiB - 1 limit of DIR_FileSize`);
      }
      directory.children.push({ kind: 'file', longName, name11: short.name11, bytes: child.bytes, firstCluster: 0, clusterCount: 0 });
    } else {
      const sub = toFatDirectory(child, directory, childPath);
      sub.longName = longName;
      sub.name11 = short.name11;
      directory.children.push(sub);
    }
  }
  return directory;
}

function checkLongName(name: string, path: string): void {
  if (name.length > maxLongNameLength) {
    throw configDriveError(`Cannot store "${path}" on FAT: the name has ${name.length} UTF-16 units, the limit is ${maxLongNameLength}`);
  }
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || longNameForbidden.includes(char)) {
      throw configDriveError(`Cannot store "${path}" on FAT: the name holds ${JSON.stringify(char)}, which FAT names cannot`);
    }
  }
  if (loneSurrogate.test(name)) {
    throw configDriveError(`Cannot store "${path}" on FAT: the name is not valid UTF-16 (lone surrogate)`);
  }
  // Windows and Linux strip trailing periods and spaces from long names, so such a name would not read back.
  if (/^ |[. ]$/.test(name)) {
    throw configDriveError(`Cannot store "${path}" on FAT: the name starts with a space or ends with a space or a period`);
  }
}

function checkLabel(label: string): Uint8Array {
  if (label.length < 1 || label.length > 11 || label.startsWith(' ')) {
    throw configDriveError(`Cannot use volume label "${label}": it must have 1 to 11 characters and not start with a space`);
  }
  const bytes = new Uint8Array(11).fill(0x20);
  for (let i = 0; i < label.length; i++) {
    const code = label.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || labelForbidden.includes(label[i] as string)) {
      throw configDriveError(`Cannot use volume label "${label}": ${JSON.stringify(label[i])} is not allowed in a FAT label`);
    }
    bytes[i] = code;
  }
  return bytes;
}
