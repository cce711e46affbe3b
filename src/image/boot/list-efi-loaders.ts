import { fatUpperCase } from '../fat/fat-upper-case.ts';
import type { FatTreeEntry } from '../fat/list-fat-tree.ts';

/**
 * Every file named *.efi (any case) under \EFI (any case) of an ESP's tree, as backslash paths in the ESP's
 * own spelling, in tree order.
 *
 * @example
 * ```ts
 * listEfiLoaders(tree); // ["\\EFI\\BOOT\\BOOTX64.EFI", "\\EFI\\debian\\grubx64.efi"]
 * ```
 */
export function listEfiLoaders(tree: readonly FatTreeEntry[]): string[] {
  const loaders: string[] = [];
  for (const entry of tree) {
    if (entry.isDirectory) continue;
    const upper = fatUpperCase(entry.path);
    if (upper.startsWith('\\EFI\\') && upper.endsWith('.EFI')) loaders.push(entry.path);
  }
  return loaders;
}
