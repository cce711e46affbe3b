/**
 * The efiBootloaderPath examples of OVHcloud's BYOI guide, per operating system (the guide writes them
 * JSON-escaped; these are the paths themselves, one backslash per separator).
 */
export const efiPresets: ReadonlyArray<{ os: string; path: string }> = [
  { os: 'Debian', path: '\\efi\\debian\\grubx64.efi' },
  { os: 'Ubuntu', path: '\\efi\\ubuntu\\grubx64.efi' },
  { os: 'Windows', path: '\\efi\\microsoft\\boot\\bootmgfw.efi' },
  { os: 'FreeBSD', path: '\\efi\\FreeBSD\\loader.efi' },
  { os: 'Alma', path: '\\efi\\almalinux\\shimx64.efi' },
  { os: 'Arch Linux', path: '\\efi\\arch\\grubx64.efi' },
  { os: 'Gentoo', path: '\\efi\\boot\\bootx64.efi' },
];
