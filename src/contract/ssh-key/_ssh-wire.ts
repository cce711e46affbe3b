// The SSH wire encoding of RFC 4251 section 5, as read from a public key blob (RFC 4253 6.6, RFC 5656 3.1,
// RFC 8709 4, OpenSSH PROTOCOL.u2f). Every read checks the bytes are there; a short blob is reported by name.

/** A position inside a key blob. */
export interface WireCursor {
  readonly bytes: Uint8Array;
  offset: number;
}

/** Thrown by the readers below; parseSshKey() turns it into the customer-facing message. */
export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

/** RFC 4251 "string": uint32 length (big endian), then that many bytes. `what` names the field for messages. */
export function readWireString(cursor: WireCursor, what: string): Uint8Array {
  const { bytes } = cursor;
  if (cursor.offset + 4 > bytes.length) {
    throw new WireFormatError(`the key data is truncated: it ends before the length of the ${what}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(cursor.offset, false);
  const start = cursor.offset + 4;
  if (length > bytes.length - start) {
    throw new WireFormatError(
      `the key data is truncated: the ${what} needs ${length} bytes but only ${bytes.length - start} remain`,
    );
  }
  cursor.offset = start + length;
  return bytes.subarray(start, start + length);
}

/**
 * RFC 4251 "mpint" read as an unsigned magnitude: negative values are refused and leading zero bytes
 * stripped (OpenSSH sshbuf_get_bignum2_bytes_direct does the same).
 */
export function readWireMpint(cursor: WireCursor, what: string): Uint8Array {
  const raw = readWireString(cursor, what);
  if (raw.length > 0 && ((raw[0] as number) & 0x80) !== 0) {
    throw new WireFormatError(`the ${what} is negative`);
  }
  let start = 0;
  while (start < raw.length && raw[start] === 0) start++;
  return raw.subarray(start);
}

/** Bit length of an unsigned big-endian magnitude without leading zero bytes. */
export function bitLength(magnitude: Uint8Array): number {
  if (magnitude.length === 0) return 0;
  return (magnitude.length - 1) * 8 + (32 - Math.clz32(magnitude[0] as number));
}

/** Decodes an ASCII type or curve name; anything outside printable ASCII is refused. */
export function wireText(bytes: Uint8Array, what: string): string {
  let text = '';
  for (const byte of bytes) {
    if (byte < 0x21 || byte > 0x7e) throw new WireFormatError(`the ${what} inside the key data is not printable text`);
    text += String.fromCharCode(byte);
  }
  return text;
}
