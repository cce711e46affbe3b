import type { PartitionInfo, PartitionTableInfo } from '../inspect-result.ts';

/** UEFI 2.10 §5.3.3, defined GPT partition type GUIDs: the EFI System Partition. */
export const ESP_TYPE_GUID = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
/** UEFI 2.10 §5.2.1, legacy MBR: OSType 0xEF marks an EFI System Partition. */
export const ESP_MBR_TYPE = 'ef';

/**
 * The partitions that are EFI System Partitions by type (GPT type GUID or MBR type 0xEF), in table order.
 * Types compare without regard to case.
 */
export function findEspPartitions(table: PartitionTableInfo): PartitionInfo[] {
  const wanted = table.type === 'gpt' ? ESP_TYPE_GUID : ESP_MBR_TYPE;
  return table.partitions.filter((partition) => partition.type.toUpperCase() === wanted.toUpperCase());
}
