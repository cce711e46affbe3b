import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import { listFatTree } from '../fat/list-fat-tree.ts';
import { detectFilesystem } from '../filesystem/detect-filesystem.ts';
import type { BootInfo, PartitionInfo, PartitionTableInfo } from '../inspect-result.ts';
import type { ReadAt } from '../read-at.ts';
import { detectLegacyBoot } from './detect-legacy-boot.ts';
import { findEspPartitions } from './find-esp-partitions.ts';
import { listEfiLoaders } from './list-efi-loaders.ts';
import { suggestEfiBootloaderPath } from './suggest-efi-bootloader-path.ts';

/**
 * Says how a disk image can boot: the ESP and its loaders (UEFI), and whether legacy BIOS boot looks possible.
 *
 * The ESP is the first partition of ESP type whose FAT holds a .efi file under \EFI; when none does, the
 * first partition of ESP type is still reported in `espPartition`, with `uefi` false. A partition of ESP type
 * that is not FAT at all has no loaders. A FAT that is broken (loops, bad chains, impossible sizes) throws
 * its BYOI_IMAGE_INVALID or BYOI_IMAGE_TRUNCATED with the partition named in `structure`.
 *
 * @example
 * ```ts
 * const boot = await analyzeBoot(disk, table);
 * boot.suggestedEfiBootloaderPath; // "\\EFI\\debian\\shimx64.efi"
 * ```
 */
export async function analyzeBoot(disk: ReadAt, table: PartitionTableInfo | null): Promise<BootInfo> {
  let espPartition: number | null = null;
  let loaders: string[] = [];
  for (const esp of table === null ? [] : findEspPartitions(table)) {
    if (espPartition === null) espPartition = esp.number;
    const found = await listEspLoaders(disk, esp);
    if (found.length > 0) {
      espPartition = esp.number;
      loaders = found;
      break;
    }
  }
  return {
    uefi: loaders.length > 0,
    legacy: await detectLegacyBoot(disk, table),
    efiBootloaderPaths: loaders,
    suggestedEfiBootloaderPath: suggestEfiBootloaderPath(loaders),
    espPartition,
  };
}

async function listEspLoaders(disk: ReadAt, esp: PartitionInfo): Promise<string[]> {
  const where = `EFI System Partition (partition ${esp.number})`;
  try {
    const filesystem = await detectFilesystem(disk, esp.start, esp.size);
    if (filesystem === null || filesystem.type !== 'vfat') return [];
    return listEfiLoaders(await listFatTree(disk, esp.start, esp.size));
  } catch (error) {
    if (isByoiError(error) && (error.code === 'BYOI_IMAGE_INVALID' || error.code === 'BYOI_IMAGE_TRUNCATED')) {
      const structure = error.params.structure ?? 'FAT volume';
      throw new ByoiError(error.code, { ...error.params, structure: `${where} ${structure}` }, { cause: error });
    }
    throw error;
  }
}
