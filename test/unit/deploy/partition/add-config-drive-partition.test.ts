import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addConfigDrivePartition } from '../../../../src/deploy/partition/add-config-drive-partition.ts';
import { relocateGptBackup } from '../../../../src/deploy/partition/relocate-gpt-backup.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import {
  fileDisk,
  MiB,
  nodeNumber,
  resize,
  sfdiskImage,
  sfdiskJson,
  sfdiskVerify,
  sgdiskImage,
  sgdiskVerify,
  sparseFile,
  withLoop4k,
  type SfdiskTable,
} from '../../image/partition-table/_fixtures.ts';

const gptLayout = ['-n', '1:2048:+1M', '-t', '1:ef02', '-n', '2:0:+10M', '-t', '2:ef00', '-n', '3:0:0', '-t', '3:8304', '-c', '3:root'];
const TiB = 1024 * 1024 * MiB;

function partitionOf(table: SfdiskTable, number: number): SfdiskTable['partitions'][number] | undefined {
  return table.partitions.find((p) => nodeNumber(p.node) === number);
}

test('addConfigDrivePartition() adds config-2 at the end of a GPT disk where Ironic puts it', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk')) return;
  const dir = tempDir(t);
  const path = sgdiskImage(dir, 'disk.img', 64 * MiB, gptLayout);
  resize(path, 1024 * MiB);
  const disk = await fileDisk(t, path);
  await relocateGptBackup(disk);
  const partition = await addConfigDrivePartition(disk, { uniqueGuid: '0c6a1b2e-1111-4222-8333-444455556666' });
  assert.deepEqual(partition, {
    table: 'gpt',
    number: 4,
    start: 1024 * MiB - 65 * MiB,
    size: 65 * MiB - 33 * 512,
    type: 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7',
    uniqueGuid: '0C6A1B2E-1111-4222-8333-444455556666',
    reused: false,
  });
  assert.match(sgdiskVerify(path), /No problems found/);
  assert.match(sfdiskVerify(path), /No errors detected/);
  const oracle = sfdiskJson(path);
  assert.deepEqual(partitionOf(oracle, 4), {
    node: `${path}4`,
    start: partition.start / 512,
    size: partition.size / 512,
    type: partition.type,
    uuid: partition.uniqueGuid,
    name: 'config-2',
  });

  // The same place as Ironic's `sgdisk -n 0:-64MB:0` on the same disk.
  const ironic = sgdiskImage(dir, 'ironic.img', 64 * MiB, gptLayout);
  resize(ironic, 1024 * MiB);
  run('sgdisk', ['-e', ironic]);
  run('sgdisk', ['-n', '0:-64MB:0', ironic]);
  const reference = partitionOf(sfdiskJson(ironic), 4);
  assert.deepEqual([reference?.start, reference?.size], [partition.start / 512, partition.size / 512]);
});

test('addConfigDrivePartition() moves the GPT backup to the end itself when needed', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'disk.img', 64 * MiB, gptLayout);
  resize(path, 512 * MiB);
  const partition = await addConfigDrivePartition(await fileDisk(t, path));
  assert.equal(partition.start + partition.size, 512 * MiB - 33 * 512);
  assert.match(sgdiskVerify(path), /No problems found/);
});

test('addConfigDrivePartition() keeps a config-2 partition it already made', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'disk.img', 64 * MiB, gptLayout);
  resize(path, 512 * MiB);
  const disk = await fileDisk(t, path);
  const first = await addConfigDrivePartition(disk);
  const second = await addConfigDrivePartition(disk);
  assert.deepEqual(second, { ...first, reused: true });
  assert.match(sgdiskVerify(path), /No problems found/);
});

test('addConfigDrivePartition() adds config-2 on a disk with 4096-byte sectors', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk', 'losetup')) return;
  const path = sparseFile(tempDir(t), 'disk4k.img', 64 * MiB);
  if (!withLoop4k(t, path, (device) => run('sgdisk', [...gptLayout, device]))) return;
  resize(path, 512 * MiB);
  const partition = await addConfigDrivePartition(await fileDisk(t, path, 4096));
  assert.equal(partition.start, 512 * MiB - 65 * MiB);
  assert.equal(partition.size, 65 * MiB - 5 * 4096);
  let verify = '';
  let oracle: SfdiskTable | undefined;
  withLoop4k(t, path, (device) => {
    verify = sgdiskVerify(device);
    oracle = sfdiskJson(device);
  });
  assert.match(verify, /No problems found/);
  const entry = oracle && partitionOf(oracle, 4);
  assert.deepEqual([entry?.start, entry?.size, entry?.name], [partition.start / 4096, partition.size / 4096, 'config-2']);
});

test('addConfigDrivePartition() refuses a GPT disk whose end is used by the image', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'full.img', 256 * MiB, gptLayout);
  await assert.rejects(addConfigDrivePartition(await fileDisk(t, path)), {
    code: 'BYOI_CONFIGDRIVE_NO_SPACE',
    message: `Could not create configdrive on disk: the last ${65 * MiB - 33 * 512} bytes of ${path} are used by partition 3`,
  });
  assert.match(sgdiskVerify(path), /No problems found/);
});

test('addConfigDrivePartition() adds a primary partition at the end of an MBR disk', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'mbr.img', 64 * MiB, [
    'label: dos',
    '1: start=2048, size=16384, type=83, bootable',
    '2: start=18432, size=32768, type=5',
    '5: start=20480, size=8192, type=82',
    '6: start=30720, size=8192, type=83',
    '',
  ].join('\n'));
  const before = sfdiskJson(path);
  resize(path, 512 * MiB);
  const partition = await addConfigDrivePartition(await fileDisk(t, path));
  assert.deepEqual(partition, { table: 'mbr', number: 3, start: 448 * MiB, size: 64 * MiB, type: '0c', uniqueGuid: null, reused: false });
  assert.match(sfdiskVerify(path), /No errors detected/);
  const after = sfdiskJson(path);
  assert.deepEqual(partitionOf(after, 3), { node: `${path}3`, start: 448 * 2048, size: 64 * 2048, type: 'c' });
  assert.deepEqual(after.partitions.filter((p) => nodeNumber(p.node) !== 3), before.partitions);
});

