import { writeU16be, writeU16le, writeU32be, writeU32le } from '../../../image/bytes.ts';

/** ECMA-119 7.2.3 "Both-byte orders": a 16-bit number little-endian, then the same big-endian (4 bytes). */
export function writeU16Both(bytes: Uint8Array, offset: number, value: number): void {
  writeU16le(bytes, offset, value);
  writeU16be(bytes, offset + 2, value);
}

/** ECMA-119 7.3.3 "Both-byte orders": a 32-bit number little-endian, then the same big-endian (8 bytes). */
export function writeU32Both(bytes: Uint8Array, offset: number, value: number): void {
  writeU32le(bytes, offset, value);
  writeU32be(bytes, offset + 4, value);
}
