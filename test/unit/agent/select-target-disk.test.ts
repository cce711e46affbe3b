import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareKernelNames, selectTargetDisk, type BlockDevice } from '../../../src/agent/select-target-disk.ts';
import type { AgentJob } from '../../../src/contract/agent/agent-protocol.ts';

const G = 1000 ** 3;

function device(name: string, sizeBytes: number, extra: Partial<BlockDevice> = {}): BlockDevice {
  return { name, path: `/dev/${name}`, sizeBytes, removable: false, readOnly: false, rotational: false, serial: null, wwn: null, model: null, ...extra };
}

function job(disk: AgentJob['disk'], diskGroups: AgentJob['diskGroups']): Pick<AgentJob, 'serverName' | 'disk' | 'diskGroups'> {
  return { serverName: 'ns1.test', disk, diskGroups };
}

const twoGroups: AgentJob['diskGroups'] = [
  { diskGroupId: 1, diskType: 'NVMe', disks: [{ sizeBytes: 960 * G }, { sizeBytes: 960 * G }] },
  { diskGroupId: 2, diskType: 'HDD', disks: [{ sizeBytes: 4000 * G }] },
];

test('selectTargetDisk() takes the registered device when there is one', () => {
  const chosen = selectTargetDisk(job({ diskGroupId: 1, sizeBytes: 1, device: '/dev/sdb' }, []), [device('sda', 10), device('sdb', 20)]);
  assert.deepEqual([chosen.path, chosen.by], ['/dev/sdb', 'device']);
  assert.throws(() => selectTargetDisk(job({ diskGroupId: 1, sizeBytes: 1, device: '/dev/sdz' }, []), [device('sda', 10)]), {
    code: 'BYOI_AGENT_DISK_NOT_FOUND',
    message: /^Cannot find the target disk of disk group 1 on server ns1\.test: the registered device \/dev\/sdz does not exist \(found: \/dev\/sda 10 bytes\)$/,
  });
});

test('selectTargetDisk() matches a WWN without its naa./0x prefix and case, and a serial trimmed', () => {
  const devices = [device('sda', 10, { wwn: 'naa.5000C500A1B2C3D4' }), device('sdb', 10, { serial: '  S4EV123 ' })];
  assert.equal(selectTargetDisk(job({ diskGroupId: 1, sizeBytes: 10, wwn: '0x5000c500a1b2c3d4' }, []), devices).path, '/dev/sda');
  assert.equal(selectTargetDisk(job({ diskGroupId: 1, sizeBytes: 10, serial: 'S4EV123' }, []), devices).by, 'serial');
  assert.throws(() => selectTargetDisk(job({ diskGroupId: 1, sizeBytes: 10, serial: 'nope' }, []), devices), /0 devices have the registered serial nope/);
});

test('selectTargetDisk() by size: the first disk of the group is the first matching device in kernel order', () => {
  const devices = [device('nvme1n1', 960 * G), device('nvme0n1', 960 * G), device('sda', 4000 * G, { rotational: true }), device('sdb', 32 * G, { removable: true })];
  assert.equal(selectTargetDisk(job({ diskGroupId: 1, sizeBytes: 960 * G }, twoGroups), devices).path, '/dev/nvme0n1');
  assert.equal(selectTargetDisk(job({ diskGroupId: 2, sizeBytes: 4000 * G }, twoGroups), devices).path, '/dev/sda');
});

test('selectTargetDisk() accepts a registered size rounded within 1 %', () => {
  const chosen = selectTargetDisk(job({ diskGroupId: 2, sizeBytes: 4000 * G }, twoGroups), [device('nvme0n1', 960197124096), device('nvme1n1', 960197124096), device('sda', 4000787030016, { rotational: true })]);
  assert.equal(chosen.path, '/dev/sda');
});

test('selectTargetDisk() refuses to guess when the devices of that size do not match the inventory', () => {
  // Three 960 GB devices for two registered: one of them is not in the inventory, so no position is safe.
  const devices = [device('nvme0n1', 960 * G), device('nvme1n1', 960 * G), device('nvme2n1', 960 * G)];
  assert.throws(() => selectTargetDisk(job({ diskGroupId: 1, sizeBytes: 960 * G }, twoGroups), devices), {
    code: 'BYOI_AGENT_DISK_NOT_FOUND',
    message: /3 devices \(\/dev\/nvme0n1, \/dev\/nvme1n1, \/dev\/nvme2n1\) have 960000000000 bytes, but the inventory has 2 such disks: register the disk's device, serial or WWN/,
  });
  assert.throws(() => selectTargetDisk(job({ diskGroupId: 2, sizeBytes: 4000 * G }, twoGroups), [device('sda', 2000 * G)]), /no usable device has 4000000000000 bytes/);
});

test('selectTargetDisk() never picks removable, read-only or virtual devices, nor one another disk names', () => {
  const groups: AgentJob['diskGroups'] = [
    { diskGroupId: 1, diskType: 'SSD', disks: [{ sizeBytes: 480 * G }] },
    { diskGroupId: 2, diskType: 'SSD', disks: [{ sizeBytes: 480 * G, serial: 'OTHER' }] },
  ];
  const devices = [device('loop0', 480 * G), device('sda', 480 * G, { readOnly: true }), device('sdb', 480 * G, { serial: 'OTHER' }), device('sdc', 480 * G)];
  assert.equal(selectTargetDisk(job({ diskGroupId: 1, sizeBytes: 480 * G }, groups), devices).path, '/dev/sdc');
});

test('compareKernelNames() sorts as the kernel numbers devices', () => {
  assert.deepEqual(['sdaa', 'sdb', 'sdz', 'sda'].sort(compareKernelNames), ['sda', 'sdb', 'sdz', 'sdaa']);
  assert.deepEqual(['nvme10n1', 'nvme2n1', 'nvme0n2', 'nvme0n1'].sort(compareKernelNames), ['nvme0n1', 'nvme0n2', 'nvme2n1', 'nvme10n1']);
});
