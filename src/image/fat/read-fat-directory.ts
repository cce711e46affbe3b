import { u16le, u32le, u8 } from '../bytes.ts';
import { decodeCp437 } from './decode-cp437.ts';

// Directory entry fields (FORMAT.md "Directory entry").
const DIR_Name = 0;
const DIR_Attr = 11;
const DIR_NTRes = 12;
const DIR_FstClusHI = 20;
const DIR_FstClusLO = 26;
const DIR_FileSize = 28;
// Long-name entry fields (FORMAT.md "Long-name entry").
const LDIR_Ord = 0;
const LDIR_Name1 = 1;
const LDIR_Type = 12;
const LDIR_Chksum = 13;
const LDIR_Name2 = 14;
const LDIR_Name3 = 28;

const DIR_ENTRY_BYTES = 32;
const ATTR_VOLUME_ID = 0x08;
const ATTR_DIRECTORY = 0x10;
const ATTR_LONG_NAME = 0x0f;
const ATTR_LONG_NAME_MASK = 0x3f;
const LAST_LONG_ENTRY = 0x40;
/** 255 characters at 13 per entry. */
const MAX_LONG_ENTRIES = 20;
const NAME_END = 0x00;
const NAME_FREE = 0xe5;
/** A first name byte of 0x05 stands for 0xE5 (a real character in some code pages). */
const NAME_KANJI_E5 = 0x05;
/** DIR_NTRes bits: Windows NT stores an all-lower-case base name or extension as upper case plus a flag. */
const NTRES_LOWER_BASE = 0x08;
const NTRES_LOWER_EXT = 0x10;

/** One live entry of a FAT directory. */
export interface FatDirectoryEntry {
  /** The long name when a valid long-name run precedes the entry, else the short name (case bits applied). */
  name: string;
  /** The 8.3 name as Windows shows it without a long name: "GRUBX64.EFI", or "grubx64.efi" with the case bits. */
  shortName: string;
  /** The long name, or null when there is none or its checksum or sequence is wrong. */
  longName: string | null;
  /** DIR_Attr. */
  attributes: number;
  isDirectory: boolean;
  /** The volume-label entry (ATTR_VOLUME_ID without ATTR_DIRECTORY); name is the label. */
  isVolumeLabel: boolean;
  /** DIR_FstClusLO, plus DIR_FstClusHI << 16 on FAT32 (FAT12/16 use that word for other things). */
  firstCluster: number;
  /** DIR_FileSize in bytes. */
  size: number;
  /** Position of the short entry's 32-byte slot in the directory. */
  index: number;
}

interface PendingLongName {
  checksum: number;
  /** Sequence number expected on the next long entry; 0 when the run is complete. */
  expected: number;
  /** UTF-16 code units of each entry, index 0 is sequence number 1. */
  parts: Uint16Array[];
}

/**
 * Parses the bytes of a FAT directory (the fixed root region, or the clusters of a directory) into its live
 * entries, in order. Pure: any bytes parse, and odd names are returned as they are for the caller to judge.
 *
 * Free (0xE5) entries are skipped; an entry whose name starts with 0x00 ends the directory. A long name is
 * used only when its entries are complete, in descending order, and their checksum matches the short name
 * (FORMAT.md "Long names"); otherwise the short name is used, as Windows does.
 *
 * @param fatType decides whether DIR_FstClusHI is part of the cluster number (FAT32 only)
 *
 * @example
 * ```ts
 * const entries = readFatDirectory(rootBytes, 16);
 * entries.map((e) => e.name); // ["EFI", "A Long Name.txt"]
 * ```
 */
