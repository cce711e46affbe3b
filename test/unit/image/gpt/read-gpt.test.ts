import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readGpt, type Gpt } from '../../../../src/image/gpt/read-gpt.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import {
  fileDisk,
  MiB,
  nodeNumber,
  readBytes,
  resize,
  sfdiskJson,
  sgdiskImage,
  sgdiskPrint,
  sgdiskVerify,
  sparseFile,
  withLoop4k,
  writeBytes,
  type SfdiskTable,
} from '../partition-table/_fixtures.ts';

/** Partitions of a GPT as sfdisk --json spells them. */
function assertSameAsSfdisk(gpt: Gpt, oracle: SfdiskTable): void {
  assert.equal(oracle.label, 'gpt');
  assert.equal(gpt.header.diskGuid, oracle.id);
  assert.equal(gpt.header.firstUsableLba, oracle.firstlba);
  assert.equal(gpt.header.lastUsableLba, oracle.lastlba);
  assert.deepEqual(
    gpt.entries.map((entry) => ({
      number: entry.number,
      start: entry.startingLba,
      size: entry.endingLba - entry.startingLba + 1,
      type: entry.typeGuid,
      uuid: entry.uniqueGuid,
      name: entry.name,
    })),
    oracle.partitions.map((p) => ({ number: nodeNumber(p.node), start: p.start, size: p.size, type: p.type, uuid: p.uuid, name: p.name ?? '' })),
  );
}

const layout = [
  '-n', '1:2048:+1M', '-t', '1:ef02', '-c', '1:bios',
  '-n', '2:0:+10M', '-t', '2:ef00', '-c', '2:EFI system partition',
  '-n', '3:0:+8M', '-t', '3:8200', '-c', '3:données ☃',
  '-n', '5:0:0', '-t', '5:8304', '-c', '5:root', '-A', '5:set:2', '-A', '5:set:60',
];

test('readGpt() reads a 512-byte-sector GPT as sfdisk and sgdisk do', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk')) return;
  const path = sgdiskImage(tempDir(t), 'gpt512.img', 64 * MiB, layout);
  const gpt = await readGpt(await fileDisk(t, path, 512, true), 512);
  assert.ok(gpt);
  assertSameAsSfdisk(gpt, sfdiskJson(path));
  const print = sgdiskPrint(path);
  assert.deepEqual(
    gpt.entries.map((entry) => [entry.number, entry.startingLba, entry.endingLba, entry.name]),
    print.partitions.map((p) => [p.number, p.start, p.end, p.name]),
  );
  const root = gpt.entries.find((entry) => entry.number === 5);
  assert.equal(root?.attributes, (1n << 2n) | (1n << 60n));
  assert.equal(root?.legacyBiosBootable, true);
  assert.equal(gpt.headerSource, 'primary');
  assert.deepEqual(gpt.backup, { lba: 64 * 2048 - 1, valid: true, atEnd: true, reason: null });
  assert.deepEqual(gpt.problems, []);
  assert.equal(await readGpt(await fileDisk(t, path, 512, true), 4096), null);
});

test('readGpt() reads a 4096-byte-sector GPT made through a loop device', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk', 'losetup')) return;
  const path = sparseFile(tempDir(t), 'gpt4k.img', 64 * MiB);
  let oracle: SfdiskTable | undefined;
  const attached = withLoop4k(t, path, (device) => {
    run('sgdisk', [...layout, device]);
    oracle = sfdiskJson(device);
  });
  if (!attached || oracle === undefined) return;
  assert.equal(oracle.sectorsize, 4096);
  assert.equal(Buffer.from(readBytes(path, 4096, 8)).toString('latin1'), 'EFI PART', '"EFI PART" is at byte 4096');
  const disk = await fileDisk(t, path, 4096, true);
  assert.equal(await readGpt(disk, 512), null);
  const gpt = await readGpt(disk, 4096);
  assert.ok(gpt);
  assert.equal(gpt.sectorSize, 4096);
  assertSameAsSfdisk(gpt, oracle);
  assert.deepEqual(gpt.backup, { lba: 64 * 256 - 1, valid: true, atEnd: true, reason: null });
});

test('readGpt() finds a valid backup that is not at the end after the image grew', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'grown.img', 64 * MiB, layout);
  resize(path, 128 * MiB);
  assert.match(sgdiskVerify(path), /doesn't reside\s+at the end of the disk/);
  const gpt = await readGpt(await fileDisk(t, path, 512, true), 512);
  assert.ok(gpt);
  assert.deepEqual(gpt.backup, { lba: 64 * 2048 - 1, valid: true, atEnd: false, reason: null });
  assert.deepEqual(gpt.problems, []);
});

