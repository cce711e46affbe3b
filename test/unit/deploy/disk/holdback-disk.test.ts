import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHoldbackDisk } from '../../../../src/deploy/disk/holdback-disk.ts';
import { openDisk } from '../../../../src/deploy/disk/open-disk.ts';
import { tempDir } from '../../../helpers/tools.ts';

const MiB = 1024 * 1024;

test('createHoldbackDisk() keeps held-back ranges off the disk until commit()', async (t) => {
  const path = join(tempDir(t), 'disk.img');
  writeFileSync(path, Buffer.alloc(8 * MiB, 0x11));
  const disk = await openDisk(path);
  t.after(() => disk.close());
  const held = createHoldbackDisk(disk, [
    { start: 0, length: MiB },
    { start: 7 * MiB, length: MiB },
  ]);

  // One write that spans a held range and the disk between.
  await held.writeAt(MiB - 4, Buffer.alloc(8, 0xaa));
  await held.writeAt(7 * MiB + 10, Buffer.from('tail'));

  const onDisk = readFileSync(path);
  assert.equal(onDisk[MiB - 4], 0x11, 'held bytes must not reach the disk before commit');
  assert.equal(onDisk[MiB], 0xaa, 'bytes outside held ranges go straight to the disk');
  assert.equal(onDisk.subarray(7 * MiB + 10, 7 * MiB + 14).toString(), '\u0011\u0011\u0011\u0011');

  const view = await held.readAt(MiB - 8, 16);
  assert.deepEqual([...view], [0, 0, 0, 0, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0x11, 0x11, 0x11, 0x11]);

  await held.commit();
  const after = readFileSync(path);
  assert.equal(after[0], 0, 'held ranges start as zeros and are written as such');
  assert.equal(after[MiB - 4], 0xaa);
  assert.equal(after.subarray(7 * MiB + 10, 7 * MiB + 14).toString(), 'tail');
  await assert.rejects(held.writeAt(0, Buffer.alloc(1)), { code: 'BYOI_DISK_IO' });
});

test('createHoldbackDisk() merges overlapping ranges and clips them to the disk', async (t) => {
  const path = join(tempDir(t), 'disk.img');
  writeFileSync(path, Buffer.alloc(4 * MiB));
  const disk = await openDisk(path);
  t.after(() => disk.close());
  const held = createHoldbackDisk(disk, [
    { start: MiB, length: MiB },
    { start: MiB + 10, length: MiB },
    { start: 3 * MiB, length: 5 * MiB },
  ]);
  assert.deepEqual(held.heldBack, [
    { start: MiB, length: MiB + 10 },
    { start: 3 * MiB, length: MiB },
  ]);
});

test('createHoldbackDisk() writevAt() writes its parts in order, held parts in memory until commit()', async (t) => {
  const path = join(tempDir(t), 'disk.img');
  writeFileSync(path, Buffer.alloc(4 * MiB, 0x11));
  const disk = await openDisk(path);
  t.after(() => disk.close());
  const held = createHoldbackDisk(disk, [{ start: 0, length: MiB }]);
  const parts = [Buffer.alloc(3, 0xa1), Buffer.alloc(5, 0xa2), Buffer.alloc(2, 0xa3)];
  // Spanning the held range's end, then wholly on the disk.
  await held.writevAt?.(MiB - 4, parts);
  await held.writevAt?.(2 * MiB, parts);
  const onDisk = readFileSync(path);
  assert.equal(onDisk[MiB - 4], 0x11, 'held bytes must not reach the disk before commit');
  assert.deepEqual([...onDisk.subarray(MiB, MiB + 6)], [0xa2, 0xa2, 0xa2, 0xa2, 0xa3, 0xa3]);
  assert.deepEqual([...onDisk.subarray(2 * MiB, 2 * MiB + 11)], [0xa1, 0xa1, 0xa1, 0xa2, 0xa2, 0xa2, 0xa2, 0xa2, 0xa3, 0xa3, 0x11]);
  await held.commit();
  assert.deepEqual([...readFileSync(path).subarray(MiB - 4, MiB)], [0xa1, 0xa1, 0xa1, 0xa2]);
});
