import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ByoiError } from '../../../../src/contract/errors/byoi-error.ts';
import type { DiskIO } from '../../../../src/deploy/disk/disk-io.ts';
import { openDisk } from '../../../../src/deploy/disk/open-disk.ts';
import { writeConfigDrive } from '../../../../src/deploy/configdrive/write-config-drive.ts';
import type { ConfigDriveInput } from '../../../../src/deploy/configdrive/config-drive-input.ts';
import { needTools, run, runStatus, tempDir } from '../../../helpers/tools.ts';
import { fsckProblems, listFat, mtools, parseBlkid, patternBytes } from './_helpers.ts';

const MiB = 1024 * 1024;
const timestamp = new Date('2026-11-25T10:20:31Z');
const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@laptop';
/** Binary user data: gzip of a cloud-config plus incompressible bytes (cloud-init un-gzips user data itself). */
const userData = gzipSync(Buffer.concat([Buffer.from('#cloud-config\nhostname: ignored\n#'), Buffer.from(patternBytes(200 * 1024, 9))]));

const input: ConfigDriveInput = {
  uuid: '5f0c6a52-1b7e-4c1e-9f3a-2d8e0b7c4a11',
  hostname: 'web1',
  publicKeys: [{ name: 'default', key }],
  userData,
  meta: { role: 'web' },
  availabilityZone: 'byoi',
  launchIndex: 0,
  phoneHome: { url: 'https://cp.example.net/first-boot', token: 'one-time' },
};

const expectedFiles = [
  'openstack/2012-08-10/meta_data.json',
  'openstack/2012-08-10/user_data',
  'openstack/2012-08-10/vendor_data.json',
  'openstack/latest/meta_data.json',
  'openstack/latest/user_data',
  'openstack/latest/vendor_data.json',
];

/** A 100 MiB GPT disk made by sgdisk: a 16 MiB partition 1, then partition 2 in the last 64 MiB (type 0700). */
function makeGptDisk(dir: string): { path: string; start: number; size: number } {
  const path = join(dir, 'disk.img');
  writeFileSync(path, '');
  run('truncate', ['-s', '100M', path]);
  run('sgdisk', ['-n', '1:2048:+16M', '-n', '2:-64M:0', '-t', '2:0700', path]);
  const info = run('sgdisk', ['-i', '2', path]);
  const first = Number(/First sector: (\d+)/.exec(info)?.[1]);
  const last = Number(/Last sector: (\d+)/.exec(info)?.[1]);
  return { path, start: first * 512, size: (last - first + 1) * 512 };
}

