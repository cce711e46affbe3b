import type { DeployWarning } from '../../contract/deploy-events.ts';
import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import { analyzeBoot } from '../../image/boot/analyze-boot.ts';
import { detectLegacyBoot } from '../../image/boot/detect-legacy-boot.ts';
import { findEfiBootloaderPath } from '../../image/boot/find-efi-bootloader-path.ts';
import type { BootInfo, PartitionTableInfo } from '../../image/inspect-result.ts';
import type { ReadAt } from '../../image/read-at.ts';
import type { BootMode } from './deploy-options.ts';

export interface BootReport {
  /** The loader that boots this disk: the user's path in the ESP's spelling when it exists, else byoi's suggestion. */
  efiBootloaderPath: string | null;
  efiBootloaderPaths: string[];
  legacyBoot: boolean;
  warnings: DeployWarning[];
}

/**
 * The boot phase: reads the written ESP through the holdback view and says which efiBootloaderPath exists.
 * The user's path is matched without regard to case (FAT and the firmware ignore it); when it is not there, a
 * BYOI_EFI_PATH_NOT_FOUND warning lists the loaders that are, and the suggested one is reported instead.
 *
 * @throws ByoiError when uefi boot is asked for: BYOI_IMAGE_NO_ESP, BYOI_IMAGE_NO_EFI_LOADER, or the FAT
 *   reader's BYOI_IMAGE_INVALID / BYOI_IMAGE_TRUNCATED for a broken ESP
 */
export async function reportBoot(view: ReadAt, table: PartitionTableInfo, requested: string | null, bootMode: BootMode | null): Promise<BootReport> {
  const warnings: DeployWarning[] = [];
  let boot: BootInfo;
  try {
    boot = await analyzeBoot(view, table);
  } catch (error) {
    const unreadable = isByoiError(error) && (error.code === 'BYOI_IMAGE_INVALID' || error.code === 'BYOI_IMAGE_TRUNCATED');
    if (!unreadable || bootMode === 'uefi') throw error;
    warnings.push({ code: error.code, message: error.message });
    const legacy = await detectLegacyBoot(view, table).catch(() => false);
    return { efiBootloaderPath: null, efiBootloaderPaths: [], legacyBoot: legacy, warnings };
  }
  const loaders = boot.efiBootloaderPaths;
  if (bootMode === 'uefi' && loaders.length === 0) {
    throw new ByoiError(boot.espPartition === null ? 'BYOI_IMAGE_NO_ESP' : 'BYOI_IMAGE_NO_EFI_LOADER');
  }
  let efiBootloaderPath = boot.suggestedEfiBootloaderPath;
  if (requested !== null) {
    const found = findEfiBootloaderPath(loaders, requested);
    if (found !== null) {
      efiBootloaderPath = found;
    } else {
      const missing = new ByoiError('BYOI_EFI_PATH_NOT_FOUND', { path: requested, found: loaders.length === 0 ? 'no .efi file' : loaders.join(', ') });
      const warning: DeployWarning = { code: missing.code, message: missing.message };
      if (boot.suggestedEfiBootloaderPath !== null) warning.detail = `byoi suggests ${boot.suggestedEfiBootloaderPath}`;
      warnings.push(warning);
    }
  }
  return { efiBootloaderPath, efiBootloaderPaths: loaders, legacyBoot: boot.legacy, warnings };
}
