import { fatUpperCase } from '../fat/fat-upper-case.ts';

/**
 * Finds the user's efiBootloaderPath among the ESP's loader paths, without regard to case (FAT ignores case,
 * and so does the firmware that opens the file). "/" is accepted for "\", repeated separators and a missing
 * leading separator are forgiven. Returns the path in the ESP's own spelling, or null.
 *
 * @example
 * ```ts
 * findEfiBootloaderPath(['\\EFI\\debian\\grubx64.efi'], '\\efi\\DEBIAN\\grubx64.efi'); // "\\EFI\\debian\\grubx64.efi"
 * ```
 */
export function findEfiBootloaderPath(paths: readonly string[], requested: string): string | null {
  const wanted = normalize(requested);
  if (wanted === null) return null;
  for (const path of paths) {
    if (normalize(path) === wanted) return path;
  }
  return null;
}

function normalize(path: string): string | null {
  const components = path.trim().split(/[\\/]+/).filter((part) => part !== '');
  if (components.length === 0) return null;
  return fatUpperCase(`\\${components.join('\\')}`);
}
