import { ByoiError } from '../contract/errors/byoi-error.ts';

// Fixed-width reads at explicit offsets. The byte order is in every name; 64-bit values come back as bigint
// and become numbers only through toSafeNumber(), which refuses values a double cannot hold exactly.

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function u8(bytes: Uint8Array, offset: number): number {
  return view(bytes).getUint8(offset);
}
export function u16le(bytes: Uint8Array, offset: number): number {
  return view(bytes).getUint16(offset, true);
}
export function u16be(bytes: Uint8Array, offset: number): number {
  return view(bytes).getUint16(offset, false);
}
export function u32le(bytes: Uint8Array, offset: number): number {
  return view(bytes).getUint32(offset, true);
}
export function u32be(bytes: Uint8Array, offset: number): number {
  return view(bytes).getUint32(offset, false);
}
export function u64le(bytes: Uint8Array, offset: number): bigint {
  return view(bytes).getBigUint64(offset, true);
}
export function u64be(bytes: Uint8Array, offset: number): bigint {
  return view(bytes).getBigUint64(offset, false);
}

export function writeU16le(bytes: Uint8Array, offset: number, value: number): void {
  view(bytes).setUint16(offset, value, true);
}
export function writeU32le(bytes: Uint8Array, offset: number, value: number): void {
  view(bytes).setUint32(offset, value, true);
}
export function writeU64le(bytes: Uint8Array, offset: number, value: bigint | number): void {
  view(bytes).setBigUint64(offset, BigInt(value), true);
}
export function writeU16be(bytes: Uint8Array, offset: number, value: number): void {
  view(bytes).setUint16(offset, value, false);
}
export function writeU32be(bytes: Uint8Array, offset: number, value: number): void {
  view(bytes).setUint32(offset, value, false);
}
export function writeU64be(bytes: Uint8Array, offset: number, value: bigint | number): void {
  view(bytes).setBigUint64(offset, BigInt(value), false);
}

/**
 * Converts a 64-bit field to a number, or throws BYOI_IMAGE_INVALID naming the field.
 * @param structure what is being read, e.g. "qcow2 header"
 * @param field the spec's field name, e.g. "size"
 */
export function toSafeNumber(value: bigint, structure: string, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason: `${field} 0x${value.toString(16)} is too large` });
  }
  return Number(value);
}

/** True when every byte is zero. */
export function isAllZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** ASCII text of a byte range, stopping at the first NUL. */
export function asciiz(bytes: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && bytes[end] !== 0) end++;
  return new TextDecoder('latin1').decode(bytes.subarray(offset, end));
}

/** True when bytes at `offset` equal `expected`. */
export function bytesEqual(bytes: Uint8Array, offset: number, expected: Uint8Array | readonly number[]): boolean {
  if (offset + expected.length > bytes.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[offset + i] !== expected[i]) return false;
  return true;
}
