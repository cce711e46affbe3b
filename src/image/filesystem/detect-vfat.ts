import type { FilesystemInfo } from '../inspect-result.ts';
import { bytesEqual, isAllZero, u16le, u32le, u8 } from '../bytes.ts';
import { decodeCp437 } from '../fat/decode-cp437.ts';
import { trimLabel } from './_blkid-format.ts';
import { readProbeBytes, type ProbeRegion } from './probe-region.ts';

// Boot-sector fields (src/image/fat/FORMAT.md "Boot sector").
const BPB_BytsPerSec = 11;
const BPB_SecPerClus = 13;
const BPB_RsvdSecCnt = 14;
const BPB_NumFATs = 16;
const BPB_RootEntCnt = 17;
const BPB_TotSec16 = 19;
const BPB_Media = 21;
const BPB_FATSz16 = 22;
const BPB_TotSec32 = 32;
const BPB_FATSz32 = 36;
const BPB_RootClus = 44;
const BPB_FSInfo = 48;
const BS_VolID_16 = 39;
const BS_VolLab_16 = 43;
const BS_FilSysType_16 = 54;
const BS_VolID_32 = 67;
const BS_VolLab_32 = 71;
const BS_FilSysType_32 = 82;
const Signature_word = 510;
// FSInfo sector signatures (FORMAT.md "FSInfo").
const FSI_LeadSig = 0;
const FSI_StrucSig = 484;

/** blkid's cluster-count ceilings for each FAT width. */
const FAT12_MAX = 0xff4;
const FAT16_MAX = 0xfff4;
const FAT32_MAX = 0x0ffffff6;
/** blkid follows at most this many clusters of a FAT32 root directory when it looks for the label. */
const MAX_ROOT_CLUSTERS = 99;
const NO_NAME = 'NO NAME    ';

const text = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
/** blkid's vfat magics: one of these strings in BS_FilSysType (FAT12/16 or FAT32 position) is a strong sign. */
const STRONG_MAGICS: { at: number; bytes: number[] }[] = [
  { at: BS_FilSysType_32, bytes: text('MSWIN') },
  { at: BS_FilSysType_32, bytes: text('FAT32   ') },
  { at: BS_FilSysType_16, bytes: text('MSDOS') },
  { at: BS_FilSysType_16, bytes: text('FAT16   ') },
  { at: BS_FilSysType_16, bytes: text('FAT12   ') },
  { at: BS_FilSysType_16, bytes: text('FAT     ') },
];

/**
 * Detects a FAT filesystem the way blkid does, so TYPE, LABEL and UUID match `blkid -p`:
 * - a magic string, or else a jump (0xEB/0xE9) or the 0x55AA signature plus extra checks;
 * - BPB sanity (FATs, reserved sectors, media, power-of-two sizes) and a cluster count that fits the layout;
 * - LABEL from the root directory's volume-label entry, else from BS_VolLab, never "NO NAME";
 * - UUID from BS_VolID as "XXXX-XXXX".
 *
 * Unlike the FAT reader it is lenient: a broken root directory only means the label comes from the boot
 * sector, as in blkid.
 */
