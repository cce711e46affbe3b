// How blkid prints labels and UUIDs, so byoi's values can be compared with `blkid -p -o export` one to one.

const HEX = '0123456789abcdef';

/** 16 bytes as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in lower case; null when all are zero (blkid prints none). */
export function blkidUuid(bytes: Uint8Array): string | null {
  let allZero = true;
  let text = '';
  for (let i = 0; i < 16; i++) {
    const byte = bytes[i] ?? 0;
    if (byte !== 0) allZero = false;
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    text += (HEX[byte >> 4] ?? '0') + (HEX[byte & 15] ?? '0');
  }
  return allZero ? null : text;
}

/**
 * A label as blkid sets it: the bytes up to the first NUL, decoded, with trailing white space removed;
 * null when nothing is left.
 * @param encoding 'utf-8' (ext, XFS, Btrfs, swap, LUKS), 'latin1' (ISO 9660 d-characters)
 */
export function blkidLabel(bytes: Uint8Array, encoding: 'utf-8' | 'latin1' = 'utf-8'): string | null {
  let end = 0;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return trimLabel(new TextDecoder(encoding).decode(bytes.subarray(0, end)));
}

/** A UTF-16 label (NTFS little endian, Joliet big endian), up to the first U+0000, trimmed like blkidLabel(). */
export function blkidUtf16Label(bytes: Uint8Array, littleEndian: boolean): string | null {
  let text = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const unit = littleEndian ? a | (b << 8) : (a << 8) | b;
    if (unit === 0) break;
    text += String.fromCharCode(unit);
  }
  return trimLabel(text);
}

/** blkid removes trailing white space (isspace: space, \t, \n, \v, \f, \r). */
export function trimLabel(text: string): string | null {
  const trimmed = text.replace(/[ \t\n\v\f\r]+$/, '');
  return trimmed === '' ? null : trimmed;
}

/** Upper-case hexadecimal of `value`, padded to `digits`. */
export function hexUpper(value: bigint | number, digits: number): string {
  return value.toString(16).toUpperCase().padStart(digits, '0');
}
