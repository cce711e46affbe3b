import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PartitionTableInfo } from '../../../../src/image/inspect-result.ts';
import { readPartitionTable } from '../../../../src/image/partition-table/read-partition-table.ts';
import { readPartitionTableReport } from '../../../../src/image/partition-table/read-partition-table-report.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import {
  fileDisk,
  MiB,
  nodeNumber,
  resize,
  sfdiskImage,
  sfdiskJson,
  sgdiskImage,
  sgdiskPrint,
  sparseFile,
  withLoop4k,
  writeBytes,
  type SfdiskTable,
} from './_fixtures.ts';

/** The table compared with `sfdisk --json`: start and size in sectors, type, name, boot flag. */
function assertMatchesSfdisk(table: PartitionTableInfo | null, oracle: SfdiskTable): void {
  assert.ok(table);
  const sectorSize = oracle.sectorsize ?? 512;
  assert.equal(table.type, oracle.label === 'dos' ? 'mbr' : 'gpt');
  assert.equal(table.sectorSize, sectorSize);
  assert.equal(table.type === 'mbr' ? `0x${table.id}` : table.id, oracle.id);
  assert.deepEqual(
    table.partitions.map((p) => ({
      number: p.number,
      start: p.start / sectorSize,
      size: p.size / sectorSize,
      type: table.type === 'mbr' ? Number.parseInt(p.type, 16) : p.type,
      name: p.name ?? undefined,
      bootable: p.bootable,
    })),
    oracle.partitions.map((p) => ({
      number: nodeNumber(p.node),
      start: p.start,
      size: p.size,
      type: oracle.label === 'dos' ? Number.parseInt(p.type, 16) : p.type,
      name: oracle.label === 'dos' ? undefined : (p.name ?? ''),
      bootable: p.bootable === true || (p.attrs ?? '').includes('LegacyBIOSBootable'),
    })),
  );
  for (const p of table.partitions) {
    assert.equal(p.filesystem, null);
    assert.equal(p.label, null);
    assert.equal(p.uuid, null);
  }
}

const gptLayout = ['-n', '1:2048:+1M', '-t', '1:ef02', '-n', '2:0:+10M', '-t', '2:ef00', '-c', '2:ESP', '-n', '3:0:0', '-t', '3:8304', '-c', '3:root', '-A', '3:set:2'];

test('readPartitionTable() reads a 512-byte GPT image as sfdisk and sgdisk do', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk')) return;
  const path = sgdiskImage(tempDir(t), 'gpt.img', 64 * MiB, gptLayout);
  const table = await readPartitionTable(await fileDisk(t, path, 512, true));
  assertMatchesSfdisk(table, sfdiskJson(path));
  assert.deepEqual(table?.partitions.map((p) => p.typeName), ['BIOS boot', 'EFI System', 'Linux root (x86-64)']);
  const print = sgdiskPrint(path);
  assert.deepEqual(table?.gpt, {
    firstUsableLba: print.firstUsable,
    lastUsableLba: print.lastUsable,
    backupLba: 64 * 2048 - 1,
    backupValid: true,
    backupAtEnd: true,
    entryCount: 128,
    entrySize: 128,
  });
});

test('readPartitionTable() reads a 4096-byte GPT image', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk', 'losetup')) return;
  const path = sparseFile(tempDir(t), 'gpt4k.img', 64 * MiB);
  let oracle: SfdiskTable | undefined;
  if (!withLoop4k(t, path, (device) => {
    run('sgdisk', [...gptLayout, device]);
    oracle = sfdiskJson(device);
  })) return;
  assert.ok(oracle);
  const table = await readPartitionTable(await fileDisk(t, path, 512, true));
  assertMatchesSfdisk(table, oracle);
  assert.equal(table?.gpt?.backupLba, 64 * 256 - 1);
  assert.equal(table?.gpt?.firstUsableLba, 6);
});

test('readPartitionTable() reads MBR primaries', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'mbr.img', 64 * MiB, 'label: dos\nlabel-id: 0xdeadbeef\n,8MiB,ef\n,16MiB,83,*\n,,7\n');
  const table = await readPartitionTable(await fileDisk(t, path, 512, true));
  assertMatchesSfdisk(table, sfdiskJson(path));
  assert.equal(table?.id, 'deadbeef');
  assert.deepEqual(table?.partitions.map((p) => [p.type, p.typeName]), [['ef', 'EFI (FAT-12/16/32)'], ['83', 'Linux'], ['07', 'HPFS/NTFS/exFAT']]);
  assert.equal(table?.gpt, undefined);
});

test('readPartitionTable() reads an extended partition and its logical partitions', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'logical.img', 64 * MiB, 'label: dos\n,10MiB,83,*\n,,E\n,5MiB,82\n,5MiB,83\n,,8e\n');
  const table = await readPartitionTable(await fileDisk(t, path, 512, true));
  assertMatchesSfdisk(table, sfdiskJson(path));
  assert.deepEqual(table?.partitions.map((p) => p.number), [1, 2, 5, 6, 7]);
});

