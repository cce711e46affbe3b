import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listBlockDevices } from '../../../src/agent/list-block-devices.ts';
import { tempDir } from '../../helpers/tools.ts';

function fakeDevice(root: string, name: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    const file = join(root, 'block', name, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `${text}\n`);
  }
}

test('listBlockDevices() reads sizes in 512-byte units, flags, serial and WWN from a sysfs tree', async (t) => {
  const root = tempDir(t);
  fakeDevice(root, 'nvme0n1', { size: '1875385008', removable: '0', ro: '0', 'queue/rotational': '0', wwid: 'eui.0025388b91b2c3d4', 'device/serial': 'S4EVNX0N123456  ', 'device/model': 'Samsung SSD 970' });
  fakeDevice(root, 'sda', { size: '7814037168', removable: '0', ro: '0', 'queue/rotational': '1', 'device/wwid': 'naa.5000c500a1b2c3d4' });
  fakeDevice(root, 'sr0', { size: '2097151', removable: '1', ro: '1' });
  const devices = await listBlockDevices(root);
  assert.deepEqual(devices.map((d) => [d.path, d.sizeBytes, d.rotational, d.removable, d.readOnly, d.serial, d.wwn]), [
    ['/dev/nvme0n1', 1875385008 * 512, false, false, false, 'S4EVNX0N123456', 'eui.0025388b91b2c3d4'],
    ['/dev/sda', 7814037168 * 512, true, false, false, null, 'naa.5000c500a1b2c3d4'],
    ['/dev/sr0', 2097151 * 512, false, true, true, null, null],
  ]);
  assert.equal(devices[0]?.model, 'Samsung SSD 970');
});

test('listBlockDevices() answers an empty list without sysfs', async (t) => {
  assert.deepEqual(await listBlockDevices(join(tempDir(t), 'nothing')), []);
});
