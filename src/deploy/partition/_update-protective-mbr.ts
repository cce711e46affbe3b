import { bytesEqual, u32le, u8, writeU32le } from '../../image/bytes.ts';
import {
  MBR_BOOT_SIGNATURE,
  MBR_BOOT_SIGNATURE_BYTES,
  MBR_ENTRY_COUNT,
  MBR_ENTRY_SIZE,
  MBR_PARTITION_ENTRIES,
  MBR_SIZE,
  PE_SECTOR_COUNT,
  PE_TYPE,
  TYPE_GPT_PROTECTIVE,
} from '../../image/mbr/mbr-layout.ts';
import type { DiskIO } from '../disk/disk-io.ts';

/** What happened to sector 0: a protective entry resized, or left alone (hybrid MBR, no MBR). */
export type ProtectiveMbrUpdate = 'updated' | 'unchanged' | 'hybrid' | 'absent';

/**
 * Sets the SizeInLBA of a protective MBR's 0xEE entry to cover the whole disk (UEFI §5.2.3): the disk's last
 * LBA, or 0xFFFFFFFF when that does not fit in 32 bits. A hybrid MBR is left alone: its 0xEE entry covers only
 * what the other entries do not, on purpose.
 */
export async function updateProtectiveMbr(disk: DiskIO, sectorSize: number): Promise<ProtectiveMbrUpdate> {
  const sector = (await disk.readAt(0, MBR_SIZE)).slice();
  if (!bytesEqual(sector, MBR_BOOT_SIGNATURE, MBR_BOOT_SIGNATURE_BYTES)) return 'absent';
  let protectiveSlot = -1;
  let used = 0;
  for (let slot = 0; slot < MBR_ENTRY_COUNT; slot++) {
    const base = MBR_PARTITION_ENTRIES + slot * MBR_ENTRY_SIZE;
    if (u32le(sector, base + PE_SECTOR_COUNT) === 0 && u8(sector, base + PE_TYPE) === 0) continue;
    used++;
    if (u8(sector, base + PE_TYPE) === TYPE_GPT_PROTECTIVE) protectiveSlot = slot;
  }
  if (protectiveSlot < 0) return 'absent';
  if (used > 1) return 'hybrid';
  const field = MBR_PARTITION_ENTRIES + protectiveSlot * MBR_ENTRY_SIZE + PE_SECTOR_COUNT;
  const lastLba = Math.floor(disk.size / sectorSize) - 1;
  const size = Math.min(lastLba, 0xffffffff);
  if (u32le(sector, field) === size) return 'unchanged';
  writeU32le(sector, field, size);
  await disk.writeAt(0, sector);
  return 'updated';
}
