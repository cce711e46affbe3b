import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByoiError } from '../../../../src/contract/errors/byoi-error.ts';
import { relocateGptBackup } from '../../../../src/deploy/partition/relocate-gpt-backup.ts';
import { readGpt } from '../../../../src/image/gpt/read-gpt.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import {
  fileDisk,
  MiB,
  readBytes,
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

const layout = ['-n', '1:2048:+1M', '-t', '1:ef02', '-n', '2:0:+10M', '-t', '2:ef00', '-c', '2:ESP', '-n', '3:0:0', '-t', '3:8304', '-c', '3:root'];

/** Partitions as sfdisk lists them, without the header facts that move. */
function partitions(table: SfdiskTable): unknown {
  return table.partitions.map((p) => ({ start: p.start, size: p.size, type: p.type, uuid: p.uuid, name: p.name }));
}

function protectiveSize(path: string): number {
  return new DataView(readBytes(path, 446 + 12, 4).buffer).getUint32(0, true);
}

test('relocateGptBackup() moves the backup of a small image to the end of a big disk (512-byte sectors)', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk')) return;
  const path = sgdiskImage(tempDir(t), 'disk.img', 64 * MiB, layout);
  const before = sfdiskJson(path);
  resize(path, 1024 * MiB); // the image written to a bigger disk
  assert.match(sgdiskVerify(path), /doesn't reside\s+at the end of the disk/);
  assert.match(sfdiskVerify(path), /backup GPT table is not on the end of the device/);

  const result = await relocateGptBackup(await fileDisk(t, path));
  assert.deepEqual(result, {
    sectorSize: 512,
    previousBackupLba: 64 * 2048 - 1,
    backupLba: 1024 * 2048 - 1,
    lastUsableLba: 1024 * 2048 - 34,
    moved: true,
    protectiveMbr: 'updated',
  });
  assert.match(sgdiskVerify(path), /No problems found/);
  assert.match(sfdiskVerify(path), /No errors detected/);
  const after = sfdiskJson(path);
  assert.deepEqual(partitions(after), partitions(before));
  assert.equal(after.id, before.id);
  assert.equal(after.lastlba, 1024 * 2048 - 34);
  assert.equal(protectiveSize(path), 1024 * 2048 - 1);
  assert.deepEqual([...readBytes(path, (64 * 2048 - 1) * 512, 8)], new Array(8).fill(0), 'the old backup header is erased');
});

test('relocateGptBackup() moves the backup on a disk with 4096-byte sectors', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk', 'losetup')) return;
  const path = sparseFile(tempDir(t), 'disk4k.img', 64 * MiB);
  let before: SfdiskTable | undefined;
  if (!withLoop4k(t, path, (device) => {
    run('sgdisk', [...layout, device]);
    before = sfdiskJson(device);
  })) return;
  resize(path, 512 * MiB);
  let verifyBefore = '';
  withLoop4k(t, path, (device) => (verifyBefore = sgdiskVerify(device)));
  assert.match(verifyBefore, /doesn't reside\s+at the end of the disk/);

  const disk = await fileDisk(t, path, 4096);
  const result = await relocateGptBackup(disk);
  assert.equal(result.backupLba, 512 * 256 - 1);
  assert.equal(result.lastUsableLba, 512 * 256 - 6);
  let verify = '';
  let after: SfdiskTable | undefined;
  withLoop4k(t, path, (device) => {
    verify = sgdiskVerify(device);
    after = sfdiskJson(device);
  });
  assert.match(verify, /No problems found/);
  assert.ok(before && after);
  assert.deepEqual(partitions(after), partitions(before));
  assert.equal(protectiveSize(path), 512 * 256 - 1);
});

test('relocateGptBackup() sets the protective MBR size to 0xFFFFFFFF past 2^32 sectors', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk')) return;
  const path = sgdiskImage(tempDir(t), 'huge.img', 64 * MiB, layout);
  const size = 3 * 1024 * 1024 * MiB; // 3 TiB, sparse
  resize(path, size);
  const result = await relocateGptBackup(await fileDisk(t, path));
  assert.equal(result.backupLba, size / 512 - 1);
  assert.equal(protectiveSize(path), 0xffffffff);
  assert.match(sgdiskVerify(path), /No problems found/);
  assert.match(sfdiskVerify(path), /No errors detected/);
});

