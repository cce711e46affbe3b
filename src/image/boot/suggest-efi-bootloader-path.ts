import { fatUpperCase } from '../fat/fat-upper-case.ts';

/*
 * Ranking of the loaders found under \EFI, best first. Within a rank, the ESP's own order decides.
 *
 *  0. \EFI\<vendor>\shimx64.efi: shim is signed with Microsoft's UEFI CA, so it boots whether Secure Boot is
 *     on or off, and it chain-loads the distro's grubx64.efi from its own directory. A bare grubx64.efi
 *     boots only with Secure Boot off. (Alma's table entry, \efi\almalinux\shimx64.efi, is this rank.)
 *  1. The OS's own loader in its vendor directory: \EFI\<vendor>\grubx64.efi (Debian, Ubuntu, Arch),
 *     \EFI\Microsoft\Boot\bootmgfw.efi (Windows), \EFI\FreeBSD\loader.efi, \EFI\systemd\systemd-bootx64.efi.
 *     These are what the OS installer registers in NVRAM; byoi never writes NVRAM, so iPXE must name them.
 *  2. \EFI\BOOT\BOOTX64.EFI, the removable-media fallback: often a copy of shim that then runs fbx64.efi to
 *     create NVRAM entries and reset, and in a multi-OS image it belongs to whichever OS wrote it last.
 *     It is the right answer only when the OS ships nothing else (Gentoo's table entry).
 *  3. Any other x64 or architecture-neutral .efi (Unified Kernel Images in \EFI\Linux, rEFInd, tools).
 *  4. Helpers that are not OS loaders: fbx64.efi (fallback: makes NVRAM entries and resets) and mmx64.efi /
 *     MokManager.efi (an interactive key manager).
 *  5. Loaders for other architectures (ia32, aa64, arm, riscv64, loongarch64): byoi's servers are x86-64.
 * Ranks 4 and 5 are suggested only when nothing else exists.
 */
const RANK_SHIM = 0;
const RANK_OS_LOADER = 1;
const RANK_REMOVABLE = 2;
const RANK_OTHER = 3;
const RANK_HELPER = 4;
const RANK_OTHER_ARCH = 5;

const OTHER_ARCH = /(IA32|AA64|ARM|RISCV64|LOONGARCH64)\.EFI$/;
const HELPERS = new Set(['FBX64.EFI', 'MMX64.EFI', 'FALLBACK.EFI', 'MOKMANAGER.EFI']);

/**
 * Picks the loader byoi suggests as efiBootloaderPath from an ESP's .efi paths (see the ranking above),
 * or null when there are none.
 *
 * @example
 * ```ts
 * suggestEfiBootloaderPath(['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\debian\\grubx64.efi', '\\EFI\\debian\\shimx64.efi']);
 * // "\\EFI\\debian\\shimx64.efi"
 * ```
 */
export function suggestEfiBootloaderPath(paths: readonly string[]): string | null {
  let best: string | null = null;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const path of paths) {
    const rank = rankLoader(path);
    if (rank < bestRank) {
      best = path;
      bestRank = rank;
    }
  }
  return best;
}

/** The rank of one loader path; lower is better. */
export function rankLoader(path: string): number {
  const parts = fatUpperCase(path).split('\\').filter((part) => part !== '');
  const file = parts[parts.length - 1] ?? '';
  const vendor = parts.length >= 3 ? (parts[1] ?? '') : '';
  const inVendorDir = vendor !== '' && vendor !== 'BOOT';

  if (HELPERS.has(file)) return RANK_HELPER;
  if (OTHER_ARCH.test(file)) return RANK_OTHER_ARCH;
  if (inVendorDir && file === 'SHIMX64.EFI') return RANK_SHIM;
  if (inVendorDir && file === 'GRUBX64.EFI') return RANK_OS_LOADER;
  if (vendor === 'MICROSOFT' && parts.length === 4 && parts[2] === 'BOOT' && file === 'BOOTMGFW.EFI') return RANK_OS_LOADER;
  if (vendor === 'FREEBSD' && parts.length === 3 && file === 'LOADER.EFI') return RANK_OS_LOADER;
  if (vendor === 'SYSTEMD' && parts.length === 3 && file === 'SYSTEMD-BOOTX64.EFI') return RANK_OS_LOADER;
  if (vendor === 'BOOT' && parts.length === 3 && file === 'BOOTX64.EFI') return RANK_REMOVABLE;
  return RANK_OTHER;
}
