import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gptDiskLayout } from '../../../../src/image/gpt/gpt-disk-layout.ts';
import { planGptConfigDrive } from '../../../../src/image/partition-table/plan-gpt-config-drive.ts';
import { checkMbrConfigDriveSpace, planMbrConfigDrive } from '../../../../src/image/partition-table/plan-mbr-config-drive.ts';

const MiB = 1024 * 1024;
const header = { sectorSize: 512, firstUsableLba: 2048, numberOfPartitionEntries: 128, sizeOfPartitionEntry: 128 };

test('gptDiskLayout() puts the backup header at the last LBA and its entries just before', () => {
  assert.deepEqual(gptDiskLayout(header, 64 * MiB), { sectorSize: 512, backupHeaderLba: 131071, backupEntriesLba: 131039, lastUsableLba: 131038 });
  assert.deepEqual(gptDiskLayout({ ...header, sectorSize: 4096 }, 64 * MiB), { sectorSize: 4096, backupHeaderLba: 16383, backupEntriesLba: 16379, lastUsableLba: 16378 });
});

test('planGptConfigDrive() ends the config drive at the last usable LBA and starts it on a 1 MiB boundary', () => {
  const plan = planGptConfigDrive({ device: '/dev/sda', diskSize: 10 * 1024 ** 3, header, entries: [], sizeBytes: 64 * MiB, name: 'config-2' });
  assert.deepEqual(plan, { startLba: 20838400, endLba: 20971486, existing: null });
  assert.equal((plan.startLba * 512) % MiB, 0);
  assert.ok((plan.endLba + 1 - plan.startLba) * 512 >= 64 * MiB);
});

test('planGptConfigDrive() keeps a config drive that already ends the disk, and refuses a used end', () => {
  const entries = [{ number: 1, startingLba: 2048, endingLba: 20971486, name: 'root' }];
  assert.throws(() => planGptConfigDrive({ device: '/dev/sda', diskSize: 10 * 1024 ** 3, header, entries, sizeBytes: 64 * MiB, name: 'config-2' }), {
    code: 'BYOI_CONFIGDRIVE_NO_SPACE',
    message: `Could not create configdrive on disk: the last ${(20971486 + 1 - 20838400) * 512} bytes of /dev/sda are used by partition 1`,
  });
  const existing = { number: 2, startingLba: 20838400, endingLba: 20971486, name: 'config-2' };
  const plan = planGptConfigDrive({ device: '/dev/sda', diskSize: 10 * 1024 ** 3, header, entries: [existing], sizeBytes: 64 * MiB, name: 'config-2' });
  assert.equal(plan.existing, existing);
  const full = Array.from({ length: 4 }, (_, i) => ({ number: i + 1, startingLba: 2048 + i, endingLba: 2048 + i, name: '' }));
  assert.throws(() => planGptConfigDrive({ device: '/dev/sda', diskSize: 10 * 1024 ** 3, header: { ...header, numberOfPartitionEntries: 4 }, entries: full, sizeBytes: 64 * MiB, name: 'config-2' }), {
    code: 'BYOI_CONFIGDRIVE_FAILED',
    detail: '/dev/sda: all 4 GPT entries are used',
  });
  assert.throws(() => planGptConfigDrive({ device: '/dev/sda', diskSize: 32 * MiB, header, entries: [], sizeBytes: 64 * MiB, name: 'config-2' }), { code: 'BYOI_CONFIGDRIVE_FAILED' });
});

test('planMbrConfigDrive() refuses a full MBR, places the drive below 2 TiB on a larger disk, and checks overlaps', () => {
  assert.throws(() => planMbrConfigDrive({ device: '/dev/sda', diskSize: 1024 ** 3, sectorSize: 512, primaryCount: 4, sizeBytes: 64 * MiB }), { code: 'BYOI_CONFIGDRIVE_MBR_FULL' });
  const small = planMbrConfigDrive({ device: '/dev/sda', diskSize: 1024 ** 3, sectorSize: 512, primaryCount: 2, sizeBytes: 64 * MiB });
  assert.deepEqual(small, { device: '/dev/sda', sectorSize: 512, startLba: 1966080, endExclusive: 2097152, limited: false });
  checkMbrConfigDriveSpace(small, [{ number: 1, startLba: 2048, sectorCount: 1966080 - 2048 }]);
  assert.throws(() => checkMbrConfigDriveSpace(small, [{ number: 1, startLba: 2048, sectorCount: 1966080 }]), { code: 'BYOI_CONFIGDRIVE_NO_SPACE' });

  const big = planMbrConfigDrive({ device: '/dev/sdb', diskSize: 3 * 1024 ** 4, sectorSize: 512, primaryCount: 1, sizeBytes: 64 * MiB });
  assert.equal(big.limited, true);
  assert.equal(big.startLba * 512, 2 * 1024 ** 4 - 65 * MiB);
  assert.throws(() => checkMbrConfigDriveSpace(big, [{ number: 1, startLba: 2048, sectorCount: 0xffff_ffff - 2048 }]), { code: 'BYOI_CONFIGDRIVE_MBR_LIMIT' });
});
