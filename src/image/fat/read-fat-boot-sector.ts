import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { u16le, u32le, u8 } from '../bytes.ts';
import { decodeCp437 } from './decode-cp437.ts';

// Field offsets in the boot sector, as FORMAT.md "Boot sector" names them (Microsoft's FAT specification).
const BS_jmpBoot = 0;
const BPB_BytsPerSec = 11;
const BPB_SecPerClus = 13;
const BPB_RsvdSecCnt = 14;
const BPB_NumFATs = 16;
const BPB_RootEntCnt = 17;
const BPB_TotSec16 = 19;
const BPB_Media = 21;
const BPB_FATSz16 = 22;
const BPB_TotSec32 = 32;
// FAT12/16 extended fields.
const BS_BootSig_16 = 38;
const BS_VolID_16 = 39;
const BS_VolLab_16 = 43;
// FAT32 extended fields.
const BPB_FATSz32 = 36;
const BPB_ExtFlags = 40;
const BPB_FSVer = 42;
const BPB_RootClus = 44;
const BS_BootSig_32 = 66;
const BS_VolID_32 = 67;
const BS_VolLab_32 = 71;
const Signature_word = 510;

const BOOT_SECTOR_BYTES = 512;
const DIR_ENTRY_BYTES = 32;
/** FORMAT.md "FAT type": fewer clusters than this is FAT12, then FAT16 up to FAT16_LIMIT. */
const FAT12_LIMIT = 4085;
const FAT16_LIMIT = 65525;
/** FAT32 cluster numbers are 28 bits; 0x0FFFFFF7 is the bad-cluster mark, so the last data cluster is 0x0FFFFFF6. */
const FAT32_MAX_CLUSTERS = 0x0ffffff5;
/** byoi's limit (FORMAT.md note 1): Windows and Linux never make clusters larger than 64 KiB. */
const MAX_CLUSTER_BYTES = 64 * 1024;
/** BS_BootSig value saying BS_VolID, BS_VolLab and BS_FilSysType are present. */
const EXTENDED_BOOT_SIGNATURE = 0x29;

const STRUCTURE = 'FAT boot sector';

/** The boot sector's facts that a reader needs, with the derived layout (all counts are numbers, sizes in bytes). */
export interface FatBootSector {
  /** Decided from the cluster count (FORMAT.md "FAT type"), never from BS_FilSysType. */
  fatType: 12 | 16 | 32;
  bytesPerSector: number;
  sectorsPerCluster: number;
  bytesPerCluster: number;
  reservedSectorCount: number;
  numFats: number;
  /** Entries in the fixed root directory (FAT12/16); 0 on FAT32. */
  rootEntryCount: number;
  totalSectors: number;
  /** Sectors in one FAT. */
  fatSizeSectors: number;
  /** Which FAT copy to read: 0 unless FAT32 mirroring is off (BPB_ExtFlags bit 7). */
  activeFat: number;
  /** First cluster of the root directory on FAT32; 0 on FAT12/16. */
  rootCluster: number;
  /** Sectors of the fixed root directory region (0 on FAT32). */
  rootDirSectors: number;
  /** First sector of cluster 2, from the start of the volume. */
  firstDataSector: number;
  /** Number of data clusters; valid cluster numbers are 2 .. clusterCount + 1. */
  clusterCount: number;
  /** BS_VolID when BS_BootSig is 0x29, else null. */
  volumeId: number | null;
  /** BS_VolLab without its space padding when BS_BootSig is 0x29 and it is not "NO NAME", else null. */
  volumeLabel: string | null;
}

function invalid(reason: string): ByoiError {
  return new ByoiError('BYOI_IMAGE_INVALID', { structure: STRUCTURE, reason });
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}

/**
 * Reads and validates the boot sector of the FAT volume at [offset, offset+length) of `source`.
 *
 * Every check of FORMAT.md "Boot sector" runs before any field is trusted; the first that fails throws
 * BYOI_IMAGE_INVALID naming the field. The whole volume must lie inside the image (else BYOI_IMAGE_TRUNCATED).
 *
 * @example
 * ```ts
 * const bs = await readFatBootSector(bufferReadAt(bytes), 0, bytes.length);
 * bs.fatType; // 12, 16 or 32
 * ```
 */
