// The partition table as sfdisk reads it, in byoi's PartitionTableInfo shape, so the boot tests do not depend
// on byoi's own partition-table reader.
import { run } from '../../../helpers/tools.ts';
import type { PartitionTableInfo } from '../../../../src/image/inspect-result.ts';

interface SfdiskPartition {
  node: string;
  start: number;
  size: number;
  type: string;
  name?: string;
  bootable?: boolean;
  attrs?: string;
}

interface SfdiskJson {
  partitiontable: {
    label: 'gpt' | 'dos';
    id: string;
    sectorsize: number;
    firstlba?: number;
    lastlba?: number;
    partitions?: SfdiskPartition[];
  };
}

export function sfdiskTable(image: string): PartitionTableInfo {
  const json = JSON.parse(run('sfdisk', ['--json', image])) as SfdiskJson;
  const table = json.partitiontable;
  const sector = table.sectorsize;
  const gpt = table.label === 'gpt';
  const info: PartitionTableInfo = {
    type: gpt ? 'gpt' : 'mbr',
    sectorSize: sector,
    id: gpt ? table.id : table.id.replace(/^0x/, ''),
    partitions: (table.partitions ?? []).map((p) => ({
      number: Number(/(\d+)$/.exec(p.node)?.[1]),
      start: p.start * sector,
      size: p.size * sector,
      type: gpt ? p.type.toUpperCase() : p.type.toLowerCase(),
      typeName: null,
      name: gpt ? (p.name ?? '') : null,
      filesystem: null,
      label: null,
      uuid: null,
      bootable: gpt ? (p.attrs ?? '').includes('LegacyBIOSBootable') : p.bootable === true,
    })),
  };
  if (gpt) {
    info.gpt = {
      firstUsableLba: table.firstlba ?? 34,
      lastUsableLba: table.lastlba ?? 0,
      backupLba: (table.lastlba ?? 0) + 33,
      backupValid: true,
      backupAtEnd: true,
      entryCount: 128,
      entrySize: 128,
    };
  }
  return info;
}
