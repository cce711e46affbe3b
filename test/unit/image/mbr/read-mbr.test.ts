import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readMbr } from '../../../../src/image/mbr/read-mbr.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { needTools, run, runStatus, tempDir } from '../../../helpers/tools.ts';
import {
  fdiskDosPrint,
  fileDisk,
  MiB,
  nodeNumber,
  resize,
  sfdiskImage,
  sfdiskJson,
  sgdiskImage,
  sparseFile,
  writeBytes,
} from '../partition-table/_fixtures.ts';

test('readMbr() reads primary partitions as sfdisk does', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'primaries.img', 64 * MiB, 'label: dos\nlabel-id: 0x1a2b3c4d\n,8MiB,ef\n,16MiB,83,*\n,8MiB,82\n,,8e\n');
  const oracle = sfdiskJson(path);
  const mbr = await readMbr(await fileDisk(t, path, 512, true));
  assert.ok(mbr);
  assert.equal(mbr.kind, 'classic');
  assert.equal(`0x${mbr.diskSignature.toString(16)}`, oracle.id);
  assert.deepEqual(
    mbr.primaries.map((p) => ({ number: p.number, start: p.startLba, size: p.sectorCount, type: p.type, bootable: p.active })),
    oracle.partitions.map((p) => ({ number: nodeNumber(p.node), start: p.start, size: p.size, type: Number.parseInt(p.type, 16), bootable: p.bootable === true })),
  );
  assert.deepEqual(mbr.problems, []);
  assert.deepEqual(mbr.bootCode, { present: false, loader: null });
});

test('readMbr() keeps slot numbers when a slot is empty', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'gap.img', 32 * MiB, 'label: dos\n1: start=2048, size=2048, type=83\n3: start=8192, size=2048, type=c\n');
  const mbr = await readMbr(await fileDisk(t, path, 512, true));
  assert.deepEqual(mbr?.primaries.map((p) => p.number), sfdiskJson(path).partitions.map((p) => nodeNumber(p.node)));
  assert.deepEqual(mbr?.primaries.map((p) => p.number), [1, 3]);
});

test('readMbr() recognises a protective MBR', async (t) => {
  if (!needTools(t, 'sgdisk', 'fdisk')) return;
  const path = sgdiskImage(tempDir(t), 'protective.img', 16 * MiB, ['-n', '1:2048:+4M']);
  const mbr = await readMbr(await fileDisk(t, path, 512, true));
  assert.equal(mbr?.kind, 'protective');
  const oracle = fdiskDosPrint(path);
  assert.deepEqual(mbr?.primaries.map((p) => [p.number, p.startLba, p.sectorCount, p.type]), oracle.map((r) => [r.number, r.start, r.sectors, r.id]));
});

test('readMbr() recognises a hybrid MBR', async (t) => {
  if (!needTools(t, 'sgdisk', 'fdisk')) return;
  const path = sgdiskImage(tempDir(t), 'hybrid.img', 32 * MiB, ['-n', '1:2048:+4M', '-t', '1:ef00', '-n', '2:0:+8M', '-t', '2:8300', '-h', '1:2']);
  const mbr = await readMbr(await fileDisk(t, path, 512, true));
  assert.equal(mbr?.kind, 'hybrid');
  const oracle = fdiskDosPrint(path);
  assert.equal(oracle.length, 3);
  assert.deepEqual(mbr?.primaries.map((p) => [p.number, p.startLba, p.sectorCount, p.type]), oracle.map((r) => [r.number, r.start, r.sectors, r.id]));
});

