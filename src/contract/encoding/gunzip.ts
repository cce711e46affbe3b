// gzip (RFC 1952) and DEFLATE (RFC 1951) decompression in pure TypeScript, so the web panel validates gzip user
// data with the same code as the control plane. The inflater follows zlib's puff.c (a canonical-Huffman decoder
// that favours clarity over speed: user data is at most a few hundred KiB). Behaviour matches Node's
// zlib.gunzipSync() (tested against it): concatenated members are decompressed one after another, a member
// may be followed by zero bytes (padding, ignored), and any other trailing byte must start another member.
// Messages are zlib's.

import { crc32 } from './crc32.ts';

/** Why gunzip() failed: the output would exceed the limit, or the data is not valid gzip. */
export class GunzipError extends Error {
  override name = 'GunzipError';
  readonly reason: 'too-large' | 'corrupt';

  constructor(reason: 'too-large' | 'corrupt', message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface GunzipOptions {
  /** Refuse (GunzipError 'too-large') output longer than this many bytes. */
  maxOutputLength: number;
}

// RFC 1952 2.3.1: the FLG bits.
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

/**
 * Decompresses gzip data: every member, each checked against its CRC-32 and length.
 *
 * @throws GunzipError `too-large` past options.maxOutputLength, `corrupt` with zlib's reason otherwise
 *   ("incorrect header check", "unexpected end of file", "incorrect data check", ...)
 * @example
 * gunzip(gzipped, { maxOutputLength: 1 << 20 }) // the original bytes
 */
export function gunzip(bytes: Uint8Array, options: GunzipOptions): Uint8Array {
  const out = new Output(options.maxOutputLength);
  let pos = 0;
  do {
    pos = readMember(bytes, pos, out);
    // node_zlib.cc: after a member, remaining bytes start another member unless the next one is 0x00 (padding).
  } while (pos < bytes.length && bytes[pos] !== 0);
  return out.result();
}

function readMember(bytes: Uint8Array, start: number, out: Output): number {
  let pos = start;
  const need = (count: number) => {
    if (pos + count > bytes.length) throw corrupt('unexpected end of file');
  };
  // Checked in zlib's order, so a short or foreign input gets zlib's message.
  need(2);
  if (bytes[pos] !== 0x1f || bytes[pos + 1] !== 0x8b) throw corrupt('incorrect header check');
  need(3);
  if (bytes[pos + 2] !== 8) throw corrupt('unknown compression method');
  need(4);
  const flags = bytes[pos + 3] as number;
  if ((flags & FRESERVED) !== 0) throw corrupt('unknown header flags set');
  need(10);
  pos += 10;
  if (flags & FEXTRA) {
    need(2);
    const length = (bytes[pos] as number) | ((bytes[pos + 1] as number) << 8);
    pos += 2;
    need(length);
    pos += length;
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if ((flags & flag) === 0) continue;
    // A zero-terminated string.
    while (true) {
      need(1);
      if (bytes[pos++] === 0) break;
    }
  }
  if (flags & FHCRC) {
    need(2);
    const stored = (bytes[pos] as number) | ((bytes[pos + 1] as number) << 8);
    if ((crc32(bytes.subarray(start, pos)) & 0xffff) !== stored) throw corrupt('header crc mismatch');
    pos += 2;
  }

  const memberStart = out.length;
  const input = new BitReader(bytes, pos);
  inflate(input, out, memberStart);
  pos = input.bytePosition();

  need(8);
  const view = new DataView(bytes.buffer, bytes.byteOffset + pos, 8);
  const data = out.since(memberStart);
  if (view.getUint32(0, true) !== crc32(data)) throw corrupt('incorrect data check');
  if (view.getUint32(4, true) !== data.length >>> 0) throw corrupt('incorrect length check');
  return pos + 8;
}

/** Growable output with a hard limit. */
class Output {
  private buffer = new Uint8Array(4096);
  private readonly limit: number;
  length = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  private reserve(count: number): void {
    if (this.length + count > this.limit) {
      throw new GunzipError('too-large', `the output is larger than ${this.limit} bytes`);
    }
    if (this.length + count <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + count) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  push(byte: number): void {
    this.reserve(1);
    this.buffer[this.length++] = byte;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Copies `count` bytes from `distance` back; they may overlap the bytes being written (RFC 1951 3.2.3). */
  copy(distance: number, count: number): void {
    this.reserve(count);
    for (let i = 0; i < count; i++) {
      this.buffer[this.length] = this.buffer[this.length - distance] as number;
      this.length++;
    }
  }

  since(start: number): Uint8Array {
    return this.buffer.subarray(start, this.length);
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** RFC 1951 3.1.1: bits are packed starting with the least significant bit of each byte. */
class BitReader {
  private bitBuffer = 0;
  private bitCount = 0;
  private readonly bytes: Uint8Array;
  private pos: number;

  constructor(bytes: Uint8Array, pos: number) {
    this.bytes = bytes;
    this.pos = pos;
  }

  bits(count: number): number {
    let value = this.bitBuffer;
    while (this.bitCount < count) {
      if (this.pos >= this.bytes.length) throw corrupt('unexpected end of file');
      value |= (this.bytes[this.pos++] as number) << this.bitCount;
      this.bitCount += 8;
    }
    this.bitBuffer = value >>> count;
    this.bitCount -= count;
    return value & ((1 << count) - 1);
  }

  /** Drops the bits left in the current byte (stored blocks and the end of the stream are byte-aligned). */
  alignToByte(): void {
    this.bitBuffer = 0;
    this.bitCount = 0;
  }

  byte(): number {
    if (this.pos >= this.bytes.length) throw corrupt('unexpected end of file');
    return this.bytes[this.pos++] as number;
  }

  take(count: number): Uint8Array {
    if (this.pos + count > this.bytes.length) throw corrupt('unexpected end of file');
    const chunk = this.bytes.subarray(this.pos, this.pos + count);
    this.pos += count;
    return chunk;
  }

  /** The position of the first byte after the stream (whole unused bytes in the bit buffer are given back). */
  bytePosition(): number {
    return this.pos - Math.floor(this.bitCount / 8);
  }
}

/** A canonical Huffman code (RFC 1951 3.2.2) as puff.c keeps it: codes per length, symbols in code order. */
interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
}

const MAX_BITS = 15;

/** Builds a code from lengths; returns how many codes are left unused (<0: over-subscribed, >0: incomplete). */
function construct(lengths: ArrayLike<number>, n: number, offset = 0): { code: Huffman; left: number } {
  const count = new Uint16Array(MAX_BITS + 1);
  const symbol = new Uint16Array(n);
  for (let s = 0; s < n; s++) {
    const len = lengths[offset + s] as number;
    count[len] = (count[len] as number) + 1;
  }
  if (count[0] === n) return { code: { count, symbol }, left: 0 };
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    left <<= 1;
    left -= count[len] as number;
    if (left < 0) return { code: { count, symbol }, left };
  }
  const offs = new Uint16Array(MAX_BITS + 1);
  for (let len = 1; len < MAX_BITS; len++) offs[len + 1] = (offs[len] as number) + (count[len] as number);
  for (let s = 0; s < n; s++) {
    const len = lengths[offset + s] as number;
    if (len !== 0) {
      const at = offs[len] as number;
      symbol[at] = s;
      offs[len] = at + 1;
    }
  }
  return { code: { count, symbol }, left };
}

function decode(input: BitReader, h: Huffman, what: string): number {
  let code = 0;
  let first = 0;
  let index = 0;
  for (let len = 1; len <= MAX_BITS; len++) {
    code |= input.bits(1);
    const count = h.count[len] as number;
    if (code - count < first) return h.symbol[index + (code - first)] as number;
    index += count;
    first += count;
    first <<= 1;
    code <<= 1;
  }
  throw corrupt(`invalid ${what} code`);
}

// RFC 1951 3.2.5: base lengths and distances with their extra bits.
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
// RFC 1951 3.2.7: the order code length code lengths are sent in.
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

let fixedCodes: { lengths: Huffman; distances: Huffman } | null = null;

// RFC 1951 3.2.6: the fixed Huffman codes.
function fixed(): { lengths: Huffman; distances: Huffman } {
  if (fixedCodes !== null) return fixedCodes;
  const lengths = new Uint8Array(288);
  for (let s = 0; s < 288; s++) lengths[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
  const distances = new Uint8Array(30).fill(5);
  fixedCodes = { lengths: construct(lengths, 288).code, distances: construct(distances, 30).code };
  return fixedCodes;
}

function inflate(input: BitReader, out: Output, memberStart: number): void {
  let last: number;
  do {
    last = input.bits(1);
    const type = input.bits(2);
    if (type === 0) stored(input, out);
    else if (type === 1) codes(input, out, memberStart, fixed().lengths, fixed().distances);
    else if (type === 2) dynamic(input, out, memberStart);
    else throw corrupt('invalid block type');
  } while (!last);
  input.alignToByte();
}

// RFC 1951 3.2.4: a stored block, LEN and its one's complement NLEN, then LEN bytes.
function stored(input: BitReader, out: Output): void {
  input.alignToByte();
  const length = input.byte() | (input.byte() << 8);
  const complement = input.byte() | (input.byte() << 8);
  if (length !== (~complement & 0xffff)) throw corrupt('invalid stored block lengths');
  out.append(input.take(length));
}

function codes(input: BitReader, out: Output, memberStart: number, lengths: Huffman, distances: Huffman): void {
  while (true) {
    const symbol = decode(input, lengths, 'literal/length');
    if (symbol < 256) {
      out.push(symbol);
      continue;
    }
    if (symbol === 256) return;
    const index = symbol - 257;
    if (index >= 29) throw corrupt('invalid literal/length code');
    const length = (LENGTH_BASE[index] as number) + input.bits(LENGTH_EXTRA[index] as number);
    const distanceSymbol = decode(input, distances, 'distance');
    if (distanceSymbol >= 30) throw corrupt('invalid distance code');
    const distance = (DIST_BASE[distanceSymbol] as number) + input.bits(DIST_EXTRA[distanceSymbol] as number);
    if (distance > out.length - memberStart) throw corrupt('invalid distance too far back');
    out.copy(distance, length);
  }
}

// RFC 1951 3.2.7: a block with its own codes, described by a code for their lengths.
function dynamic(input: BitReader, out: Output, memberStart: number): void {
  const nlen = input.bits(5) + 257;
  const ndist = input.bits(5) + 1;
  const ncode = input.bits(4) + 4;
  if (nlen > 286 || ndist > 30) throw corrupt('too many length or distance symbols');

  const lengths = new Uint8Array(320);
  for (let i = 0; i < ncode; i++) lengths[CODE_LENGTH_ORDER[i] as number] = input.bits(3);
  const lengthCode = construct(lengths, 19);
  // zlib requires a complete code for the code lengths.
  if (lengthCode.left !== 0) throw corrupt('invalid code lengths set');

  lengths.fill(0);
  let index = 0;
  while (index < nlen + ndist) {
    let symbol = decode(input, lengthCode.code, 'code lengths');
    if (symbol < 16) {
      lengths[index++] = symbol;
      continue;
    }
    let length = 0;
    if (symbol === 16) {
      if (index === 0) throw corrupt('invalid bit length repeat');
      length = lengths[index - 1] as number;
      symbol = 3 + input.bits(2);
    } else if (symbol === 17) symbol = 3 + input.bits(3);
    else symbol = 11 + input.bits(7);
    if (index + symbol > nlen + ndist) throw corrupt('invalid bit length repeat');
    while (symbol--) lengths[index++] = length;
  }
  if (lengths[256] === 0) throw corrupt('invalid code -- missing end-of-block');

  const literalCode = construct(lengths, nlen);
  if (!acceptable(literalCode, nlen)) throw corrupt('invalid literal/lengths set');
  const distanceCode = construct(lengths, ndist, nlen);
  if (!acceptable(distanceCode, ndist)) throw corrupt('invalid distances set');
  codes(input, out, memberStart, literalCode.code, distanceCode.code);
}

/**
 * zlib's inflate_table: an over-subscribed code is refused; an incomplete one only passes when it has no code at
 * all or a single code of length 1.
 */
function acceptable(built: { code: Huffman; left: number }, n: number): boolean {
  if (built.left < 0) return false;
  if (built.left === 0) return true;
  const used = n - (built.code.count[0] as number);
  return used === 1 && built.code.count[1] === 1;
}

function corrupt(message: string): GunzipError {
  return new GunzipError('corrupt', message);
}
