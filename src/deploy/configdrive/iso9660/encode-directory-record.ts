import { writeU16Both, writeU32Both } from './_both-endian.ts';

// ECMA-119 9.1 "Format of a Directory Record" (byte positions from 0; the standard counts from BP 1).
const LEN_DR = 0;
const extAttrRecordLength = 1;
const locationOfExtent = 2;
const dataLength = 10;
const recordingDateAndTime = 18;
const fileFlags = 25;
const fileUnitSize = 26;
const interleaveGapSize = 27;
const volumeSequenceNumber = 28;
const LEN_FI = 32;
const fileIdentifier = 33;

/** File Flags bit 1: the record describes a directory. */
const FLAG_DIRECTORY = 0x02;
/** A directory record is at most 255 bytes (LEN_DR is one byte). */
export const maxRecordBytes = 255;

export interface DirectoryRecordFields {
  /** File identifier bytes: d-characters (primary), UCS-2BE (Joliet), 0x00 for "." and 0x01 for "..". */
  identifier: Uint8Array;
  extentBlock: number;
  dataLength: number;
  isDirectory: boolean;
  /** 7-byte recording date and time. */
  recorded: Uint8Array;
  /** System Use field: SUSP/RRIP entries (empty in the Joliet hierarchy). */
  systemUse: Uint8Array;
}

/**
 * Length of a record: 33 fixed bytes, the identifier, a padding byte when the identifier length is even (so the
 * System Use field starts at an even position, 9.1.12), then the System Use field, padded to an even total.
 */
export function directoryRecordLength(identifierBytes: number, systemUseBytes: number): number {
  const base = fileIdentifier + identifierBytes + (identifierBytes % 2 === 0 ? 1 : 0);
  const total = base + systemUseBytes;
  return total + (total % 2);
}

/** Encodes one directory record into `target` at `offset`; returns its length. */
export function encodeDirectoryRecord(target: Uint8Array, offset: number, fields: DirectoryRecordFields): number {
  const length = directoryRecordLength(fields.identifier.length, fields.systemUse.length);
  const record = target.subarray(offset, offset + length);
  record[LEN_DR] = length;
  record[extAttrRecordLength] = 0;
  writeU32Both(record, locationOfExtent, fields.extentBlock);
  writeU32Both(record, dataLength, fields.dataLength);
  record.set(fields.recorded, recordingDateAndTime);
  record[fileFlags] = fields.isDirectory ? FLAG_DIRECTORY : 0;
  record[fileUnitSize] = 0;
  record[interleaveGapSize] = 0;
  writeU16Both(record, volumeSequenceNumber, 1);
  record[LEN_FI] = fields.identifier.length;
  record.set(fields.identifier, fileIdentifier);
  const systemUseStart = fileIdentifier + fields.identifier.length + (fields.identifier.length % 2 === 0 ? 1 : 0);
  record.set(fields.systemUse, systemUseStart);
  return length;
}
