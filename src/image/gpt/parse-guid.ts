import { ByoiError } from '../../contract/errors/byoi-error.ts';

const guidPattern = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/**
 * Turns a GUID's text form into its 16 on-disk bytes, mixed-endian as GPT stores them (the inverse of
 * formatGuid). Throws BYOI_IMAGE_INVALID when the text is not a GUID.
 *
 * @example
 * ```ts
 * parseGuid('C12A7328-F81F-11D2-BA4B-00A0C93EC93B'); // 28 73 2a c1 1f f8 d2 11 ba 4b 00 a0 c9 3e c9 3b
 * ```
 */
export function parseGuid(text: string): Uint8Array {
  if (!guidPattern.test(text)) {
    throw new ByoiError('BYOI_IMAGE_INVALID', { structure: 'GUID', reason: `"${text}" is not of the form XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX` });
  }
  const hex = text.replace(/-/g, '');
  const plain = new Uint8Array(16);
  for (let i = 0; i < 16; i++) plain[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  // Stored index → index in the text form (the first three fields are little-endian).
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = plain[order[i] as number] as number;
  return bytes;
}
