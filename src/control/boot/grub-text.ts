/**
 * GRUB script quoting: inside single quotes every character is literal except the quote itself, which is
 * closed, escaped and reopened (`'\''`), as in a POSIX shell (GRUB manual, "Shell-like scripting: Quoting").
 *
 * @example
 * grubQuote("it's") // "'it'\\''s'"
 */
export function grubQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** `\EFI\debian\grubx64.efi` → `/EFI/debian/grubx64.efi`: GRUB names files with forward slashes (FAT matches case-insensitively). */
export function efiPathToGrub(efiPath: string): string {
  return efiPath.replaceAll('\\', '/');
}
