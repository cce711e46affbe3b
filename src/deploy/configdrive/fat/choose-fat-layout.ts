import { configDriveError } from '../_config-drive-error.ts';

export type FatType = 12 | 16 | 32;

/** Where everything of a FAT volume lies, in sectors from its start (fatgen103 "FAT Data Structure"). */
export interface FatLayout {
  fatType: FatType;
  bytesPerSector: number;
  sectorsPerCluster: number;
  /** BPB_RsvdSecCnt: 1 for FAT12/16, 32 for FAT32. */
  reservedSectors: number;
  numFats: number;
  /** BPB_RootEntCnt: 0 for FAT32, whose root directory is a cluster chain. */
  rootEntryCount: number;
  rootDirSectors: number;
  /** BPB_FATSz16 or BPB_FATSz32. */
  fatSizeSectors: number;
  totalSectors: number;
  firstDataSector: number;
  /** CountofClusters: data clusters, numbered 2 to clusterCount + 1. */
  clusterCount: number;
}

/** fatgen103: the FAT type is decided by the cluster count alone, "less than 4085" is FAT12, "less than 65525" FAT16. */
const fat12MaxClusters = 4084;
const fat16MaxClusters = 65524;
/** FAT32 entries are 28 bits; 0x0FFFFFF7 is the bad-cluster mark, so clusters end below it. */
const fat32MaxClusters = 0x0ffffff5;
/**
 * byoi keeps this many clusters away from each boundary: Windows' fastfat reads fewer than 4087 clusters as FAT12
 * (dosfstools refuses 4085 and 4086 for that reason), and fatgen103 advises against counts near the limits.
 */
const boundaryMargin = 16;
/** Clusters above 32 KiB are not portable (fatgen103: "values that cause a cluster size greater than 32K ... are invalid"). */
const maxClusterBytes = 32 * 1024;
/** fatgen103 recommends 512 root entries on FAT16 hard disks. */
const defaultRootEntryCount = 512;
const fat12Or16ReservedSectors = 1;
const fat32ReservedSectors = 32;
const numFats = 2;

/**
 * Minimum cluster size per volume size, from fatgen103's DskTableFAT16 and DskTableFAT32 (sector counts there are
 * 512-byte sectors; here in bytes). FAT12 takes the smallest cluster that keeps it under its limit.
 */
const fat16ClusterTable: readonly (readonly [number, number])[] = [
  [16 * 1024 * 1024, 1024],
  [128 * 1024 * 1024, 2048],
  [256 * 1024 * 1024, 4096],
  [512 * 1024 * 1024, 8192],
];
const fat32ClusterTable: readonly (readonly [number, number])[] = [
  [260 * 1024 * 1024, 512],
  [8 * 1024 * 1024 * 1024, 4096],
  [16 * 1024 * 1024 * 1024, 8192],
  [32 * 1024 * 1024 * 1024, 16384],
];
/** Below 8400 sectors of 512 bytes (about 4.1 MB) fatgen103 leaves FAT16 out: FAT12. Above 512 MiB: FAT32. */
const fat12BelowBytes = 8400 * 512;
const fat32AboveBytes = 512 * 1024 * 1024;

/**
 * Chooses the FAT type and geometry for a volume of `sizeBytes` (byoi's rule, FORMAT.md "FAT type and cluster
 * size"): the type fatgen103 recommends for the size, with the smallest cluster from its tables (at least one
 * sector) that puts the cluster count inside that type's range with a margin; failing that, any other type that
 * fits. `minRootEntries` grows the FAT12/16 root directory beyond 512 entries when the files need it.
 * Throws BYOI_CONFIGDRIVE_FAILED when no FAT fits the size.
 */