export function readFatDirectory(bytes: Uint8Array, fatType: 12 | 16 | 32): FatDirectoryEntry[] {
  const entries: FatDirectoryEntry[] = [];
  let pending: PendingLongName | null = null;
  const count = Math.floor(bytes.length / DIR_ENTRY_BYTES);

  for (let index = 0; index < count; index++) {
    const entry = bytes.subarray(index * DIR_ENTRY_BYTES, (index + 1) * DIR_ENTRY_BYTES);
    const first = u8(entry, DIR_Name);
    if (first === NAME_END) break;
    if (first === NAME_FREE) {
      pending = null;
      continue;
    }
    const attributes = u8(entry, DIR_Attr);

    if ((attributes & ATTR_LONG_NAME_MASK) === ATTR_LONG_NAME) {
      pending = addLongEntry(pending, entry);
      continue;
    }

    const shortBytes = entry.slice(DIR_Name, DIR_Name + 11);
    let longName: string | null = null;
    if (pending !== null && pending.expected === 0 && pending.checksum === shortNameChecksum(shortBytes)) {
      longName = joinLongName(pending.parts);
    }
    pending = null;

    if (first === NAME_KANJI_E5) shortBytes[0] = NAME_FREE;
    const shortName = formatShortName(shortBytes, u8(entry, DIR_NTRes));
    const isVolumeLabel = (attributes & (ATTR_VOLUME_ID | ATTR_DIRECTORY)) === ATTR_VOLUME_ID;
    const high = fatType === 32 ? u16le(entry, DIR_FstClusHI) : 0;
    entries.push({
      name: isVolumeLabel ? decodeCp437(shortBytes).replace(/ +$/, '') : (longName ?? shortName),
      shortName,
      longName: isVolumeLabel ? null : longName,
      attributes,
      isDirectory: !isVolumeLabel && (attributes & ATTR_DIRECTORY) !== 0,
      isVolumeLabel,
      firstCluster: high * 0x10000 + u16le(entry, DIR_FstClusLO),
      size: u32le(entry, DIR_FileSize),
      index,
    });
  }
  return entries;
}

/** Adds one long-name entry to the run being collected, or starts or drops a run (FORMAT.md "Long names"). */
function addLongEntry(pending: PendingLongName | null, entry: Uint8Array): PendingLongName | null {
  const ord = u8(entry, LDIR_Ord);
  const sequence = ord & 0x1f;
  const checksum = u8(entry, LDIR_Chksum);
  if (u8(entry, LDIR_Type) !== 0 || sequence === 0 || sequence > MAX_LONG_ENTRIES) return null;
  const units = longEntryUnits(entry);
  if ((ord & LAST_LONG_ENTRY) !== 0) {
    const parts: Uint16Array[] = new Array<Uint16Array>(sequence);
    parts[sequence - 1] = units;
    return { checksum, expected: sequence - 1, parts };
  }
  if (pending === null || pending.expected !== sequence || pending.checksum !== checksum) return null;
  pending.parts[sequence - 1] = units;
  pending.expected = sequence - 1;
  return pending;
}

function longEntryUnits(entry: Uint8Array): Uint16Array {
  const units = new Uint16Array(13);
  let n = 0;
  for (let i = 0; i < 5; i++) units[n++] = u16le(entry, LDIR_Name1 + i * 2);
  for (let i = 0; i < 6; i++) units[n++] = u16le(entry, LDIR_Name2 + i * 2);
  for (let i = 0; i < 2; i++) units[n++] = u16le(entry, LDIR_Name3 + i * 2);
  return units;
}

/** Joins the parts in sequence order up to the first 0x0000; null for an empty name. */
function joinLongName(parts: Uint16Array[]): string | null {
  let name = '';
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const unit = part[i] ?? 0;
      if (unit === 0x0000) return name === '' ? null : name;
      name += String.fromCharCode(unit);
    }
  }
  return name === '' ? null : name;
}

/** FORMAT.md "Long names": the checksum of the 11 short-name bytes that every long entry of the run carries. */
export function shortNameChecksum(shortName: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) {
    sum = ((sum & 1 ? 0x80 : 0) + (sum >> 1) + (shortName[i] ?? 0)) & 0xff;
  }
  return sum;
}

function formatShortName(shortBytes: Uint8Array, ntRes: number): string {
  let base = decodeCp437(shortBytes.subarray(0, 8)).replace(/ +$/, '');
  let extension = decodeCp437(shortBytes.subarray(8, 11)).replace(/ +$/, '');
  if ((ntRes & NTRES_LOWER_BASE) !== 0) base = asciiLower(base);
  if ((ntRes & NTRES_LOWER_EXT) !== 0) extension = asciiLower(extension);
  return extension === '' ? base : `${base}.${extension}`;
}

/** Windows applies the case bits to A-Z only. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
