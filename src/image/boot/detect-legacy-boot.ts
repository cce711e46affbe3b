import { isAllZero } from '../bytes.ts';
import type { PartitionTableInfo } from '../inspect-result.ts';
import { readAtMost, type ReadAt } from '../read-at.ts';

/** GPT type GUID of GRUB's BIOS boot partition, where core.img lives on GPT disks. */
export const BIOS_BOOT_TYPE_GUID = '21686148-6449-6E6F-744E-656564454649';
/** The MBR's boot code area: bytes 0..439, before the disk signature at 440 and the table at 446. */
const BOOT_CODE_BYTES = 440;
const MBR_SIGNATURE_OFFSET = 510;
/** How much of a BIOS boot partition is looked at: GRUB writes core.img from its first sector. */
const BIOS_BOOT_PROBE_BYTES = 4096;

/**
 * Says whether legacy BIOS boot looks possible. The BIOS runs the MBR only when it ends with 0x55AA, and
 * the MBR must hold code (bytes 0..439 not all zero, e.g. GRUB's boot.img). Then:
 * - MBR table: at least one partition;
 * - GPT: if there is a BIOS boot partition, one of them must hold data (GRUB's boot.img jumps to core.img
 *   there; an empty one means grub-install never ran); with none, the boot code in the protective MBR is
 *   trusted (syslinux's gptmbr.bin, GRUB embedded elsewhere).
 * An image without a partition table never boots in legacy mode through byoi.
 */
export async function detectLegacyBoot(disk: ReadAt, table: PartitionTableInfo | null): Promise<boolean> {
  if (table === null) return false;
  const mbr = await readAtMost(disk, 0, 512);
  if (mbr.length < 512) return false;
  if (mbr[MBR_SIGNATURE_OFFSET] !== 0x55 || mbr[MBR_SIGNATURE_OFFSET + 1] !== 0xaa) return false;
  if (isAllZero(mbr.subarray(0, BOOT_CODE_BYTES))) return false;

  if (table.type === 'mbr') return table.partitions.length > 0;

  const biosBoot = table.partitions.filter((p) => p.type.toUpperCase() === BIOS_BOOT_TYPE_GUID);
  if (biosBoot.length === 0) return true;
  for (const partition of biosBoot) {
    const head = await readAtMost(disk, partition.start, Math.min(partition.size, BIOS_BOOT_PROBE_BYTES));
    if (!isAllZero(head)) return true;
  }
  return false;
}