export function chooseFatLayout(sizeBytes: number, bytesPerSector: number, minRootEntries: number): FatLayout {
  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) {
    throw configDriveError(`Cannot make a FAT with ${bytesPerSector}-byte sectors: it must be 512, 1024, 2048 or 4096`);
  }
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % bytesPerSector !== 0) {
    throw configDriveError(`Cannot make a FAT of ${sizeBytes} bytes: the size must be a positive multiple of ${bytesPerSector}`);
  }
  const totalSectors = sizeBytes / bytesPerSector;
  if (totalSectors > 0xffffffff) {
    throw configDriveError(`Cannot make a FAT of ${sizeBytes} bytes: BPB_TotSec32 holds at most 2^32-1 sectors`);
  }
  const preferred: FatType = sizeBytes < fat12BelowBytes ? 12 : sizeBytes <= fat32AboveBytes ? 16 : 32;
  const first = tryType(preferred, totalSectors, bytesPerSector, minRootEntries, tableClusterBytes(preferred, sizeBytes));
  if (first !== null) return first;
  for (const fatType of [12, 16, 32] as const) {
    if (fatType === preferred) continue;
    const layout = tryType(fatType, totalSectors, bytesPerSector, minRootEntries, bytesPerSector);
    if (layout !== null) return layout;
  }
  throw configDriveError(
    `Cannot make a FAT of ${sizeBytes} bytes with ${bytesPerSector}-byte sectors: no FAT12, FAT16 or FAT32 cluster count fits`,
  );
}

function tableClusterBytes(fatType: FatType, sizeBytes: number): number {
  const table = fatType === 16 ? fat16ClusterTable : fatType === 32 ? fat32ClusterTable : [];
  for (const [upTo, clusterBytes] of table) if (sizeBytes <= upTo) return clusterBytes;
  return fatType === 12 ? 512 : maxClusterBytes;
}

function tryType(fatType: FatType, totalSectors: number, bytesPerSector: number, minRootEntries: number, minClusterBytes: number): FatLayout | null {
  for (let clusterBytes = Math.max(minClusterBytes, bytesPerSector); clusterBytes <= maxClusterBytes; clusterBytes *= 2) {
    const layout = layoutFor(fatType, totalSectors, bytesPerSector, clusterBytes / bytesPerSector, minRootEntries);
    if (layout !== null && fitsType(fatType, layout.clusterCount)) return layout;
  }
  return null;
}

function fitsType(fatType: FatType, clusterCount: number): boolean {
  if (fatType === 12) return clusterCount >= 1 && clusterCount <= fat12MaxClusters - boundaryMargin;
  if (fatType === 16) return clusterCount >= fat12MaxClusters + 1 + boundaryMargin && clusterCount <= fat16MaxClusters - boundaryMargin;
  return clusterCount >= fat16MaxClusters + 1 + boundaryMargin && clusterCount <= fat32MaxClusters;
}

/** The geometry for one type and cluster size, with the smallest FAT that maps every cluster; null if nothing fits. */
function layoutFor(fatType: FatType, totalSectors: number, bytesPerSector: number, sectorsPerCluster: number, minRootEntries: number): FatLayout | null {
  const reservedSectors = fatType === 32 ? fat32ReservedSectors : fat12Or16ReservedSectors;
  const entriesPerSector = bytesPerSector / 32;
  const rootEntryCount =
    fatType === 32 ? 0 : Math.ceil(Math.max(defaultRootEntryCount, minRootEntries) / entriesPerSector) * entriesPerSector;
  if (rootEntryCount > 0xffff) return null;
  const rootDirSectors = rootEntryCount / entriesPerSector;
  // Grow the FAT until it has an entry for every cluster left after it (the cluster count shrinks as it grows).
  let fatSizeSectors = 1;
  for (;;) {
    const dataSectors = totalSectors - reservedSectors - rootDirSectors - numFats * fatSizeSectors;
    if (dataSectors < sectorsPerCluster) return null;
    const clusterCount = Math.floor(dataSectors / sectorsPerCluster);
    const fatBytes = fatType === 12 ? Math.ceil(((clusterCount + 2) * 3) / 2) : ((clusterCount + 2) * fatType) / 8;
    const needed = Math.ceil(fatBytes / bytesPerSector);
    if (needed <= fatSizeSectors) {
      return {
        fatType,
        bytesPerSector,
        sectorsPerCluster,
        reservedSectors,
        numFats,
        rootEntryCount,
        rootDirSectors,
        fatSizeSectors,
        totalSectors,
        firstDataSector: reservedSectors + numFats * fatSizeSectors + rootDirSectors,
        clusterCount,
      };
    }
    fatSizeSectors = needed;
  }
}
