import { writeU32be, writeU32le } from '../../../image/bytes.ts';
import { writeU16Both, writeU32Both } from './_both-endian.ts';

/** Logical block (and logical sector) size: ECMA-119 6.1.2 sectors are 2048 bytes; byoi uses blocks of the same size. */
export const isoBlockBytes = 2048;

// ECMA-119 8.4 "Primary Volume Descriptor" and 8.5 "Supplementary Volume Descriptor" (byte positions from 0).
const volumeDescriptorType = 0;
const standardIdentifier = 1;
const volumeDescriptorVersion = 6;
const systemIdentifier = 8;
const volumeIdentifier = 40;
const volumeSpaceSize = 80;
const escapeSequences = 88;
const volumeSetSize = 120;
const volumeSequenceNumber = 124;
const logicalBlockSize = 128;
const pathTableSize = 132;
const typeLPathTable = 140;
const typeMPathTable = 148;
const rootDirectoryRecord = 156;
const volumeSetIdentifier = 190;
const publisherIdentifier = 318;
const dataPreparerIdentifier = 446;
const applicationIdentifier = 574;
const copyrightFileIdentifier = 702;
const abstractFileIdentifier = 739;
const bibliographicFileIdentifier = 776;
const volumeCreationDateAndTime = 813;
const volumeModificationDateAndTime = 830;
const volumeExpirationDateAndTime = 847;
const volumeEffectiveDateAndTime = 864;
const fileStructureVersion = 881;

/** Volume Descriptor Type values (8.1.1). */
export const PRIMARY_VOLUME_DESCRIPTOR = 1;
export const SUPPLEMENTARY_VOLUME_DESCRIPTOR = 2;
const VOLUME_DESCRIPTOR_SET_TERMINATOR = 255;
/** Joliet: escape sequence "%/E" in a supplementary descriptor announces UCS-2 level 3. */
const jolietLevel3Escape = [0x25, 0x2f, 0x45];

export interface VolumeDescriptorFields {
  type: typeof PRIMARY_VOLUME_DESCRIPTOR | typeof SUPPLEMENTARY_VOLUME_DESCRIPTOR;
  /** Text fields, encoded by the caller's `text` rule: ASCII for the primary, UCS-2BE for Joliet. */
  systemId: string;
  volumeId: string;
  applicationId: string;
  volumeSpaceBlocks: number;
  pathTableBytes: number;
  typeLPathTableBlock: number;
  typeMPathTableBlock: number;
  /** The 34-byte record of the root directory. */
  rootRecord: Uint8Array;
  created: Uint8Array;
  unspecified: Uint8Array;
}

/**
 * Encodes a primary volume descriptor or a Joliet supplementary one (the same layout; Joliet adds the escape
 * sequence and writes identifiers in UCS-2 big-endian padded with U+0020).
 */
export function encodeVolumeDescriptor(fields: VolumeDescriptorFields): Uint8Array {
  const bytes = new Uint8Array(isoBlockBytes);
  const joliet = fields.type === SUPPLEMENTARY_VOLUME_DESCRIPTOR;
  const text = (offset: number, length: number, value: string): void => {
    if (joliet) writeUcs2Padded(bytes, offset, length, value);
    else writeAsciiPadded(bytes, offset, length, value);
  };
  writeHeader(bytes, fields.type);
  text(systemIdentifier, 32, fields.systemId);
  text(volumeIdentifier, 32, fields.volumeId);
  writeU32Both(bytes, volumeSpaceSize, fields.volumeSpaceBlocks);
  if (joliet) bytes.set(jolietLevel3Escape, escapeSequences);
  writeU16Both(bytes, volumeSetSize, 1);
  writeU16Both(bytes, volumeSequenceNumber, 1);
  writeU16Both(bytes, logicalBlockSize, isoBlockBytes);
  writeU32Both(bytes, pathTableSize, fields.pathTableBytes);
  writeU32le(bytes, typeLPathTable, fields.typeLPathTableBlock);
  writeU32be(bytes, typeMPathTable, fields.typeMPathTableBlock);
  bytes.set(fields.rootRecord, rootDirectoryRecord);
  text(volumeSetIdentifier, 128, '');
  text(publisherIdentifier, 128, '');
  text(dataPreparerIdentifier, 128, '');
  text(applicationIdentifier, 128, fields.applicationId);
  text(copyrightFileIdentifier, 37, '');
  text(abstractFileIdentifier, 37, '');
  text(bibliographicFileIdentifier, 37, '');
  bytes.set(fields.created, volumeCreationDateAndTime);
  bytes.set(fields.created, volumeModificationDateAndTime);
  bytes.set(fields.unspecified, volumeExpirationDateAndTime);
  bytes.set(fields.unspecified, volumeEffectiveDateAndTime);
  bytes[fileStructureVersion] = 1;
  return bytes;
}

/** 8.3 "Volume Descriptor Set Terminator": type 255, "CD001", version 1, zeros. */
export function encodeVolumeDescriptorSetTerminator(): Uint8Array {
  const bytes = new Uint8Array(isoBlockBytes);
  writeHeader(bytes, VOLUME_DESCRIPTOR_SET_TERMINATOR);
  return bytes;
}

function writeHeader(bytes: Uint8Array, type: number): void {
  bytes[volumeDescriptorType] = type;
  writeAsciiPadded(bytes, standardIdentifier, 5, 'CD001');
  bytes[volumeDescriptorVersion] = 1;
}

function writeAsciiPadded(bytes: Uint8Array, offset: number, length: number, value: string): void {
  for (let i = 0; i < length; i++) bytes[offset + i] = i < value.length ? value.charCodeAt(i) : 0x20;
}

/** UCS-2BE, padded with U+0020; a field of odd length (the 37-byte file identifiers) ends with one 0x00 byte. */
function writeUcs2Padded(bytes: Uint8Array, offset: number, length: number, value: string): void {
  const units = Math.floor(length / 2);
  for (let i = 0; i < units; i++) {
    const unit = i < value.length ? value.charCodeAt(i) : 0x20;
    bytes[offset + 2 * i] = unit >> 8;
    bytes[offset + 2 * i + 1] = unit & 0xff;
  }
}