test('addConfigDrivePartition() counts MBR sectors in the disk\'s logical sector size', async (t) => {
  if (!needTools(t, 'sfdisk', 'losetup')) return;
  const path = sparseFile(tempDir(t), 'mbr4k.img', 64 * MiB);
  if (!withLoop4k(t, path, (device) => run('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', device], { input: 'label: dos\n,16MiB,83\n' }))) return;
  resize(path, 512 * MiB);
  const partition = await addConfigDrivePartition(await fileDisk(t, path, 4096));
  assert.deepEqual([partition.number, partition.start, partition.size], [2, 448 * MiB, 64 * MiB]);
  let verify = '';
  let oracle: SfdiskTable | undefined;
  withLoop4k(t, path, (device) => {
    verify = sfdiskVerify(device);
    oracle = sfdiskJson(device);
  });
  assert.match(verify, /No errors detected/);
  const entry = oracle && partitionOf(oracle, 2);
  assert.deepEqual([entry?.start, entry?.size, entry?.type], [(448 * MiB) / 4096, (64 * MiB) / 4096, 'c']);
});

test('addConfigDrivePartition() refuses an MBR whose 4 primary entries are used', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'four.img', 64 * MiB, 'label: dos\n,4MiB,83\n,4MiB,83\n,4MiB,83\n,4MiB,83\n');
  resize(path, 512 * MiB);
  await assert.rejects(addConfigDrivePartition(await fileDisk(t, path)), {
    code: 'BYOI_CONFIGDRIVE_MBR_FULL',
    message: `Could not create configdrive on disk: the MBR partition table of ${path} already has 4 primary partitions`,
  });
});

test('addConfigDrivePartition() refuses an MBR disk whose end is used by the image', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'mbrfull.img', 128 * MiB, 'label: dos\n,8MiB,83\n,,E\n,8MiB,83\n,,83\n');
  await assert.rejects(addConfigDrivePartition(await fileDisk(t, path)), {
    code: 'BYOI_CONFIGDRIVE_NO_SPACE',
    message: `Could not create configdrive on disk: the last ${64 * MiB} bytes of ${path} are used by partition 2`,
  });
});

test('addConfigDrivePartition() places the MBR config drive just below 2 TiB on a bigger disk', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'big.img', 64 * MiB, 'label: dos\n,,83\n');
  resize(path, 3 * TiB);
  const partition = await addConfigDrivePartition(await fileDisk(t, path));
  // Ironic: 2 TiB − 65 MiB; the partition ends on the last MiB boundary an MBR can address.
  assert.deepEqual([partition.number, partition.start, partition.size], [2, 2 * TiB - 65 * MiB, 64 * MiB]);
  assert.match(sfdiskVerify(path), /No errors detected/);
  assert.deepEqual(partitionOf(sfdiskJson(path), 2), { node: `${path}2`, start: (2 * TiB - 65 * MiB) / 512, size: 64 * 2048, type: 'c' });
});

test('addConfigDrivePartition() refuses an MBR disk past 2 TiB when the space below the limit is used', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sparseFile(tempDir(t), 'bigfull.img', 3 * TiB);
  run('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', path], { input: 'label: dos\nstart=2048, size=4294900000, type=83\n' });
  await assert.rejects(addConfigDrivePartition(await fileDisk(t, path)), {
    code: 'BYOI_CONFIGDRIVE_MBR_LIMIT',
    message: `Could not create configdrive on disk: an MBR partition table addresses only the first ${0xffffffff * 512} bytes of ${path}, and the end of that space is used by partition 1`,
  });
});

test('addConfigDrivePartition() validates its options before touching the disk', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'opts.img', 64 * MiB, gptLayout);
  resize(path, 256 * MiB);
  const disk = await fileDisk(t, path);
  const cases: [object, RegExp][] = [
    [{ sizeBytes: 1000 }, /sizeBytes 1000 is not a positive multiple of the 512-byte sector/],
    [{ sizeBytes: -512 }, /sizeBytes -512/],
    [{ name: 'x'.repeat(37) }, /longer than the 36 UTF-16 code units/],
    [{ mbrType: 0x05 }, /mbrType 5 is not the type byte of a data partition/],
    [{ mbrType: 0xee }, /mbrType 238/],
    [{ gptType: 'nope' }, /gptType "nope" is not a GUID/],
    [{ uniqueGuid: '1234' }, /uniqueGuid "1234" is not a GUID/],
  ];
  for (const [options, detail] of cases) {
    await assert.rejects(addConfigDrivePartition(disk, options), (error: { code: string; detail: string }) => {
      assert.equal(error.code, 'BYOI_CONFIGDRIVE_FAILED');
      assert.match(error.detail, detail);
      return true;
    });
  }
  assert.match(sgdiskVerify(path), /doesn't reside\s+at the end of the disk/, 'nothing was written');
});

test('addConfigDrivePartition() refuses a disk without a partition table', async (t) => {
  const path = sparseFile(tempDir(t), 'blank.img', 256 * MiB);
  await assert.rejects(addConfigDrivePartition(await fileDisk(t, path)), (error: { code: string; detail: string }) => {
    assert.equal(error.code, 'BYOI_CONFIGDRIVE_FAILED');
    assert.match(error.detail, /there is no GPT header at LBA 1/);
    return true;
  });
});
