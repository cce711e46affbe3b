import { writeU16le, writeU32le } from '../../../image/bytes.ts';
import type { FatLayout } from './choose-fat-layout.ts';

// fatgen103 "Boot Sector and BPB Structure": offsets common to FAT12, FAT16 and FAT32.
const BS_jmpBoot = 0;
const BS_OEMName = 3;
const BPB_BytsPerSec = 11;
const BPB_SecPerClus = 13;
const BPB_RsvdSecCnt = 14;
const BPB_NumFATs = 16;
const BPB_RootEntCnt = 17;
const BPB_TotSec16 = 19;
const BPB_Media = 21;
const BPB_FATSz16 = 22;
const BPB_SecPerTrk = 24;
const BPB_NumHeads = 26;
const BPB_HiddSec = 28;
const BPB_TotSec32 = 32;
// "Fat12 and Fat16 Structure Starting at Offset 36".
const BS_DrvNum_16 = 36;
const BS_BootSig_16 = 38;
const BS_VolID_16 = 39;
const BS_VolLab_16 = 43;
const BS_FilSysType_16 = 54;
// "FAT32 Structure Starting at Offset 36".
const BPB_FATSz32 = 36;
const BPB_ExtFlags = 40;
const BPB_FSVer = 42;
const BPB_RootClus = 44;
const BPB_FSInfo = 48;
const BPB_BkBootSec = 50;
const BS_DrvNum_32 = 64;
const BS_BootSig_32 = 66;
const BS_VolID_32 = 67;
const BS_VolLab_32 = 71;
const BS_FilSysType_32 = 82;
/** Offsets 510 and 511 hold 0x55 0xAA in the boot sector whatever the sector size. */
const bootSignatureOffset = 510;
// "FSInfo Sector Structure and Backup Boot Sector".
const FSI_LeadSig = 0;
const FSI_StrucSig = 484;
const FSI_Free_Count = 488;
const FSI_Nxt_Free = 492;
const FSI_TrailSig = 508;
const fsiLeadSig = 0x41615252;
const fsiStrucSig = 0x61417272;
const fsiTrailSig = 0xaa550000;

/** BPB_Media: 0xF8 is the standard value for non-removable media. */
export const mediaDescriptor = 0xf8;
/** Sector of the FSInfo structure and of the backup boot sector (FAT32), as fatgen103 recommends. */
const fsInfoSector = 1;
const backupBootSector = 6;
/** BS_DrvNum: 0x80 for a hard disk. BS_BootSig 0x29 says BS_VolID, BS_VolLab and BS_FilSysType are present. */
const driveNumber = 0x80;
const extendedBootSignature = 0x29;
/** CHS geometry is meaningless for a partition on a modern disk; these are the usual LBA-translation values. */
const sectorsPerTrack = 63;
const numberOfHeads = 255;
/** The cluster of the FAT32 root directory (BPB_RootClus). */
export const fat32RootCluster = 2;
/**
 * Boot code at the jump target: INT 18h (BIOS "boot failed, try the next device") then a tight loop, so firmware
 * that tries to boot this volume moves on instead of running zeros.
 */
const notBootableCode = [0xcd, 0x18, 0xeb, 0xfe];

export interface ReservedRegionOptions {
  /** Volume label, 11 bytes, space-padded (BS_VolLab). */
  label11: Uint8Array;
  volumeId: number;
  /** BPB_HiddSec: sectors before the partition on the disk. */
  hiddenSectors: number;
  /** FAT32 FSInfo: FSI_Free_Count and FSI_Nxt_Free. */
  freeClusters: number;
  nextFreeCluster: number;
}

/**
 * Encodes the reserved region: the boot sector with its BPB, and for FAT32 the FSInfo sector and the backup
 * boot sector and FSInfo at sectors 6 and 7. Returns BPB_RsvdSecCnt sectors.
 */
