/**
 * Formats the 16 bytes of an on-disk GUID as text, upper case, as sgdisk and sfdisk print it.
 *
 * GPT stores GUIDs "mixed-endian" (UEFI Appendix A): the first three fields (4, 2 and 2 bytes) are
 * little-endian, the last two (2 and 6 bytes) are stored in the order they are written.
 *
 * @example
 * ```ts
 * // EFI System: 28 73 2A C1 1F F8 D2 11 BA 4B 00 A0 C9 3E C9 3B on disk
 * formatGuid(bytes, 0); // "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
 * ```
 */
export function formatGuid(bytes: Uint8Array, offset: number): string {
  // Byte order of the text form, as indexes into the 16 stored bytes.
  const order = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];
  let text = '';
  for (let i = 0; i < order.length; i++) {
    const index = order[i] as number;
    if (index < 0) {
      text += '-';
      continue;
    }
    text += (bytes[offset + index] as number).toString(16).padStart(2, '0');
  }
  return text.toUpperCase();
}