test('readGpt() reports a backup past the end of a truncated image', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'cut.img', 64 * MiB, layout);
  resize(path, 32 * MiB);
  const gpt = await readGpt(await fileDisk(t, path, 512, true), 512);
  assert.ok(gpt);
  assert.equal(gpt.backup.valid, false);
  assert.equal(gpt.backup.atEnd, false);
  assert.match(gpt.backup.reason ?? '', /past the last LBA/);
  assert.deepEqual(gpt.problems.map((p) => [p.code, p.message]), [
    ['BYOI_IMAGE_INVALID', 'Cannot read backup GPT header at LBA 131071: AlternateLBA 131071 is past the last LBA of the image (65535)'],
    ['BYOI_IMAGE_INVALID', 'Cannot read GPT partition 5: it ends at LBA 131038, past the end of the image (65536 sectors)'],
  ]);
});

test('readGpt() reports a damaged backup header as not valid', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'badbackup.img', 64 * MiB, layout);
  writeBytes(path, 64 * MiB - 512 + 40, new Uint8Array([0xff])); // FirstUsableLBA of the backup: CRC now fails
  assert.match(sgdiskVerify(path), /[Pp]roblem|CRC|corrupt/);
  const gpt = await readGpt(await fileDisk(t, path, 512, true), 512);
  assert.ok(gpt);
  assert.equal(gpt.headerSource, 'primary');
  assert.equal(gpt.backup.valid, false);
  assert.match(gpt.backup.reason ?? '', /HeaderCRC32/);
  assert.match(gpt.problems[0]?.message ?? '', /backup GPT header at LBA 131071/);
});

test('readGpt() uses the backup at the last LBA when the primary header is corrupt', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk')) return;
  const path = sgdiskImage(tempDir(t), 'badprimary.img', 64 * MiB, layout);
  const oracle = sfdiskJson(path);
  writeBytes(path, 512 + 16, new Uint8Array([0, 0, 0, 0])); // HeaderCRC32
  const disk = await fileDisk(t, path, 512, true);
  await assert.rejects(readGpt(disk, 512), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_INVALID');
    assert.match(error.message, /HeaderCRC32/);
    return true;
  });
  const gpt = await readGpt(disk, 512, { useBackup: true });
  assert.ok(gpt);
  assert.equal(gpt.headerSource, 'backup');
  assert.equal(gpt.header.myLba, 64 * 2048 - 1);
  assertSameAsSfdisk(gpt, oracle);
  assert.match(gpt.problems[0]?.message ?? '', /primary GPT header.*HeaderCRC32.*read from the backup header at LBA 131071/);
  // sgdisk agrees that the backup is what is left.
  assert.deepEqual(
    sgdiskPrint(path).partitions.map((p) => p.name),
    gpt.entries.map((entry) => entry.name),
  );
});

test('readGpt() uses the backup when the primary entries are corrupt', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'badentries.img', 64 * MiB, layout);
  writeBytes(path, 1024 + 56, new Uint8Array([0x41, 0])); // first entry's name
  const gpt = await readGpt(await fileDisk(t, path, 512, true), 512, { useBackup: true });
  assert.equal(gpt?.headerSource, 'backup');
  assert.match(gpt?.problems[0]?.message ?? '', /PartitionEntryArrayCRC32/);
});

test('readGpt() throws the primary error when neither copy can be used', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'both.img', 64 * MiB, layout);
  writeBytes(path, 512 + 16, new Uint8Array([1, 2, 3, 4]));
  writeBytes(path, 64 * MiB - 512 + 16, new Uint8Array([1, 2, 3, 4]));
  await assert.rejects(readGpt(await fileDisk(t, path, 512, true), 512, { useBackup: true }), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_INVALID');
    assert.match(error.message, /GPT header at LBA 1 .*HeaderCRC32/);
    return true;
  });
});

test('readGpt() returns null for an image without a GPT', async (t) => {
  const path = sparseFile(tempDir(t), 'zero.img', 4 * MiB);
  const disk = await fileDisk(t, path, 512, true);
  assert.equal(await readGpt(disk, 512, { useBackup: true }), null);
  assert.equal(await readGpt(disk, 4096, { useBackup: true }), null);
  const tiny = await fileDisk(t, sparseFile(tempDir(t), 'tiny.img', 1000), 512, true);
  assert.equal(await readGpt(tiny, 512), null);
});