test('readPartitionTable() reads the GPT of a hybrid MBR and reports the MBR', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk')) return;
  const path = sgdiskImage(tempDir(t), 'hybrid.img', 32 * MiB, ['-n', '1:2048:+4M', '-t', '1:ef00', '-n', '2:0:0', '-t', '2:8300', '-h', '1:2']);
  const report = await readPartitionTableReport(await fileDisk(t, path, 512, true));
  assertMatchesSfdisk(report?.table ?? null, sfdiskJson(path));
  assert.equal(report?.mbr?.kind, 'hybrid');
  assert.deepEqual(report?.problems, []);
});

test('readPartitionTable() reports a GPT whose backup is not at the end of the image', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk')) return;
  const path = sgdiskImage(tempDir(t), 'grown.img', 64 * MiB, gptLayout);
  resize(path, 128 * MiB);
  const table = await readPartitionTable(await fileDisk(t, path, 512, true));
  assertMatchesSfdisk(table, sfdiskJson(path));
  assert.equal(table?.gpt?.backupLba, 64 * 2048 - 1);
  assert.equal(table?.gpt?.backupValid, true);
  assert.equal(table?.gpt?.backupAtEnd, false);
});

test('readPartitionTable() reads the backup when the primary GPT is damaged and says so', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk')) return;
  const path = sgdiskImage(tempDir(t), 'damaged.img', 64 * MiB, gptLayout);
  const oracle = sfdiskJson(path);
  writeBytes(path, 512, new Uint8Array(512)); // the primary header is gone
  const report = await readPartitionTableReport(await fileDisk(t, path, 512, true));
  assertMatchesSfdisk(report?.table ?? null, oracle);
  assert.equal(report?.gpt?.headerSource, 'backup');
  assert.deepEqual(report?.problems.map((p) => p.message), [
    'Cannot read primary GPT header at LBA 1 (512-byte sectors): there is no "EFI PART" signature; the partitions were read from the backup header at LBA 131071',
  ]);
  // sfdisk recovers the same partitions from the backup.
  assert.deepEqual(sfdiskJson(path).partitions.map((p) => p.start), oracle.partitions.map((p) => p.start));
});

test('readPartitionTable() ignores a stale GPT behind a classic MBR, as sfdisk does', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk')) return;
  const path = sgdiskImage(tempDir(t), 'stale.img', 64 * MiB, gptLayout);
  // An MBR written over the protective one; the GPT headers stay behind.
  run('sfdisk', ['-q', '--no-reread', '--wipe', 'never', path], { input: 'label: dos\n,8MiB,83\n' });
  const oracle = sfdiskJson(path);
  assert.equal(oracle.label, 'dos');
  const report = await readPartitionTableReport(await fileDisk(t, path, 512, true));
  assertMatchesSfdisk(report?.table ?? null, oracle);
  assert.match(report?.problems[0]?.message ?? '', /GPT header at LBA 1 \(512-byte sectors\): it is ignored because the MBR has no protective/);
});

test('readPartitionTable() refuses a protective MBR without any GPT', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'nogpt.img', 64 * MiB, gptLayout);
  writeBytes(path, 512, new Uint8Array(512));
  writeBytes(path, 64 * MiB - 512, new Uint8Array(512));
  await assert.rejects(readPartitionTable(await fileDisk(t, path, 512, true)), {
    code: 'BYOI_IMAGE_INVALID',
    message: 'Cannot read GPT: the MBR is protective (type 0xEE) but there is no GPT header at LBA 1 nor at the last LBA, for 512- or 4096-byte sectors',
  });
});

test('readPartitionTable() reads a GPT without a protective MBR and reports it', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const path = sgdiskImage(tempDir(t), 'nopmbr.img', 64 * MiB, gptLayout);
  writeBytes(path, 0, new Uint8Array(512));
  const report = await readPartitionTableReport(await fileDisk(t, path, 512, true));
  assert.equal(report?.table.type, 'gpt');
  assert.equal(report?.mbr, null);
  assert.match(report?.problems[0]?.message ?? '', /Cannot read MBR: there is no protective MBR/);
});

test('readPartitionTable() returns null for an image without a partition table', async (t) => {
  const empty = sparseFile(tempDir(t), 'empty.img', 8 * MiB);
  assert.equal(await readPartitionTable(await fileDisk(t, empty, 512, true)), null);
  if (!needTools(t, 'mkfs.ext4')) return;
  const ext4 = sparseFile(tempDir(t), 'ext4.img', 8 * MiB);
  run('mkfs.ext4', ['-q', '-F', ext4]);
  assert.equal(await readPartitionTable(await fileDisk(t, ext4, 512, true)), null);
});