export function encodeReservedRegion(layout: FatLayout, options: ReservedRegionOptions): Uint8Array {
  const sectorSize = layout.bytesPerSector;
  const region = new Uint8Array(layout.reservedSectors * sectorSize);
  const boot = region.subarray(0, sectorSize);
  const isFat32 = layout.fatType === 32;

  const jumpTarget = isFat32 ? 0x5a : 0x3e;
  boot[BS_jmpBoot] = 0xeb;
  boot[BS_jmpBoot + 1] = jumpTarget - 2;
  boot[BS_jmpBoot + 2] = 0x90;
  boot.set(notBootableCode, jumpTarget);
  // fatgen103 recommends "MSWIN4.1" as the most compatible OEM name.
  writeAscii(boot, BS_OEMName, 'MSWIN4.1');
  writeU16le(boot, BPB_BytsPerSec, sectorSize);
  boot[BPB_SecPerClus] = layout.sectorsPerCluster;
  writeU16le(boot, BPB_RsvdSecCnt, layout.reservedSectors);
  boot[BPB_NumFATs] = layout.numFats;
  writeU16le(boot, BPB_RootEntCnt, layout.rootEntryCount);
  // BPB_TotSec16 is used when the count fits 16 bits, except on FAT32 where it must be 0.
  if (!isFat32 && layout.totalSectors < 0x10000) writeU16le(boot, BPB_TotSec16, layout.totalSectors);
  else writeU32le(boot, BPB_TotSec32, layout.totalSectors);
  boot[BPB_Media] = mediaDescriptor;
  writeU16le(boot, BPB_FATSz16, isFat32 ? 0 : layout.fatSizeSectors);
  writeU16le(boot, BPB_SecPerTrk, sectorsPerTrack);
  writeU16le(boot, BPB_NumHeads, numberOfHeads);
  writeU32le(boot, BPB_HiddSec, options.hiddenSectors);

  if (isFat32) {
    writeU32le(boot, BPB_FATSz32, layout.fatSizeSectors);
    writeU16le(boot, BPB_ExtFlags, 0); // FAT mirrored at runtime into all FATs
    writeU16le(boot, BPB_FSVer, 0);
    writeU32le(boot, BPB_RootClus, fat32RootCluster);
    writeU16le(boot, BPB_FSInfo, fsInfoSector);
    writeU16le(boot, BPB_BkBootSec, backupBootSector);
    boot[BS_DrvNum_32] = driveNumber;
    boot[BS_BootSig_32] = extendedBootSignature;
    writeU32le(boot, BS_VolID_32, options.volumeId);
    boot.set(options.label11, BS_VolLab_32);
    writeAscii(boot, BS_FilSysType_32, 'FAT32   ');
  } else {
    boot[BS_DrvNum_16] = driveNumber;
    boot[BS_BootSig_16] = extendedBootSignature;
    writeU32le(boot, BS_VolID_16, options.volumeId);
    boot.set(options.label11, BS_VolLab_16);
    writeAscii(boot, BS_FilSysType_16, layout.fatType === 12 ? 'FAT12   ' : 'FAT16   ');
  }
  boot[bootSignatureOffset] = 0x55;
  boot[bootSignatureOffset + 1] = 0xaa;

  if (isFat32) {
    const fsInfo = region.subarray(fsInfoSector * sectorSize, (fsInfoSector + 1) * sectorSize);
    writeU32le(fsInfo, FSI_LeadSig, fsiLeadSig);
    writeU32le(fsInfo, FSI_StrucSig, fsiStrucSig);
    writeU32le(fsInfo, FSI_Free_Count, options.freeClusters);
    writeU32le(fsInfo, FSI_Nxt_Free, options.nextFreeCluster);
    writeU32le(fsInfo, FSI_TrailSig, fsiTrailSig);
    // The backup boot sector is followed by a backup FSInfo, as mkfs.fat and Windows write them.
    region.copyWithin(backupBootSector * sectorSize, 0, (fsInfoSector + 1) * sectorSize);
  }
  return region;
}

function writeAscii(bytes: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
}
