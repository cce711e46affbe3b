/**
 * Upper-cases a FAT name for case-insensitive comparison. Like FAT's own up-case table it maps one character
 * to one character: characters whose upper case is longer ("ß" → "SS") stay as they are.
 *
 * @example
 * ```ts
 * fatUpperCase('\\efi\\Debian\\grubx64.efi'); // "\\EFI\\DEBIAN\\GRUBX64.EFI"
 * ```
 */
export function fatUpperCase(name: string): string {
  let out = '';
  for (const char of name) {
    const upper = char.toUpperCase();
    out += upper.length === char.length ? upper : char;
  }
  return out;
}
