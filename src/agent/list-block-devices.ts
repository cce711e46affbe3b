import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlockDevice } from './select-target-disk.ts';

/**
 * The whole-disk block devices the kernel shows under `<sysRoot>/block` (partitions live one level down and
 * are not listed there). Sizes come from `size`, which the kernel always counts in 512-byte units whatever the
 * logical sector size. Files a driver does not provide (serial, wwid) read as null.
 *
 * @param sysRoot where sysfs is mounted; tests point it at a fake tree
 * @example
 * ```ts
 * const devices = await listBlockDevices(); // [{ name: 'nvme0n1', path: '/dev/nvme0n1', sizeBytes: 960197124096, ... }]
 * ```
 */
export async function listBlockDevices(sysRoot = '/sys'): Promise<BlockDevice[]> {
  const root = join(sysRoot, 'block');
  let names: string[];
  try {
    names = (await readdir(root)).sort();
  } catch {
    return [];
  }
  const devices: BlockDevice[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const sectors = Number(await readText(join(dir, 'size')));
    devices.push({
      name,
      path: `/dev/${name}`,
      sizeBytes: Number.isSafeInteger(sectors) ? sectors * 512 : 0,
      removable: (await readText(join(dir, 'removable'))) === '1',
      readOnly: (await readText(join(dir, 'ro'))) === '1',
      rotational: (await readText(join(dir, 'queue', 'rotational'))) === '1',
      // SCSI/SATA disks have device/serial only through udev; NVMe has device/serial. wwid: NVMe and SCSI.
      serial: (await readText(join(dir, 'device', 'serial'))) ?? (await readText(join(dir, 'serial'))),
      wwn: (await readText(join(dir, 'wwid'))) ?? (await readText(join(dir, 'device', 'wwid'))),
      model: await readText(join(dir, 'device', 'model')),
    });
  }
  return devices;
}

async function readText(path: string): Promise<string | null> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return text === '' ? null : text;
  } catch {
    return null;
  }
}