export async function readFatBootSector(source: ReadAt, offset: number, length: number): Promise<FatBootSector> {
  checkRange(source.size, offset, length, 'FAT volume');
  if (length < BOOT_SECTOR_BYTES) throw invalid(`the volume is ${length} bytes, smaller than one sector`);
  const bs = await source.readAt(offset, BOOT_SECTOR_BYTES);

  const jump = u8(bs, BS_jmpBoot);
  if (jump !== 0xeb && jump !== 0xe9) throw invalid(`BS_jmpBoot starts with 0x${hex2(jump)}, not a jump (0xEB or 0xE9)`);
  if (u8(bs, Signature_word) !== 0x55 || u8(bs, Signature_word + 1) !== 0xaa) {
    throw invalid('the signature word at byte 510 is not 0x55 0xAA');
  }

  const bytesPerSector = u16le(bs, BPB_BytsPerSec);
  if (bytesPerSector !== 512 && bytesPerSector !== 1024 && bytesPerSector !== 2048 && bytesPerSector !== 4096) {
    throw invalid(`BPB_BytsPerSec ${bytesPerSector} is not 512, 1024, 2048 or 4096`);
  }
  const sectorsPerCluster = u8(bs, BPB_SecPerClus);
  if (!isPowerOfTwo(sectorsPerCluster)) throw invalid(`BPB_SecPerClus ${sectorsPerCluster} is not a power of two`);
  const bytesPerCluster = bytesPerSector * sectorsPerCluster;
  if (bytesPerCluster > MAX_CLUSTER_BYTES) throw invalid(`clusters of ${bytesPerCluster} bytes are larger than 64 KiB`);
  const reservedSectorCount = u16le(bs, BPB_RsvdSecCnt);
  if (reservedSectorCount === 0) throw invalid('BPB_RsvdSecCnt is 0');
  const numFats = u8(bs, BPB_NumFATs);
  if (numFats === 0) throw invalid('BPB_NumFATs is 0');
  const media = u8(bs, BPB_Media);
  if (media !== 0xf0 && media < 0xf8) throw invalid(`BPB_Media 0x${hex2(media)} is not 0xF0 or 0xF8-0xFF`);

  const rootEntryCount = u16le(bs, BPB_RootEntCnt);
  const totSec16 = u16le(bs, BPB_TotSec16);
  const totalSectors = totSec16 !== 0 ? totSec16 : u32le(bs, BPB_TotSec32);
  if (totalSectors === 0) throw invalid('BPB_TotSec16 and BPB_TotSec32 are both 0');
  const fatSz16 = u16le(bs, BPB_FATSz16);
  // FORMAT.md "FAT type": BPB_FATSz16 = 0 is the FAT32 layout (BPB_FATSz32, BPB_RootClus ... follow BPB_TotSec32).
  const fat32Layout = fatSz16 === 0;
  const fatSizeSectors = fat32Layout ? u32le(bs, BPB_FATSz32) : fatSz16;
  if (fatSizeSectors === 0) throw invalid('BPB_FATSz16 and BPB_FATSz32 are both 0');

  if (totalSectors * bytesPerSector > length) {
    throw invalid(`the volume claims ${totalSectors * bytesPerSector} bytes but its partition has ${length}`);
  }

  let rootCluster = 0;
  let activeFat = 0;
  if (fat32Layout) {
    if (rootEntryCount !== 0) throw invalid(`BPB_RootEntCnt is ${rootEntryCount} in a FAT32 layout, not 0`);
    const fsVer = u16le(bs, BPB_FSVer);
    if (fsVer !== 0) throw invalid(`BPB_FSVer 0x${fsVer.toString(16)} is not 0.0`);
    const extFlags = u16le(bs, BPB_ExtFlags);
    if ((extFlags & 0x80) !== 0) activeFat = extFlags & 0x0f;
    if (activeFat >= numFats) throw invalid(`BPB_ExtFlags names FAT ${activeFat} but there are ${numFats}`);
    rootCluster = u32le(bs, BPB_RootClus);
  }

  const rootDirSectors = Math.ceil((rootEntryCount * DIR_ENTRY_BYTES) / bytesPerSector);
  const firstDataSector = reservedSectorCount + numFats * fatSizeSectors + rootDirSectors;
  if (firstDataSector >= totalSectors) {
    throw invalid(`the reserved sectors, FATs and root directory (${firstDataSector} sectors) fill the whole volume`);
  }
  const clusterCount = Math.floor((totalSectors - firstDataSector) / sectorsPerCluster);
  if (clusterCount === 0) throw invalid('the data region holds no whole cluster');

  let fatType: 12 | 16 | 32;
  if (fat32Layout) {
    if (clusterCount > FAT32_MAX_CLUSTERS) throw invalid(`${clusterCount} clusters are more than FAT32 can address`);
    fatType = 32;
    if (rootCluster < 2 || rootCluster > clusterCount + 1) {
      throw invalid(`BPB_RootClus ${rootCluster} is outside clusters 2..${clusterCount + 1}`);
    }
  } else if (clusterCount < FAT12_LIMIT) {
    fatType = 12;
  } else if (clusterCount < FAT16_LIMIT) {
    fatType = 16;
  } else {
    throw invalid(`${clusterCount} clusters need FAT32, but the boot sector has the FAT12/16 layout`);
  }

  const fatBytesNeeded = fatTableBytes(fatType, clusterCount);
  if (fatSizeSectors * bytesPerSector < fatBytesNeeded) {
    throw invalid(`a FAT of ${fatSizeSectors} sectors cannot hold ${clusterCount + 2} FAT${fatType} entries`);
  }

  const bootSig = u8(bs, fat32Layout ? BS_BootSig_32 : BS_BootSig_16);
  let volumeId: number | null = null;
  let volumeLabel: string | null = null;
  if (bootSig === EXTENDED_BOOT_SIGNATURE) {
    volumeId = u32le(bs, fat32Layout ? BS_VolID_32 : BS_VolID_16);
    const labelOffset = fat32Layout ? BS_VolLab_32 : BS_VolLab_16;
    const label = decodeCp437(bs.subarray(labelOffset, labelOffset + 11)).replace(/[ \0]+$/, '');
    volumeLabel = label === '' || label === 'NO NAME' ? null : label;
  }
  return {
    fatType,
    bytesPerSector,
    sectorsPerCluster,
    bytesPerCluster,
    reservedSectorCount,
    numFats,
    rootEntryCount,
    totalSectors,
    fatSizeSectors,
    activeFat,
    rootCluster,
    rootDirSectors,
    firstDataSector,
    clusterCount,
    volumeId,
    volumeLabel,
  };
}

/** Bytes of FAT that hold the entries of clusters 0 .. clusterCount + 1. */
export function fatTableBytes(fatType: 12 | 16 | 32, clusterCount: number): number {
  const entries = clusterCount + 2;
  if (fatType === 12) return Math.ceil((entries * 3) / 2);
  return entries * (fatType === 16 ? 2 : 4);
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0').toUpperCase();
}
