import { bytesEqual, u16le, u32le, u8 } from '../bytes.ts';
import type { Problem } from '../inspect-result.ts';
import { invalidProblem } from '../partition-table/invalid-problem.ts';
import type { ReadAt } from '../read-at.ts';
import {
  MBR_BOOT_CODE,
  MBR_BOOT_CODE_SIZE,
  MBR_BOOT_SIGNATURE,
  MBR_BOOT_SIGNATURE_BYTES,
  MBR_DISK_SIGNATURE,
  MBR_ENTRY_COUNT,
  MBR_ENTRY_SIZE,
  MBR_PARTITION_ENTRIES,
  MBR_SIZE,
  PE_LBA_FIRST,
  PE_SECTOR_COUNT,
  PE_STATUS,
  PE_TYPE,
  STATUS_ACTIVE,
  STATUS_INACTIVE,
  TYPE_GPT_PROTECTIVE,
} from './mbr-layout.ts';

/** A used MBR or EBR entry (SectorCount not zero), with its LBA made absolute. */
export interface MbrEntry {
  /** 1..4 for primaries (the slot), 5 and up for logical partitions, as Linux numbers them. */
  number: number;
  /** Status byte; 0x80 is active (bootable). */
  status: number;
  active: boolean;
  /** Partition type byte. */
  type: number;
  /** First sector, counted from the start of the disk. */
  startLba: number;
  sectorCount: number;
}

export type MbrKind =
  /** Partitions described by the MBR itself (and EBRs). */
  | 'classic'
  /** One 0xEE entry covering the disk and nothing else: the GPT describes the partitions. */
  | 'protective'
  /** An 0xEE entry next to other used entries: a GPT with some partitions mirrored in the MBR. */
  | 'hybrid';

export interface Mbr {
  kind: MbrKind;
  /** The 32-bit disk signature at byte 440 (Linux's PTUUID). */
  diskSignature: number;
  /** Non-zero bytes in the boot code area (0..439), and the boot loader recognised there. */
  bootCode: { present: boolean; loader: 'grub' | null };
  /** Used primary entries in slot order (extended containers included). */
  primaries: MbrEntry[];
  /** Entries past the end of the image, overlapping entries, an entry over the MBR itself. */
  problems: Problem[];
}

/** GRUB 2's boot.img carries these strings for its error messages (grub-core/boot/i386/pc/boot.S). */
const grubMarker = [0x47, 0x52, 0x55, 0x42, 0x20]; // "GRUB "

/**
 * Reads the MBR in the first 512 bytes: disk signature, boot code, the four primary entries, and whether it
 * is protective or hybrid. Logical partitions are readLogicalPartitions()'s job.
 *
 * Never throws for bad bytes: damage is reported in `problems`.
 *
 * @param sectorSize logical sector size the LBAs count, for the past-the-end check; 512 unless known
 * @returns null when sector 0 is not a partition table: no 0x55AA signature, a status byte other than 0x00 and
 *   0x80 (Linux's test for a FAT boot sector), or no used entry in what looks like a volume boot record
 *
 * @example
 * ```ts
 * const mbr = await readMbr(source);
 * mbr?.kind; // "protective" on a GPT disk
 * ```
 */
export async function readMbr(source: ReadAt, sectorSize = 512): Promise<Mbr | null> {
  if (source.size < MBR_SIZE) return null;
  const sector = await source.readAt(0, MBR_SIZE);
  if (!bytesEqual(sector, MBR_BOOT_SIGNATURE, MBR_BOOT_SIGNATURE_BYTES)) return null;

  const primaries: MbrEntry[] = [];
  for (let slot = 0; slot < MBR_ENTRY_COUNT; slot++) {
    const base = MBR_PARTITION_ENTRIES + slot * MBR_ENTRY_SIZE;
    const status = u8(sector, base + PE_STATUS);
    // Linux block/partitions/msdos.c: any other status byte means this is not a partition table.
    if (status !== STATUS_ACTIVE && status !== STATUS_INACTIVE) return null;
    const sectorCount = u32le(sector, base + PE_SECTOR_COUNT);
    if (sectorCount === 0) continue;
    primaries.push({
      number: slot + 1,
      status,
      active: status === STATUS_ACTIVE,
      type: u8(sector, base + PE_TYPE),
      startLba: u32le(sector, base + PE_LBA_FIRST),
      sectorCount,
    });
  }
  if (primaries.length === 0 && looksLikeBootRecord(sector)) return null;

  const protective = primaries.filter((entry) => entry.type === TYPE_GPT_PROTECTIVE).length;
  const kind: MbrKind = protective === 0 ? 'classic' : protective === primaries.length ? 'protective' : 'hybrid';
  return {
    kind,
    diskSignature: u32le(sector, MBR_DISK_SIGNATURE),
    bootCode: bootCode(sector),
    primaries,
    problems: entryProblems(primaries, source.size, sectorSize),
  };
}

/** A FAT or NTFS boot sector without a partition table: an x86 jump, then a sane BytesPerSector. */
function looksLikeBootRecord(sector: Uint8Array): boolean {
  const jump = sector[0] === 0xeb || sector[0] === 0xe9;
  const bytesPerSector = u16le(sector, 11);
  return jump && [512, 1024, 2048, 4096].includes(bytesPerSector);
}

function bootCode(sector: Uint8Array): Mbr['bootCode'] {
  let present = false;
  for (let i = MBR_BOOT_CODE; i < MBR_BOOT_CODE + MBR_BOOT_CODE_SIZE; i++) {
    if (sector[i] !== 0) {
      present = true;
      break;
    }
  }
  let loader: 'grub' | null = null;
  for (let i = MBR_BOOT_CODE; present && i + grubMarker.length <= MBR_BOOT_CODE_SIZE; i++) {
    if (bytesEqual(sector, i, grubMarker)) {
      loader = 'grub';
      break;
    }
  }
  return { present, loader };
}

function entryProblems(primaries: readonly MbrEntry[], imageSize: number, sectorSize: number): Problem[] {
  const problems: Problem[] = [];
  const imageSectors = Math.floor(imageSize / sectorSize);
  for (const entry of primaries) {
    const structure = `MBR partition ${entry.number}`;
    const end = entry.startLba + entry.sectorCount;
    if (entry.startLba === 0) problems.push(invalidProblem(structure, 'it starts at LBA 0, over the MBR itself'));
    // A protective entry may claim 0xFFFFFFFF sectors whatever the disk size (UEFI §5.2.3).
    if (end > imageSectors && entry.type !== TYPE_GPT_PROTECTIVE) {
      problems.push(invalidProblem(structure, `it ends at LBA ${end - 1}, past the end of the image (${imageSectors} sectors)`));
    }
  }
  for (let i = 0; i < primaries.length; i++) {
    for (let j = i + 1; j < primaries.length; j++) {
      const a = primaries[i] as MbrEntry;
      const b = primaries[j] as MbrEntry;
      if (a.startLba < b.startLba + b.sectorCount && b.startLba < a.startLba + a.sectorCount) {
        problems.push(invalidProblem(`MBR partition ${b.number}`, `it overlaps partition ${a.number}`));
      }
    }
  }
  return problems;
}
