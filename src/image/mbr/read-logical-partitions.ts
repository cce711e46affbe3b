import { bytesEqual, u32le, u8 } from '../bytes.ts';
import type { Problem } from '../inspect-result.ts';
import { invalidProblem } from '../partition-table/invalid-problem.ts';
import type { ReadAt } from '../read-at.ts';
import {
  EBR_CHAIN_MAX_LENGTH,
  isExtendedType,
  MBR_BOOT_SIGNATURE,
  MBR_BOOT_SIGNATURE_BYTES,
  MBR_ENTRY_COUNT,
  MBR_ENTRY_SIZE,
  MBR_PARTITION_ENTRIES,
  MBR_SIZE,
  PE_LBA_FIRST,
  PE_SECTOR_COUNT,
  PE_STATUS,
  PE_TYPE,
  STATUS_ACTIVE,
} from './mbr-layout.ts';
import type { MbrEntry } from './read-mbr.ts';

export interface LogicalPartitions {
  /** Logical partitions in chain order, numbered from `firstNumber`. */
  logicals: MbrEntry[];
  /** Where the chain was cut short or a logical partition is out of place. */
  problems: Problem[];
}

/**
 * Walks the chain of extended boot records (EBRs) inside an extended partition (FORMAT.md "Logical
 * partitions"). In each EBR the first used non-extended entry is a logical partition, its start relative to
 * that EBR; the first extended entry links the next EBR, its start relative to the extended partition.
 *
 * Never throws for bad bytes and never loops: an EBR seen twice, an EBR outside the extended partition or the
 * image, an EBR without 0x55AA and a chain longer than EBR_CHAIN_MAX_LENGTH end the walk with a problem.
 *
 * @param extended the primary entry of type 0x05, 0x0F or 0x85
 * @param firstNumber number of the first logical partition (5, as Linux counts)
 *
 * @example
 * ```ts
 * const extended = mbr.primaries.find((entry) => isExtendedType(entry.type));
 * const { logicals } = await readLogicalPartitions(source, extended, 512);
 * logicals[0].number; // 5
 * ```
 */
export async function readLogicalPartitions(
  source: ReadAt,
  extended: MbrEntry,
  sectorSize: number,
  firstNumber = 5,
): Promise<LogicalPartitions> {
  const logicals: MbrEntry[] = [];
  const problems: Problem[] = [];
  const extendedEnd = extended.startLba + extended.sectorCount;
  const imageSectors = Math.floor(source.size / sectorSize);
  const seen = new Set<number>();
  let ebrLba = extended.startLba;

  for (let links = 0; ; links++) {
    const structure = `EBR at LBA ${ebrLba}`;
    if (links >= EBR_CHAIN_MAX_LENGTH) {
      problems.push(invalidProblem(structure, `the chain is longer than byoi's limit of ${EBR_CHAIN_MAX_LENGTH} links; the rest is ignored`));
      break;
    }
    if (seen.has(ebrLba)) {
      problems.push(invalidProblem(structure, 'the EBR chain loops back to an EBR already read; the rest is ignored'));
      break;
    }
    seen.add(ebrLba);
    if (ebrLba < extended.startLba || ebrLba >= extendedEnd) {
      problems.push(invalidProblem(structure, `it is outside the extended partition (LBA ${extended.startLba}..${extendedEnd - 1})`));
      break;
    }
    if ((ebrLba + 1) * sectorSize > source.size) {
      problems.push(invalidProblem(structure, `it is past the end of the image (${imageSectors} sectors)`));
      break;
    }
    const sector = await source.readAt(ebrLba * sectorSize, MBR_SIZE);
    if (!bytesEqual(sector, MBR_BOOT_SIGNATURE, MBR_BOOT_SIGNATURE_BYTES)) {
      problems.push(invalidProblem(structure, 'it has no 0x55AA signature'));
      break;
    }

    let logical: { type: number; status: number; relativeStart: number; sectorCount: number } | null = null;
    let nextRelative: number | null = null;
    for (let slot = 0; slot < MBR_ENTRY_COUNT; slot++) {
      const base = MBR_PARTITION_ENTRIES + slot * MBR_ENTRY_SIZE;
      const sectorCount = u32le(sector, base + PE_SECTOR_COUNT);
      const type = u8(sector, base + PE_TYPE);
      if (sectorCount === 0 || type === 0) continue;
      if (isExtendedType(type)) {
        nextRelative ??= u32le(sector, base + PE_LBA_FIRST);
      } else {
        logical ??= { type, status: u8(sector, base + PE_STATUS), relativeStart: u32le(sector, base + PE_LBA_FIRST), sectorCount };
      }
    }

    if (logical !== null) {
      const entry: MbrEntry = {
        number: firstNumber + logicals.length,
        status: logical.status,
        active: logical.status === STATUS_ACTIVE,
        type: logical.type,
        startLba: ebrLba + logical.relativeStart,
        sectorCount: logical.sectorCount,
      };
      logicals.push(entry);
      const end = entry.startLba + entry.sectorCount;
      const where = `MBR logical partition ${entry.number}`;
      if (logical.relativeStart === 0) problems.push(invalidProblem(where, 'it starts on its own EBR'));
      if (entry.startLba < extended.startLba || end > extendedEnd) {
        problems.push(invalidProblem(where, `it is not inside the extended partition (LBA ${extended.startLba}..${extendedEnd - 1})`));
      }
      if (end > imageSectors) problems.push(invalidProblem(where, `it ends at LBA ${end - 1}, past the end of the image (${imageSectors} sectors)`));
    }
    if (nextRelative === null) break;
    ebrLba = extended.startLba + nextRelative;
  }
  return { logicals, problems };
}
