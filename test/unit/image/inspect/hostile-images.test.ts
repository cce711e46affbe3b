import assert from 'node:assert/strict';
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cachedReadAt } from '../../../../src/image/cached-read-at.ts';
import { inspectImage } from '../../../../src/image/inspect/inspect-image.ts';
import { bufferReadAt, type ReadAt } from '../../../../src/image/read-at.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import { loadImage } from '../fat/_fat-fixtures.ts';
import { nodeNumber, sfdiskJson } from '../partition-table/_fixtures.ts';
import { bytesOf, INSPECT_TOOLS, makeGptEspDisk, makeMbrLogicalDisk, MiB, patch } from './_fixtures.ts';

// Hostile images through the whole inspection: each ends quickly with a result whose problems name what is wrong.

function open(path: string): ReadAt {
  return cachedReadAt(loadImage(path));
}

function u32le(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

function u64be(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, false);
  return bytes;
}

test('inspectImage() reports an empty file and random bytes as raw images without a partition table', async () => {
  const empty = await inspectImage(bufferReadAt(new Uint8Array(0)));
  assert.equal(empty.format, 'raw');
  assert.deepEqual(empty.problems.map((p) => p.message), [
    'image provided format is not of type raw because no partition table was found. It seems to contain: nothing (the image is empty)',
  ]);
  const garbage = Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 2654435761) >>> 24);
  const random = await inspectImage(bufferReadAt(garbage), { imageType: 'raw' });
  assert.equal(random.problems[0]?.code, 'BYOI_IMAGE_NO_PARTITION_TABLE');
  assert.match(random.problems[0]?.message ?? '', /It seems to contain: unrecognised data \(starting with [0-9a-f ]+\)$/);
});

test('inspectImage() reports a truncated qcow2 image and what it could still read', async (t) => {
  if (!needTools(t, ...INSPECT_TOOLS)) return;
  const dir = tempDir(t);
  const disk = makeGptEspDisk(dir);
  const qcow2 = join(dir, 'cut.qcow2');
  run('qemu-img', ['convert', '-O', 'qcow2', disk.path, qcow2]);
  const full = bytesOf(qcow2).length;
  truncateSync(qcow2, Math.floor(full / 3));
  const inspection = await inspectImage(open(qcow2), { imageType: 'qcow2' });
  assert.equal(inspection.format, 'qcow2');
  assert.equal(inspection.virtualSize, 96 * MiB);
  assert.ok(inspection.problems.length > 0);
  assert.ok(inspection.problems.every((p) => p.code === 'BYOI_IMAGE_TRUNCATED' || p.code === 'BYOI_IMAGE_INVALID'), JSON.stringify(inspection.problems));
  assert.match(inspection.problems.map((p) => p.message).join('\n'), /the image ends at byte \d+, before byte \d+/);
});

test('inspectImage() survives a qcow2 header claiming an absurd disk size and an L1 table past the end', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const dir = tempDir(t);
  const path = join(dir, 'absurd.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', path, '16M']);
  patch(path, 24, u64be(1n << 62n)); // size
  const huge = await inspectImage(open(path), { disk: { name: '/dev/sda', size: 1024 ** 4 } });
  assert.ok(huge.problems.length > 0);
  assert.ok(huge.problems.every((p) => p.severity === 'error'));
  assert.match(huge.problems.map((p) => p.message).join('\n'), /qcow2|larger than \/dev\/sda/);

  const pastEnd = join(dir, 'l1-past-end.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', pastEnd, '16M']);
  patch(pastEnd, 40, u64be(1n << 40n)); // l1_table_offset
  const inspection = await inspectImage(open(pastEnd));
  assert.equal(inspection.guest, null);
  assert.equal(inspection.problems[0]?.severity, 'error');
  assert.match(inspection.problems[0]?.message ?? '', /^Cannot read .*L1/i);
});

test('inspectImage() reports an EBR chain that loops and still lists the partitions it read', async (t) => {
  if (!needTools(t, ...INSPECT_TOOLS)) return;
  const dir = tempDir(t);
  const path = makeMbrLogicalDisk(dir);
  const table = sfdiskJson(path);
  const logical = table.partitions.find((p) => nodeNumber(p.node) === 5);
  const extended = table.partitions.find((p) => nodeNumber(p.node) === 2);
  assert.ok(logical !== undefined && extended !== undefined);
  // The first EBR (just before partition 5) links to itself: start 0, relative to the extended partition.
  const ebr = (logical.start - 2048) * 512;
  assert.equal(ebr, extended.start * 512);
  const link = new Uint8Array(16);
  link[4] = 0x05;
  link.set(u32le(0), 8);
  link.set(u32le(2048), 12);
  patch(path, ebr + 446 + 16, link);
  const started = Date.now();
  const inspection = await inspectImage(open(path));
  assert.ok(Date.now() - started < 10_000);
  assert.ok(inspection.partitionTable !== null);
  assert.ok(inspection.partitionTable.partitions.some((p) => p.number === 5));
  assert.ok(inspection.problems.some((p) => p.code === 'BYOI_IMAGE_INVALID' && /loop|again|already/i.test(p.message)), JSON.stringify(inspection.problems));
});

test('inspectImage() reports a FAT whose root directory chain loops, and keeps the rest of the report', async (t) => {
  if (!needTools(t, ...INSPECT_TOOLS)) return;
  const dir = tempDir(t);
  const disk = makeGptEspDisk(dir);
  const boot = bytesOf(disk.path).subarray(disk.espOffset, disk.espOffset + 512);
  const reservedSectors = new DataView(boot.buffer, boot.byteOffset).getUint16(14, true);
  const rootCluster = new DataView(boot.buffer, boot.byteOffset).getUint32(44, true);
  const fat = disk.espOffset + reservedSectors * 512;
  patch(disk.path, fat + rootCluster * 4, u32le(rootCluster)); // the root directory's cluster is followed by itself
  const inspection = await inspectImage(open(disk.path), { bootMode: 'uefi' });
  assert.equal(inspection.partitionTable?.partitions.length, 3);
  assert.equal(inspection.partitionTable?.partitions[2]?.filesystem, 'ext4');
  assert.equal(inspection.boot.espPartition, 1);
  assert.equal(inspection.boot.legacy, true);
  const codes = inspection.problems.map((p) => p.code);
  assert.ok(codes.includes('BYOI_IMAGE_INVALID'), JSON.stringify(inspection.problems));
  assert.ok(codes.includes('BYOI_IMAGE_NO_EFI_LOADER'));
  assert.match(inspection.problems.find((p) => p.code === 'BYOI_IMAGE_INVALID')?.message ?? '', /EFI System Partition \(partition 1\)/);
});

test('inspectImage() warns about GPT partitions past the end of the image and probes what is there', async (t) => {
  if (!needTools(t, ...INSPECT_TOOLS)) return;
  const dir = tempDir(t);
  const disk = makeGptEspDisk(dir);
  truncateSync(disk.path, 80 * MiB); // the root partition now runs past the end; the backup GPT is gone
  const inspection = await inspectImage(open(disk.path));
  assert.equal(inspection.partitionTable?.partitions.length, 3);
  assert.equal(inspection.partitionTable?.partitions[2]?.filesystem, 'ext4');
  assert.ok(inspection.problems.length > 0);
  assert.ok(inspection.problems.every((p) => p.severity === 'warning'), JSON.stringify(inspection.problems));
  assert.match(inspection.problems.map((p) => p.message).join('\n'), /past the end of the image/);
});
