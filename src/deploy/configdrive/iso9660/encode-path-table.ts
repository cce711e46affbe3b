import { writeU16be, writeU16le, writeU32be, writeU32le } from '../../../image/bytes.ts';

// ECMA-119 9.4 "Format of a Path Table Record".
const LEN_DI = 0;
const extAttrRecordLength = 1;
const locationOfExtent = 2;
const parentDirectoryNumber = 6;
const directoryIdentifier = 8;

export interface PathTableEntry {
  /** Directory identifier bytes; the root's is a single 0x00. */
  identifier: Uint8Array;
  extentBlock: number;
  /** Number (1-based position in this table) of the parent; the root is its own parent, 1. */
  parentNumber: number;
}

/** Bytes of a path table: each record is 8 bytes, the identifier, and a padding byte when its length is odd. */
export function pathTableBytes(entries: readonly PathTableEntry[]): number {
  let size = 0;
  for (const entry of entries) size += directoryIdentifier + entry.identifier.length + (entry.identifier.length % 2);
  return size;
}

/**
 * Encodes a path table (9.4): the Type L table has its numbers little-endian, the Type M table big-endian.
 * `entries` must already be in path table order (level, then parent number, then identifier).
 */
export function encodePathTable(entries: readonly PathTableEntry[], byteOrder: 'L' | 'M'): Uint8Array {
  const bytes = new Uint8Array(pathTableBytes(entries));
  let at = 0;
  for (const entry of entries) {
    bytes[at + LEN_DI] = entry.identifier.length;
    bytes[at + extAttrRecordLength] = 0;
    if (byteOrder === 'L') {
      writeU32le(bytes, at + locationOfExtent, entry.extentBlock);
      writeU16le(bytes, at + parentDirectoryNumber, entry.parentNumber);
    } else {
      writeU32be(bytes, at + locationOfExtent, entry.extentBlock);
      writeU16be(bytes, at + parentDirectoryNumber, entry.parentNumber);
    }
    bytes.set(entry.identifier, at + directoryIdentifier);
    at += directoryIdentifier + entry.identifier.length + (entry.identifier.length % 2);
  }
  return bytes;
}