test('relocateGptBackup() is harmless when the backup is already at the end', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'done.img', 64 * MiB, layout);
  const first = await relocateGptBackup(await fileDisk(t, path));
  assert.equal(first.moved, false);
  assert.equal(first.protectiveMbr, 'unchanged');
  assert.match(sgdiskVerify(path), /No problems found/);
});

test('relocateGptBackup() leaves a hybrid MBR alone', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'hybrid.img', 64 * MiB, [...layout, '-h', '2:3']);
  const mbr = readBytes(path, 0, 512);
  resize(path, 256 * MiB);
  const result = await relocateGptBackup(await fileDisk(t, path));
  assert.equal(result.protectiveMbr, 'hybrid');
  assert.deepEqual(readBytes(path, 0, 512), mbr);
  assert.match(sgdiskVerify(path), /No problems found/);
});

test('relocateGptBackup() refuses a disk smaller than the partitions', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'small.img', 64 * MiB, layout);
  resize(path, 32 * MiB);
  await assert.rejects(relocateGptBackup(await fileDisk(t, path)), (error: { code: string; message: string; detail: string }) => {
    assert.equal(error.code, 'BYOI_GPT_MOVE_FAILED');
    assert.equal(error.message, 'Can not move backup GPT data structures to the end of disk.');
    assert.match(error.detail, /partition 3 ends at LBA 131038, past the last usable LBA 65502 of the disk/);
    return true;
  });
});

test('relocateGptBackup() refuses a disk without a GPT', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'mbr.img', 16 * MiB, 'label: dos\n,,83\n');
  await assert.rejects(relocateGptBackup(await fileDisk(t, path)), (error: { code: string; detail: string }) => {
    assert.equal(error.code, 'BYOI_GPT_MOVE_FAILED');
    assert.match(error.detail, /there is no GPT header at LBA 1 \(512-byte sectors\)/);
    return true;
  });
});

test('relocateGptBackup() refuses a GPT made for another sector size', async (t) => {
  if (!needTools(t, 'sgdisk', 'losetup')) return;
  const path = sparseFile(tempDir(t), 'other.img', 64 * MiB);
  if (!withLoop4k(t, path, (device) => run('sgdisk', [...layout, device]))) return;
  await assert.rejects(relocateGptBackup(await fileDisk(t, path, 512)), (error: { code: string; detail: string }) => {
    assert.equal(error.code, 'BYOI_GPT_MOVE_FAILED');
    assert.match(error.detail, /the GPT was written for 4096-byte sectors but the disk has 512-byte logical sectors/);
    return true;
  });
});

test('relocateGptBackup() refuses a damaged primary GPT', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'damaged.img', 64 * MiB, layout);
  resize(path, 128 * MiB);
  const disk = await fileDisk(t, path);
  await disk.writeAt(512 + 16, new Uint8Array([1, 2, 3, 4]));
  await assert.rejects(relocateGptBackup(disk), (error: { code: string; detail: string }) => {
    assert.equal(error.code, 'BYOI_GPT_MOVE_FAILED');
    assert.match(error.detail, /the primary GPT cannot be used: Cannot read GPT header at LBA 1 \(512-byte sectors\): HeaderCRC32/);
    return true;
  });
  assert.equal((await readGpt(disk, 512, { useBackup: false }).catch(() => 'still damaged')), 'still damaged', 'nothing was written');
});

test('relocateGptBackup() passes a failed write on as BYOI_DISK_IO', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'eio.img', 64 * MiB, layout);
  resize(path, 128 * MiB);
  const disk = await fileDisk(t, path);
  const failing = {
    ...disk,
    readAt: disk.readAt.bind(disk),
    async writeAt(): Promise<void> {
      throw new ByoiError('BYOI_DISK_IO', { device: disk.name, reason: 'input/output error' });
    },
  };
  await assert.rejects(relocateGptBackup(failing), { code: 'BYOI_DISK_IO', message: `Cannot use disk ${path}: input/output error` });
});
