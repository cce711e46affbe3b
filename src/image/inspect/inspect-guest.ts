import { analyzeBoot } from '../boot/analyze-boot.ts';
import { detectLegacyBoot } from '../boot/detect-legacy-boot.ts';
import { findEspPartitions } from '../boot/find-esp-partitions.ts';
import { describeContents } from '../filesystem/describe-contents.ts';
import { detectFilesystem } from '../filesystem/detect-filesystem.ts';
import type { BootInfo, PartitionTableInfo } from '../inspect-result.ts';
import { EXTENDED_TYPES } from '../mbr/mbr-layout.ts';
import { readPartitionTableReport, type PartitionTableReport } from '../partition-table/read-partition-table-report.ts';
import type { ReadAt } from '../read-at.ts';
import type { StepRunner } from './create-step-runner.ts';
import { problemFromReport } from './image-problem.ts';

/** What the guest disk holds: its partition table (with filesystems), or what it seems to contain, and its boot facts. */
export interface GuestFacts {
  /** The reader's full report (raw MBR and GPT facts), for the partition-edit checks. */
  report: PartitionTableReport | null;
  partitionTable: PartitionTableInfo | null;
  /** False when the partition table could not be read at all (a problem or an unchecked note says why). */
  tableRead: boolean;
  /** describeContents()'s words when there is no partition table, else null. */
  contents: string | null;
  boot: BootInfo;
}

/** Boot facts of an image whose guest disk cannot be read (a fresh object each time: callers may fill it). */
export function noBootInfo(): BootInfo {
  return { uefi: false, legacy: false, efiBootloaderPaths: [], suggestedEfiBootloaderPath: null, espPartition: null };
}

const extendedTypes = new Set(EXTENDED_TYPES.map((type) => type.toString(16).padStart(2, '0')));

/**
 * Reads the guest disk as the deploy will write it: the partition table (damage read around becomes warnings),
 * the filesystem, label and UUID of every partition (as `blkid -p` names them), or, without a table, what the
 * disk seems to contain; then the boot facts (ESP loaders, legacy boot code). A failing step becomes a problem
 * and the others still run.
 */
export async function inspectGuest(guest: ReadAt, steps: StepRunner): Promise<GuestFacts> {
  const facts: GuestFacts = { report: null, partitionTable: null, tableRead: false, contents: null, boot: noBootInfo() };
  // Wrapped, so that "no table" (report null) and "the table could not be read" (null) stay apart.
  const read = await steps.attempt('partition table', async () => ({ report: await readPartitionTableReport(guest) }));
  facts.tableRead = read !== null;
  const report = read?.report ?? null;
  if (report === null) {
    if (facts.tableRead) facts.contents = await steps.attempt('contents', () => describeContents(guest));
    return facts;
  }
  facts.report = report;
  facts.partitionTable = report.table;
  steps.add(...report.problems.map((problem) => problemFromReport(problem, 'warning')));

  for (const partition of report.table.partitions) {
    // An extended partition holds the EBR chain, not a filesystem; blkid -p says nothing there either.
    if (report.table.type === 'mbr' && extendedTypes.has(partition.type)) continue;
    // A partition past the end of the image (reported above) is probed for what the image holds of it.
    const length = Math.min(partition.size, guest.size - partition.start);
    if (partition.start >= guest.size || length <= 0) continue;
    const found = await steps.attempt(`filesystem of partition ${partition.number}`, () => detectFilesystem(guest, partition.start, length));
    if (found === null) continue;
    partition.filesystem = found.type;
    partition.label = found.label;
    partition.uuid = found.uuid;
  }

  const table = report.table;
  const boot = await steps.attempt('boot facts', () => analyzeBoot(guest, table));
  if (boot !== null) {
    facts.boot = boot;
  } else {
    // The ESP could not be read: keep what is known without it.
    facts.boot.espPartition = findEspPartitions(table)[0]?.number ?? null;
    facts.boot.legacy = (await steps.attempt('legacy boot code', () => detectLegacyBoot(guest, table))) ?? false;
  }
  return facts;
}
