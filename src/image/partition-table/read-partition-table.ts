import type { PartitionTableInfo } from '../inspect-result.ts';
import type { ReadAt } from '../read-at.ts';
import { readPartitionTableReport } from './read-partition-table-report.ts';

/**
 * The partition table of an image or disk, in the shape `byoi inspect` prints: GPT first (512-byte, then
 * 4096-byte sectors), else MBR, else null. `filesystem`, `label` and `uuid` are left null for the filesystem
 * detector. readPartitionTableReport() also gives the raw MBR/GPT facts and the damage read around.
 *
 * @throws BYOI_IMAGE_INVALID / BYOI_IMAGE_TRUNCATED when a GPT is announced but no copy of it can be used
 *
 * @example
 * ```ts
 * const table = await readPartitionTable(bufferReadAt(bytes));
 * table?.type; // "gpt"
 * table?.gpt?.backupAtEnd; // true for an image straight from qemu-img
 * ```
 */
export async function readPartitionTable(source: ReadAt): Promise<PartitionTableInfo | null> {
  return (await readPartitionTableReport(source))?.table ?? null;
}
