import { writeU16le, writeU32le } from '../../../image/bytes.ts';
import type { FatDateTime } from './to-fat-date-time.ts';

/** Bytes per directory entry, short or long. */
export const directoryEntryBytes = 32;

// fatgen103 "FAT 32 Byte Directory Entry Structure".
const DIR_Name = 0;
const DIR_Attr = 11;
const DIR_NTRes = 12;
const DIR_CrtTimeTenth = 13;
const DIR_CrtTime = 14;
const DIR_CrtDate = 16;
const DIR_LstAccDate = 18;
const DIR_FstClusHI = 20;
const DIR_WrtTime = 22;
const DIR_WrtDate = 24;
const DIR_FstClusLO = 26;
const DIR_FileSize = 28;
// fatgen103 "FAT Long Directory Entries".
const LDIR_Ord = 0;
const LDIR_Name1 = 1;
const LDIR_Attr = 11;
const LDIR_Type = 12;
const LDIR_Chksum = 13;
const LDIR_Name2 = 14;
const LDIR_FstClusLO = 26;
const LDIR_Name3 = 28;

/** DIR_Attr bits. ATTR_LONG_NAME is READ_ONLY | HIDDEN | SYSTEM | VOLUME_ID. */
export const ATTR_VOLUME_ID = 0x08;
export const ATTR_DIRECTORY = 0x10;
export const ATTR_ARCHIVE = 0x20;
const ATTR_LONG_NAME = 0x0f;
/** LDIR_Ord of the entry holding the end of the name is ORed with LAST_LONG_ENTRY. */
const LAST_LONG_ENTRY = 0x40;
/** UTF-16 code units per long entry: 5 in LDIR_Name1, 6 in LDIR_Name2, 2 in LDIR_Name3. */
const charsPerLongEntry = 13;
/** Long names hold at most 255 UTF-16 code units (fatgen103 "Name Limits and Character Sets"). */
export const maxLongNameLength = 255;

/** Position of each of the 13 characters inside a long entry. */
const longEntryCharOffsets: readonly number[] = [
  LDIR_Name1, LDIR_Name1 + 2, LDIR_Name1 + 4, LDIR_Name1 + 6, LDIR_Name1 + 8,
  LDIR_Name2, LDIR_Name2 + 2, LDIR_Name2 + 4, LDIR_Name2 + 6, LDIR_Name2 + 8, LDIR_Name2 + 10,
  LDIR_Name3, LDIR_Name3 + 2,
];

export interface ShortEntryFields {
  /** DIR_Name: 11 ASCII characters. */
  name11: string;
  attributes: number;
  firstCluster: number;
  fileSize: number;
  stamp: FatDateTime;
}

/** How many 32-byte entries a name takes: its long entries (if any) plus the short entry. */
export function entryCountFor(longName: string, needsLongName: boolean): number {
  return needsLongName ? Math.ceil(longName.length / charsPerLongEntry) + 1 : 1;
}

/**
 * Encodes the entries of one name into `target` at `offset`: the long entries (when `longName` is not null), last
 * part first, then the short entry. Returns the offset after them.
 */
export function encodeDirectoryEntries(target: Uint8Array, offset: number, longName: string | null, fields: ShortEntryFields): number {
  let at = offset;
  if (longName !== null) {
    const checksum = shortNameChecksum(fields.name11);
    const count = Math.ceil(longName.length / charsPerLongEntry);
    for (let ordinal = count; ordinal >= 1; ordinal--) {
      encodeLongEntry(target.subarray(at, at + directoryEntryBytes), longName, ordinal, ordinal === count, checksum);
      at += directoryEntryBytes;
    }
  }
  encodeShortEntry(target.subarray(at, at + directoryEntryBytes), fields);
  return at + directoryEntryBytes;
}

/**
 * fatgen103 "ChkSum()": rotate the 8-bit sum right by one, then add the next DIR_Name byte. Every long entry of a
 * name carries the checksum of its short entry, which is how readers pair them.
 */
export function shortNameChecksum(name11: string): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = ((sum & 1 ? 0x80 : 0) + (sum >> 1) + name11.charCodeAt(i)) & 0xff;
  return sum;
}

function encodeShortEntry(entry: Uint8Array, fields: ShortEntryFields): void {
  for (let i = 0; i < 11; i++) entry[DIR_Name + i] = fields.name11.charCodeAt(i);
  entry[DIR_Attr] = fields.attributes;
  entry[DIR_NTRes] = 0;
  entry[DIR_CrtTimeTenth] = fields.stamp.tenths;
  writeU16le(entry, DIR_CrtTime, fields.stamp.time);
  writeU16le(entry, DIR_CrtDate, fields.stamp.date);
  writeU16le(entry, DIR_LstAccDate, fields.stamp.date);
  writeU16le(entry, DIR_FstClusHI, fields.firstCluster >>> 16);
  writeU16le(entry, DIR_WrtTime, fields.stamp.time);
  writeU16le(entry, DIR_WrtDate, fields.stamp.date);
  writeU16le(entry, DIR_FstClusLO, fields.firstCluster & 0xffff);
  writeU32le(entry, DIR_FileSize, fields.fileSize);
}

/**
 * One long entry holding characters (ordinal-1)*13 to ordinal*13-1 of the name. After the last character comes one
 * 0x0000, and the remaining slots are 0xFFFF (fatgen103 "Long Directory Entries").
 */
function encodeLongEntry(entry: Uint8Array, longName: string, ordinal: number, isLast: boolean, checksum: number): void {
  entry[LDIR_Ord] = isLast ? ordinal | LAST_LONG_ENTRY : ordinal;
  entry[LDIR_Attr] = ATTR_LONG_NAME;
  entry[LDIR_Type] = 0;
  entry[LDIR_Chksum] = checksum;
  writeU16le(entry, LDIR_FstClusLO, 0);
  const start = (ordinal - 1) * charsPerLongEntry;
  for (let i = 0; i < charsPerLongEntry; i++) {
    const index = start + i;
    const unit = index < longName.length ? longName.charCodeAt(index) : index === longName.length ? 0x0000 : 0xffff;
    writeU16le(entry, longEntryCharOffsets[i] as number, unit);
  }
}
