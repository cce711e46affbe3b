/** What decodeStrictBase64() returns: the bytes, or why the text is not canonical base64. */
export type StrictBase64Result = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const valueOf = new Map<string, number>([...alphabet].map((char, index) => [char, index]));

/**
 * Decodes RFC 4648 section 4 base64 and refuses anything a lenient decoder would quietly skip: characters
 * outside the alphabet (whitespace included), a length that is not a multiple of 4, padding anywhere but the
 * end, and non-zero bits in the last character (RFC 4648 section 3.5), so each byte string has exactly one
 * accepted text. Pure TypeScript, so the web panel can run it too.
 *
 * @example
 * decodeStrictBase64('aGk=') // { ok: true, bytes: Uint8Array [104, 105] }
 * decodeStrictBase64('aGl=') // { ok: false, reason: 'the last character has non-zero padding bits' }
 */
export function decodeStrictBase64(text: string): StrictBase64Result {
  if (text.length === 0) return { ok: false, reason: 'it is empty' };
  if (text.length % 4 !== 0) return { ok: false, reason: `its length ${text.length} is not a multiple of 4` };
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const body = text.length - padding;
  for (let i = 0; i < body; i++) {
    const char = text[i] as string;
    if (!valueOf.has(char)) {
      const shown = char === '=' ? "'=' before the end" : `character ${describeChar(char)}`;
      return { ok: false, reason: `${shown} at position ${i + 1} is not base64` };
    }
  }

  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let out = 0;
  for (let i = 0; i < text.length; i += 4) {
    const a = valueOf.get(text[i] as string) ?? 0;
    const b = valueOf.get(text[i + 1] as string) ?? 0;
    const c = valueOf.get(text[i + 2] as string) ?? 0;
    const d = valueOf.get(text[i + 3] as string) ?? 0;
    const triple = (a << 18) | (b << 12) | (c << 6) | d;
    if (out < bytes.length) bytes[out++] = (triple >> 16) & 0xff;
    if (out < bytes.length) bytes[out++] = (triple >> 8) & 0xff;
    if (out < bytes.length) bytes[out++] = triple & 0xff;
  }

  // RFC 4648 3.5: the bits a padded group does not use must be zero, or two texts decode to the same bytes.
  const last = valueOf.get(text[body - 1] as string) ?? 0;
  if ((padding === 1 && (last & 0x03) !== 0) || (padding === 2 && (last & 0x0f) !== 0)) {
    return { ok: false, reason: 'the last character has non-zero padding bits' };
  }
  return { ok: true, bytes };
}

/** Encodes bytes as padded RFC 4648 base64 (the inverse of decodeStrictBase64). */
export function encodeBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const triple = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    text += alphabet[(triple >> 18) & 0x3f];
    text += alphabet[(triple >> 12) & 0x3f];
    text += b === undefined ? '=' : alphabet[(triple >> 6) & 0x3f];
    text += c === undefined ? '=' : alphabet[triple & 0x3f];
  }
  return text;
}

function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x21 || code === 0x7f) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${char}'`;
}
