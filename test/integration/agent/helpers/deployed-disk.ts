// What a deployed demo disk holds, read twice: with byoi's own readers (partition table, boot analysis, FAT) and
// with the real tools (sgdisk -v, blkid -p, mtype) as oracles.
import assert from 'node:assert/strict';
import { openDisk } from '../../../../src/deploy/disk/open-disk.ts';
import { readPartitionTable } from '../../../../src/image/partition-table/read-partition-table.ts';
import { analyzeBoot } from '../../../../src/image/boot/analyze-boot.ts';
import { readFatFile } from '../../../../src/image/fat/read-fat-file.ts';
import type { PartitionInfo, PartitionTableInfo } from '../../../../src/image/inspect-result.ts';
import { probeFilesystem, readConfigDriveFile } from '../../deploy/_fixtures.ts';
import { run } from '../../../helpers/tools.ts';

export interface DeployedDisk {
  table: PartitionTableInfo;
  configDrive: PartitionInfo;
  efiBootloaderPaths: string[];
  metaData: Record<string, unknown>;
  userData: Buffer | null;
  vendorData: Record<string, unknown>;
  /** The phone_home URL cloud-init would POST to (token included), from vendor_data.json. */
  phoneHomeUrl: string | null;
}

/** Reads the disk with byoi's readers, and checks the same facts with sgdisk, blkid and mtype. */
export async function readDeployedDisk(path: string): Promise<DeployedDisk> {
  const disk = await openDisk(path, { readOnly: true });
  try {
    const table = await readPartitionTable(disk);
    assert.ok(table !== null, 'the disk has a partition table');
    assert.equal(table.type, 'gpt');
    assert.equal(table.gpt?.backupAtEnd, true, 'the backup GPT is at the end of the disk');
    const configDrive = table.partitions.at(-1) as PartitionInfo;
    assert.ok(configDrive.start + configDrive.size <= disk.size);
    assert.ok(configDrive.start >= disk.size - 66 * 1024 * 1024, 'the config drive is in the last 64 MiB');
    const boot = await analyzeBoot(disk, table);
    const file = async (name: string) => {
      const bytes = await readFatFile(disk, configDrive.start, configDrive.size, name);
      return bytes === null ? null : Buffer.from(bytes);
    };
    const metaData = JSON.parse(String(await file('openstack/latest/meta_data.json'))) as Record<string, unknown>;
    const vendorData = JSON.parse(String(await file('openstack/latest/vendor_data.json'))) as Record<string, unknown>;
    const userData = await file('openstack/latest/user_data');

    // The oracles agree.
    const sgdisk = run('sgdisk', ['-v', path]);
    assert.match(sgdisk, /No problems found/, sgdisk);
    const tags = probeFilesystem(path, configDrive.start, configDrive.size);
    assert.equal(tags.LABEL, 'config-2');
    assert.equal(tags.TYPE, 'vfat');
    assert.deepEqual(JSON.parse(readConfigDriveFile(path, configDrive.start, 'openstack/latest/meta_data.json').toString('utf8')), metaData);
    if (userData !== null) assert.ok(readConfigDriveFile(path, configDrive.start, 'openstack/latest/user_data').equals(userData), 'mtype reads the same user_data');

    return { table, configDrive, efiBootloaderPaths: boot.efiBootloaderPaths, metaData, userData, vendorData, phoneHomeUrl: phoneHomeUrlOf(vendorData) };
  } finally {
    await disk.close();
  }
}

/** The phone_home URL in vendor_data.json's cloud-init part (a "#cloud-config" document in JSON form). */
export function phoneHomeUrlOf(vendorData: Record<string, unknown>): string | null {
  const part = vendorData['cloud-init'];
  const parts = Array.isArray(part) ? part : [part];
  for (const text of parts) {
    if (typeof text !== 'string' || !text.startsWith('#cloud-config')) continue;
    const config = JSON.parse(text.slice(text.indexOf('\n') + 1)) as { phone_home?: { url?: string } };
    if (typeof config.phone_home?.url === 'string') return config.phone_home.url;
  }
  return null;
}
