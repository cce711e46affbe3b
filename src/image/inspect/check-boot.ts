import { BIOS_BOOT_TYPE_GUID } from '../boot/detect-legacy-boot.ts';
import { findEfiBootloaderPath } from '../boot/find-efi-bootloader-path.ts';
import type { BootInfo, ImageProblem } from '../inspect-result.ts';
import type { PartitionTableReport } from '../partition-table/read-partition-table-report.ts';
import { imageProblem } from './image-problem.ts';

export interface BootExpectations {
  bootMode: 'uefi' | 'legacy' | null;
  /** Normalised by validateEfiBootloaderPath(), or null. */
  efiBootloaderPath: string | null;
}

/**
 * Whether the image boots the way the server does:
 *
 * - uefi: BYOI_IMAGE_NO_ESP without an EFI System Partition, BYOI_IMAGE_NO_EFI_LOADER when it holds no .efi
 *   loader under \EFI (errors: the firmware would find nothing to start);
 * - legacy: BYOI_IMAGE_NO_LEGACY_BOOT when no BIOS boot code is found (a warning: the check is a heuristic);
 * - efiBootloaderPath: BYOI_EFI_PATH_NOT_FOUND when the path is not on the ESP (a warning, as in the deploy,
 *   which then boots byoi's suggestion), listing what is there.
 *
 * @param report the partition table report, null when the image has none
 */
export function checkBoot(boot: BootInfo, report: PartitionTableReport | null, expected: BootExpectations): ImageProblem[] {
  const problems: ImageProblem[] = [];
  const loaders = boot.efiBootloaderPaths;
  if (expected.bootMode === 'uefi') {
    if (boot.espPartition === null) problems.push(imageProblem('BYOI_IMAGE_NO_ESP', {}, 'error'));
    else if (loaders.length === 0) {
      problems.push(imageProblem('BYOI_IMAGE_NO_EFI_LOADER', {}, 'error', `the EFI System Partition is partition ${boot.espPartition}`));
    }
  }
  if (expected.bootMode === 'legacy' && !boot.legacy) {
    problems.push(imageProblem('BYOI_IMAGE_NO_LEGACY_BOOT', { reason: legacyReason(report) }, 'warning'));
  }
  if (expected.efiBootloaderPath !== null && findEfiBootloaderPath(loaders, expected.efiBootloaderPath) === null) {
    const suggested = boot.suggestedEfiBootloaderPath;
    problems.push(
      imageProblem(
        'BYOI_EFI_PATH_NOT_FOUND',
        { path: expected.efiBootloaderPath, found: loaders.length === 0 ? 'no .efi file' : loaders.join(', ') },
        'warning',
        suggested === null ? undefined : `byoi suggests ${suggested}`,
      ),
    );
  }
  return problems;
}

/** Why detectLegacyBoot() said no, in a few words for the message. */
function legacyReason(report: PartitionTableReport | null): string {
  if (report === null) return 'there is no partition table';
  if (report.mbr === null) return 'sector 0 holds no MBR';
  if (!report.mbr.bootCode.present) return 'the MBR boot code area is empty';
  const biosBoot = report.table.partitions.some((p) => p.type.toUpperCase() === BIOS_BOOT_TYPE_GUID);
  if (report.table.type === 'gpt' && biosBoot) return 'the BIOS boot partition is empty';
  return 'the MBR has no partition to boot';
}