function fill(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

function readRange(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(length);
  readSync(fd, buffer, 0, length, offset);
  closeSync(fd);
  return buffer;
}

test('writeConfigDrive() writes a vfat config drive into the last partition of a GPT disk', async (t) => {
  if (!needTools(t, 'sgdisk', 'blkid', 'fsck.vfat', 'mdir', 'mtype')) return;
  const dir = tempDir(t);
  const { path, start, size } = makeGptDisk(dir);
  // Leftovers from an earlier install: garbage everywhere and an ISO 9660 signature where blkid looks for one.
  const garbage = new Uint8Array(size).fill(0xff);
  garbage.set(new TextEncoder().encode('\u0001CD001'), 32768);
  fill(path, start, garbage);
  const partition1 = patternBytes(16 * MiB, 2);
  fill(path, 2048 * 512, partition1);

  const disk = await openDisk(path);
  t.after(() => disk.close());
  const result = await writeConfigDrive(disk, { startBytes: start, sizeBytes: size }, input, { filesystem: 'vfat', timestamp });
  assert.deepEqual(result, { filesystem: 'vfat', label: 'config-2', files: [...expectedFiles].sort() });

  const fields = parseBlkid(run('blkid', ['-p', '-o', 'export', '--offset', String(start), path]));
  assert.equal(fields.TYPE, 'vfat', 'exactly one filesystem: the old signature is gone');
  assert.equal(fields.LABEL, 'config-2');
  const image = `${path}@@${start}`;
  assert.deepEqual(listFat(image), ['openstack/', 'openstack/2012-08-10/', 'openstack/latest/', ...expectedFiles].sort());
  const metaData = JSON.parse(mtools('mtype', ['-i', image, '::/openstack/latest/meta_data.json']).toString('utf8')) as Record<string, unknown>;
  assert.equal(metaData.uuid, input.uuid);
  assert.deepEqual(metaData.public_keys, { default: key });
  for (const version of ['2012-08-10', 'latest']) {
    assert.deepEqual(mtools('mtype', ['-i', image, `::/openstack/${version}/user_data`]), userData, `${version}/user_data is byte-identical`);
  }
  assert.match(mtools('mtype', ['-i', image, '::/openstack/latest/vendor_data.json']).toString(), /phone_home.*token=one-time/);

  const extracted = join(dir, 'partition.img');
  writeFileSync(extracted, readRange(path, start, size));
  assert.deepEqual(fsckProblems(extracted), []);
  assert.match(mtools('minfo', ['-i', extracted, '::']).toString(), new RegExp(`hidden sectors: ${start / 512}`));
  assert.deepEqual(readRange(path, 2048 * 512, 16 * MiB), Buffer.from(partition1), 'partition 1 is untouched');
  assert.equal(runStatus('sgdisk', ['-v', path]).stdout.includes('No problems found'), true, 'the GPT is untouched');
});

test('writeConfigDrive() writes vfat with 4096-byte sectors on a 4Kn disk', async (t) => {
  if (!needTools(t, 'blkid', 'fsck.vfat', 'mtype')) return;
  const dir = tempDir(t);
  const path = join(dir, 'disk4k.img');
  writeFileSync(path, '');
  run('truncate', ['-s', '80M', path]);
  const disk = await openDisk(path, { fileSectorSize: 4096 });
  t.after(() => disk.close());
  const start = 8 * MiB;
  await writeConfigDrive(disk, { startBytes: start, sizeBytes: 64 * MiB }, input, { filesystem: 'vfat', timestamp });

  const fields = parseBlkid(run('blkid', ['-p', '-o', 'export', '--offset', String(start), path]));
  assert.equal(fields.TYPE, 'vfat');
  assert.equal(fields.LABEL, 'config-2');
  assert.equal(fields.BLOCK_SIZE, '4096');
  const extracted = join(dir, 'partition.img');
  writeFileSync(extracted, readRange(path, start, 64 * MiB));
  assert.deepEqual(fsckProblems(extracted), []);
  assert.deepEqual(mtools('mtype', ['-i', extracted, '::/openstack/latest/user_data']), userData);
});

test('writeConfigDrive() writes an iso9660 config drive on a 512-byte-sector disk', async (t) => {
  if (!needTools(t, 'sgdisk', 'blkid', 'xorriso')) return;
  const dir = tempDir(t);
  const { path, start, size } = makeGptDisk(dir);
  const disk = await openDisk(path);
  t.after(() => disk.close());
  const result = await writeConfigDrive(disk, { startBytes: start, sizeBytes: size }, input, { filesystem: 'iso9660', timestamp });
  assert.equal(result.filesystem, 'iso9660');

  const fields = parseBlkid(run('blkid', ['-p', '-o', 'export', '--offset', String(start), path]));
  assert.equal(fields.TYPE, 'iso9660');
  assert.equal(fields.LABEL, 'config-2');
  const extracted = join(dir, 'partition.iso');
  writeFileSync(extracted, readRange(path, start, size));
  const out = join(dir, 'out');
  const extract = runStatus('xorriso', ['-return_with', 'WARNING', '32', '-osirrox', 'on', '-indev', extracted, '-extract', '/', out]);
  assert.equal(extract.status, 0, extract.stderr);
  for (const file of expectedFiles) assert.ok(readFileSync(join(out, file)).length > 0, file);
  assert.deepEqual(readFileSync(join(out, 'openstack/latest/user_data')), userData);
});

test('writeConfigDrive() refuses iso9660 on a disk with 4096-byte logical sectors before writing anything', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'disk4k.img');
  writeFileSync(path, Buffer.alloc(16 * MiB, 0x5a));
  const disk = await openDisk(path, { fileSectorSize: 4096 });
  t.after(() => disk.close());
  await assert.rejects(writeConfigDrive(disk, { startBytes: 4 * MiB, sizeBytes: 8 * MiB }, input, { filesystem: 'iso9660', timestamp }), (error: ByoiError) => {
    assert.equal(error.code, 'BYOI_CONFIGDRIVE_FAILED');
    assert.equal(error.message, 'Could not create configdrive on disk.');
    assert.match(error.detail ?? '', /4096-byte logical sectors/);
    return true;
  });
  assert.ok(readFileSync(path).equals(Buffer.alloc(16 * MiB, 0x5a)), 'nothing was written');
});