export async function detectVfat(region: ProbeRegion): Promise<FilesystemInfo | null> {
  const bs = await readProbeBytes(region, 0, 512);
  if (bs === null) return null;

  const strong = STRONG_MAGICS.some((m) => bytesEqual(bs, m.at, m.bytes));
  const jump = u8(bs, 0) === 0xeb || u8(bs, 0) === 0xe9;
  const signature = u8(bs, Signature_word) === 0x55 && u8(bs, Signature_word + 1) === 0xaa;
  if (!strong && !jump && !signature) return null;
  if (!strong) {
    // Weak magic: blkid also wants the signature, and rules out OS/2's FAT-like headers on JFS and HPFS.
    if (!signature) return null;
    if (bytesEqual(bs, BS_FilSysType_16, text('JFS     ')) || bytesEqual(bs, BS_FilSysType_16, text('HPFS    '))) return null;
  }

  const numFats = u8(bs, BPB_NumFATs);
  const reserved = u16le(bs, BPB_RsvdSecCnt);
  const media = u8(bs, BPB_Media);
  const sectorsPerCluster = u8(bs, BPB_SecPerClus);
  const sectorSize = u16le(bs, BPB_BytsPerSec);
  if (numFats === 0 || reserved === 0) return null;
  if (!(media >= 0xf8 || media === 0xf0)) return null;
  if (!isPowerOfTwo(sectorsPerCluster)) return null;
  if (!isPowerOfTwo(sectorSize) || sectorSize < 512 || sectorSize > 4096) return null;

  const rootEntries = u16le(bs, BPB_RootEntCnt);
  const totSec16 = u16le(bs, BPB_TotSec16);
  const sectors = totSec16 !== 0 ? totSec16 : u32le(bs, BPB_TotSec32);
  const fatLength16 = u16le(bs, BPB_FATSz16);
  const fatLength32 = u32le(bs, BPB_FATSz32);
  const fatLength = fatLength16 !== 0 ? fatLength16 : fatLength32;
  const fatSectors = fatLength * numFats;
  const rootSectors = Math.ceil((rootEntries * 32) / sectorSize);
  const metadata = reserved + fatSectors + rootSectors;
  if (sectors < metadata) return null;
  const clusterCount = Math.floor((sectors - metadata) / sectorsPerCluster);
  let maxCount: number;
  if (fatLength16 === 0 && fatLength32 !== 0) maxCount = FAT32_MAX;
  else maxCount = clusterCount > FAT12_MAX ? FAT16_MAX : FAT12_MAX;
  if (clusterCount > maxCount) return null;

  let rootLabel: string | null = null;
  let bootLabel: Uint8Array;
  let serial: Uint8Array | null = null;
  if (fatLength16 !== 0) {
    const rootStart = (reserved + fatSectors) * sectorSize;
    rootLabel = await searchLabel(region, rootStart, rootEntries);
    bootLabel = bs.subarray(BS_VolLab_16, BS_VolLab_16 + 11);
    serial = bs.subarray(BS_VolID_16, BS_VolID_16 + 4);
  } else if (fatLength32 !== 0) {
    const clusterBytes = sectorsPerCluster * sectorSize;
    const fatEntries = Math.floor((fatLength32 * sectorSize) / 4);
    let next = u32le(bs, BPB_RootClus);
    for (let loop = 0; loop < MAX_ROOT_CLUSTERS && next >= 2 && next < fatEntries; loop++) {
      const clusterStart = (reserved + fatSectors + (next - 2) * sectorsPerCluster) * sectorSize;
      rootLabel = await searchLabel(region, clusterStart, clusterBytes / 32);
      if (rootLabel !== null) break;
      const entry = await readProbeBytes(region, reserved * sectorSize + next * 4, 4);
      if (entry === null) break;
      next = u32le(entry, 0) & 0x0fffffff;
    }
    bootLabel = bs.subarray(BS_VolLab_32, BS_VolLab_32 + 11);
    serial = bs.subarray(BS_VolID_32, BS_VolID_32 + 4);

    // blkid refuses a FAT32 volume whose FSInfo sector has foreign signatures (zeros are tolerated).
    const fsInfoSector = u16le(bs, BPB_FSInfo);
    if (fsInfoSector !== 0) {
      const fsInfo = await readProbeBytes(region, fsInfoSector * sectorSize, 512);
      if (fsInfo === null) return null;
      const lead = fsInfo.subarray(FSI_LeadSig, FSI_LeadSig + 4);
      const struc = fsInfo.subarray(FSI_StrucSig, FSI_StrucSig + 4);
      const leadOk = bytesEqual(lead, 0, text('RRaA')) || bytesEqual(lead, 0, text('RRdA')) || isAllZero(lead);
      const strucOk = bytesEqual(struc, 0, text('rrAa')) || isAllZero(struc);
      if (!leadOk || !strucOk) return null;
    }
  } else {
    return { type: 'vfat', label: null, uuid: null };
  }

  let label: string | null = null;
  if (rootLabel !== null && rootLabel !== NO_NAME) label = rootLabel;
  else {
    const fromBoot = decodeCp437(bootLabel);
    if (fromBoot !== NO_NAME) label = fromBoot;
  }
  return { type: 'vfat', label: label === null ? null : trimLabel(label.replace(/\0.*$/s, '')), uuid: formatSerial(serial) };
}

/**
 * blkid's search_fat_label(): the first entry that is not free, not a long-name part, has no cluster and
 * has ATTR_VOLUME_ID without ATTR_DIRECTORY. Returns its 11 name bytes decoded, or null.
 */
async function searchLabel(region: ProbeRegion, start: number, entries: number): Promise<string | null> {
  const bytes = await readProbeBytes(region, start, entries * 32);
  if (bytes === null) return null;
  for (let i = 0; i < entries; i++) {
    const at = i * 32;
    const first = u8(bytes, at);
    if (first === 0x00) break;
    const attributes = u8(bytes, at + 11);
    const cluster = u16le(bytes, at + 20) | u16le(bytes, at + 26);
    if (first === 0xe5 || cluster !== 0 || (attributes & 0x3f) === 0x0f) continue;
    if ((attributes & 0x18) === 0x08) return decodeCp437(bytes.subarray(at, at + 11));
  }
  return null;
}

function formatSerial(serial: Uint8Array): string | null {
  if (isAllZero(serial)) return null;
  const hex = (i: number): string => (serial[i] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return `${hex(3)}${hex(2)}-${hex(1)}${hex(0)}`;
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}
