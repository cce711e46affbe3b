import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wipePartitionSignatures } from '../../../../src/deploy/partition/wipe-partition-signatures.ts';
import { readPartitionTable } from '../../../../src/image/partition-table/read-partition-table.ts';
import { needTools, run, runStatus, tempDir } from '../../../helpers/tools.ts';
import { fileDisk, MiB, readBytes, sgdiskImage, sparseFile, writeBytes } from '../../image/partition-table/_fixtures.ts';

/** The signatures `wipefs --no-act` finds: their type names. */
function signatures(path: string): string[] {
  const out = run('wipefs', ['--no-act', '--noheadings', '--output', 'TYPE', path]);
  return out.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

/**
 * An md superblock of version 1.x at byte `offset`, as mdadm writes it (md_p.h, struct mdp_superblock_1), with the
 * checksum libblkid verifies.
 */
function mdSuperblock1(offset: number): Uint8Array {
  const maxDev = 2;
  const sb = new Uint8Array(256 + 2 * maxDev);
  const view = new DataView(sb.buffer);
  view.setUint32(0, 0xa92b4efc, true); // magic
  view.setUint32(4, 1, true); // major_version
  for (let i = 0; i < 16; i++) sb[16 + i] = 0x10 + i; // set_uuid
  sb.set(new TextEncoder().encode('old:0'), 32); // set_name
  view.setUint32(72, 1, true); // level: raid1
  view.setUint32(92, 2, true); // raid_disks
  view.setBigUint64(144, BigInt(offset / 512), true); // super_offset, in 512-byte sectors
  view.setUint32(220, maxDev, true); // max_dev
  let sum = 0n;
  for (let i = 0; i + 4 <= sb.length; i += 4) sum += BigInt(view.getUint32(i, true));
  sum = (sum & 0xffffffffn) + (sum >> 32n);
  view.setUint32(216, Number(sum & 0xffffffffn), true); // sb_csum
  return sb;
}

test('wipePartitionSignatures() erases both copies of a GPT and the protective MBR', async (t) => {
  if (!needTools(t, 'sgdisk', 'wipefs', 'blkid')) return;
  const size = 256 * MiB;
  const path = sgdiskImage(tempDir(t), 'old.img', size, ['-n', '1:2048:+100M', '-n', '2:0:0']);
  const marker = new TextEncoder().encode('data in the middle');
  writeBytes(path, 128 * MiB, marker);
  assert.deepEqual(signatures(path).sort(), ['PMBR', 'gpt', 'gpt']);

  const ranges = await wipePartitionSignatures(await fileDisk(t, path));
  const end2 = (size / 512 - 33) * 512; // partition 2 ends at the last usable LBA
  assert.deepEqual(ranges, [
    { offset: 0, length: 2 * MiB }, // disk start + start of partition 1 (at 1 MiB)
    { offset: 100 * MiB, length: 2 * MiB }, // end of partition 1 + start of partition 2
    { offset: end2 - MiB, length: size - end2 + MiB }, // end of partition 2 + disk end
  ]);
  assert.deepEqual(signatures(path), []);
  assert.equal(runStatus('blkid', ['-p', path]).status, 2, 'blkid finds nothing');
  assert.match(run('sgdisk', ['-p', path]), /Creating new GPT entries/, 'sgdisk finds no GPT, not even the backup');
  assert.equal(await readPartitionTable(await fileDisk(t, path, 512, true)), null);
  assert.deepEqual(readBytes(path, 128 * MiB, marker.length), marker, 'the middle of the disk is untouched');
});

test('wipePartitionSignatures() erases an md superblock at the end of an old partition', async (t) => {
  if (!needTools(t, 'sgdisk', 'blkid')) return;
  const dir = tempDir(t);
  const start = MiB;
  const size = 100 * MiB;
  const superblock = ((start + size) & ~4095) - 8192; // md 1.0 of partition 1, in the middle of the disk
  const oldDisk = (name: string): string => {
    const path = sgdiskImage(dir, name, 256 * MiB, ['-n', '1:2048:+100M', '-t', '1:fd00', '-n', '2:0:0']);
    writeBytes(path, superblock, mdSuperblock1(superblock - start));
    return path;
  };
  const probe = (path: string): string => runStatus('blkid', ['-p', '-O', String(start), '-S', String(size), path]).stdout;

  const endsOnly = oldDisk('ends-only.img');
  assert.match(probe(endsOnly), /TYPE="linux_raid_member"/);
  await wipePartitionSignatures(await fileDisk(t, endsOnly), { oldPartitions: false });
  assert.match(probe(endsOnly), /TYPE="linux_raid_member"/, 'the ends of the disk alone miss it');

  const full = oldDisk('full.img');
  await wipePartitionSignatures(await fileDisk(t, full));
  assert.equal(probe(full), '');
});

test('wipePartitionSignatures() erases md superblocks at both ends', async (t) => {
  if (!needTools(t, 'wipefs', 'blkid')) return;
  const size = 64 * MiB + 3 * 512; // not a multiple of 4 KiB: md 1.0 sits at (size & ~4095) − 8 KiB
  const path = sparseFile(tempDir(t), 'md.img', size);
  const end = (size & ~4095) - 8192;
  writeBytes(path, end, mdSuperblock1(end));
  assert.deepEqual(signatures(path), ['linux_raid_member'], 'md 1.0 at the end');
  assert.match(run('blkid', ['-p', path]), /VERSION="1.0"/);
  await wipePartitionSignatures(await fileDisk(t, path));
  assert.deepEqual(signatures(path), []);

  writeBytes(path, 4096, mdSuperblock1(4096));
  assert.match(run('blkid', ['-p', path]), /VERSION="1.2"/, 'md 1.2 at 4 KiB');
  await wipePartitionSignatures(await fileDisk(t, path));
  assert.deepEqual(signatures(path), []);
});

test('wipePartitionSignatures() erases an LVM physical volume label', async (t) => {
  if (!needTools(t, 'wipefs', 'pvcreate', 'losetup')) return;
  const path = sparseFile(tempDir(t), 'lvm.img', 64 * MiB);
  const attach = runStatus('losetup', ['--find', '--show', path]);
  if (attach.status !== 0) return t.skip(`no loop device: ${attach.stderr.trim()}`);
  const device = attach.stdout.trim();
  try {
    const created = runStatus('pvcreate', ['-ff', '-y', '--config', 'devices { use_devicesfile = 0 }', device]);
    if (created.status !== 0) return t.skip(`pvcreate failed: ${created.stderr.trim()}`);
  } finally {
    runStatus('losetup', ['-d', device]);
  }
  assert.deepEqual(signatures(path), ['LVM2_member']);
  await wipePartitionSignatures(await fileDisk(t, path));
  assert.deepEqual(signatures(path), []);
});

test('wipePartitionSignatures() zeroes a small disk whole and checks its option', async (t) => {
  const path = sparseFile(tempDir(t), 'small.img', MiB + 4096);
  writeBytes(path, MiB, new Uint8Array([1, 2, 3]));
  const disk = await fileDisk(t, path);
  assert.deepEqual(await wipePartitionSignatures(disk), [{ offset: 0, length: MiB + 4096 }]);
  assert.deepEqual([...readBytes(path, MiB, 3)], [0, 0, 0]);
  await assert.rejects(wipePartitionSignatures(disk, { bytesAtEachEnd: 1000 }), { code: 'BYOI_DISK_IO' });
  assert.deepEqual(await wipePartitionSignatures(disk, { bytesAtEachEnd: 4096 }), [
    { offset: 0, length: 4096 },
    { offset: MiB, length: 4096 },
  ]);
});