test('writeConfigDrive() refuses partitions outside the disk or off sector boundaries', async (t) => {
  const path = join(tempDir(t), 'disk.img');
  writeFileSync(path, Buffer.alloc(8 * MiB));
  const disk = await openDisk(path);
  t.after(() => disk.close());
  for (const partition of [
    { startBytes: 4 * MiB, sizeBytes: 8 * MiB },
    { startBytes: -512, sizeBytes: MiB },
    { startBytes: 1000, sizeBytes: MiB },
    { startBytes: MiB, sizeBytes: MiB + 1 },
  ]) {
    await assert.rejects(writeConfigDrive(disk, partition, input, { filesystem: 'vfat', timestamp }), { code: 'BYOI_CONFIGDRIVE_FAILED' }, JSON.stringify(partition));
  }
});

test('writeConfigDrive() refuses content that does not fit the partition', async (t) => {
  const path = join(tempDir(t), 'disk.img');
  writeFileSync(path, Buffer.alloc(8 * MiB));
  const disk = await openDisk(path);
  t.after(() => disk.close());
  const big = { ...input, userData: patternBytes(2 * MiB, 4) };
  for (const filesystem of ['vfat', 'iso9660'] as const) {
    await assert.rejects(writeConfigDrive(disk, { startBytes: MiB, sizeBytes: 2 * MiB }, big, { filesystem, timestamp }), (error: ByoiError) => {
      assert.equal(error.code, 'BYOI_CONFIGDRIVE_FAILED');
      assert.match(error.detail ?? '', /fit/);
      return true;
    });
  }
});

test('writeConfigDrive() reports a failed disk write as BYOI_CONFIGDRIVE_FAILED and keeps the cause', async () => {
  const failing: DiskIO = {
    name: '/dev/broken',
    size: 128 * MiB,
    logicalSectorSize: 512,
    isBlockDevice: true,
    readAt: async () => new Uint8Array(0),
    writeAt: async () => {
      throw new ByoiError('BYOI_DISK_IO', { device: '/dev/broken', reason: 'input/output error' });
    },
    zeroRange: async () => undefined,
    discardAll: async () => false,
    sync: async () => undefined,
    close: async () => undefined,
  };
  await assert.rejects(writeConfigDrive(failing, { startBytes: 64 * MiB, sizeBytes: 64 * MiB }, input, { filesystem: 'vfat', timestamp }), (error: ByoiError) => {
    assert.equal(error.code, 'BYOI_CONFIGDRIVE_FAILED');
    assert.match(error.detail ?? '', /\/dev\/broken: Cannot use disk \/dev\/broken: input\/output error/);
    assert.equal((error.cause as ByoiError).code, 'BYOI_DISK_IO');
    return true;
  });
});

test('writeConfigDrive() writes the same bytes for the same input and timestamp', async (t) => {
  const dir = tempDir(t);
  const images: Buffer[] = [];
  for (const name of ['a.img', 'b.img']) {
    const path = join(dir, name);
    writeFileSync(path, Buffer.alloc(72 * MiB));
    const disk = await openDisk(path);
    await writeConfigDrive(disk, { startBytes: 8 * MiB, sizeBytes: 64 * MiB }, input, { filesystem: 'vfat', timestamp });
    await disk.close();
    images.push(readFileSync(path));
  }
  assert.ok(images[0]?.equals(images[1] as Buffer));
});