test('readMbr() sees boot code and recognises GRUB', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'boot.img', 8 * MiB, 'label: dos\n,,83\n');
  const code = new Uint8Array(440);
  code.set([0xeb, 0x63, 0x90], 0);
  writeBytes(path, 0, code);
  assert.deepEqual((await readMbr(await fileDisk(t, path, 512, true)))?.bootCode, { present: true, loader: null });
  // GRUB 2's boot.img (Debian's grub-pc-bin), or its messages "GRUB \0Geom\0Hard Disk\0Read\0 Error" at 0x180.
  const bootImg = '/usr/lib/grub/i386-pc/boot.img';
  if (existsSync(bootImg)) code.set(readFileSync(bootImg).subarray(0, 440));
  else code.set(new TextEncoder().encode('GRUB \0Geom\0Hard Disk\0Read\0 Error\r\n'), 0x180);
  writeBytes(path, 0, code);
  assert.deepEqual((await readMbr(await fileDisk(t, path, 512, true)))?.bootCode, { present: true, loader: 'grub' });
  assert.equal(sfdiskJson(path).partitions.length, 1, 'boot code does not disturb the table');
});

test('readMbr() returns null without the 0x55AA signature', async (t) => {
  const path = sparseFile(tempDir(t), 'blank.img', MiB);
  assert.equal(await readMbr(await fileDisk(t, path, 512, true)), null);
  assert.equal(await readMbr(bufferReadAt(new Uint8Array(300))), null, 'an image smaller than a sector');
});

test('readMbr() returns null for a FAT filesystem without a partition table, as blkid does', async (t) => {
  if (!needTools(t, 'mkfs.vfat', 'blkid')) return;
  const path = sparseFile(tempDir(t), 'superfloppy.img', 32 * MiB);
  run('mkfs.vfat', ['-F', '32', path]);
  const probe = run('blkid', ['-p', '-o', 'export', path]);
  assert.match(probe, /TYPE=vfat/);
  assert.doesNotMatch(probe, /PTTYPE/);
  assert.equal(await readMbr(await fileDisk(t, path, 512, true)), null);
});

test('readMbr() returns null when a status byte is neither 0x00 nor 0x80, as blkid and Linux do', async (t) => {
  if (!needTools(t, 'sfdisk', 'blkid')) return;
  const path = sfdiskImage(tempDir(t), 'status.img', 8 * MiB, 'label: dos\n,,83\n');
  writeBytes(path, 446, new Uint8Array([0x12]));
  assert.equal(await readMbr(await fileDisk(t, path, 512, true)), null);
  // libfdisk still reads it; libblkid and the kernel (block/partitions/msdos.c) do not.
  assert.equal(runStatus('blkid', ['-p', path]).status, 2, 'blkid finds nothing');
});

test('readMbr() reports a partition past the end of the image instead of failing', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'cut.img', 64 * MiB, 'label: dos\n,16MiB,83\n,,83\n');
  resize(path, 32 * MiB);
  assert.equal(sfdiskJson(path).partitions.length, 2, 'sfdisk lists it too');
  const mbr = await readMbr(await fileDisk(t, path, 512, true));
  assert.equal(mbr?.primaries.length, 2);
  assert.equal(mbr?.problems.length, 1);
  assert.equal(mbr?.problems[0]?.code, 'BYOI_IMAGE_INVALID');
  assert.equal(mbr?.problems[0]?.message, 'Cannot read MBR partition 2: it ends at LBA 131071, past the end of the image (65536 sectors)');
});

test('readMbr() reports overlapping primaries and an entry over the MBR', async () => {
  const bytes = new Uint8Array(8 * MiB);
  const view = new DataView(bytes.buffer);
  const entry = (slot: number, type: number, start: number, count: number): void => {
    bytes[446 + slot * 16 + 4] = type;
    view.setUint32(446 + slot * 16 + 8, start, true);
    view.setUint32(446 + slot * 16 + 12, count, true);
  };
  entry(0, 0x83, 2048, 4096);
  entry(1, 0x83, 4096, 4096);
  entry(2, 0x83, 0, 10);
  bytes[510] = 0x55;
  bytes[511] = 0xaa;
  const mbr = await readMbr(bufferReadAt(bytes));
  assert.deepEqual(mbr?.problems.map((p) => p.message), [
    'Cannot read MBR partition 3: it starts at LBA 0, over the MBR itself',
    'Cannot read MBR partition 2: it overlaps partition 1',
  ]);
});
