import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDisk } from '../../../../src/deploy/disk/open-disk.ts';
import type { DiskIO } from '../../../../src/deploy/disk/disk-io.ts';
import { createImageWriter } from '../../../../src/deploy/sink/image-writer.ts';
import { tempDir } from '../../../helpers/tools.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** An image with data, whole zero blocks and zero bytes inside data blocks. */
function sampleImage(): Buffer {
  const image = Buffer.alloc(5 * MiB);
  randomBytes(300 * KiB).copy(image, 0);
  randomBytes(1 * MiB).copy(image, 2 * MiB + 123);
  image[4 * MiB + 7] = 9;
  return image;
}

/** Records the calls a writer makes, over a real file. */
function countingDisk(disk: DiskIO): DiskIO & { writes: number; zeroCalls: number } {
  const counted = Object.create(disk) as DiskIO & { writes: number; zeroCalls: number };
  counted.writes = 0;
  counted.zeroCalls = 0;
  counted.writeAt = async (offset, bytes) => {
    counted.writes++;
    return disk.writeAt(offset, bytes);
  };
  counted.zeroRange = async (offset, length) => {
    counted.zeroCalls++;
    return disk.zeroRange(offset, length);
  };
  return counted;
}

/**
 * A 6 MiB disk file full of old content (so a skipped zero block would show), counted; discarded first when the
 * test asks for a disk that reads zero.
 */
async function oldContentDisk(t: TestContext, diskReadsZero: boolean): Promise<{ path: string; disk: ReturnType<typeof countingDisk> }> {
  const path = join(tempDir(t), 'disk.img');
  writeFileSync(path, Buffer.alloc(6 * MiB, 0xee));
  const disk = countingDisk(await openDisk(path));
  t.after(() => disk.close());
  if (diskReadsZero) assert.equal(await disk.discardAll(), true);
  return { path, disk };
}

for (const diskReadsZero of [true, false]) {
  test(`createImageWriter() reproduces the image byte for byte from odd-sized chunks (diskReadsZero ${diskReadsZero})`, async (t) => {
    const { path, disk } = await oldContentDisk(t, diskReadsZero);

    const image = sampleImage();
    const writer = createImageWriter(disk, { diskReadsZero, batchBytes: 1 * MiB });
    let offset = 0;
    for (const size of [1, 4095, 65536, 777777, 3 * MiB]) {
      await writer.write(offset, image.subarray(offset, Math.min(image.length, offset + size)));
      offset = Math.min(image.length, offset + size);
    }
    await writer.write(offset, image.subarray(offset));
    await writer.flush();

    const written = readFileSync(path);
    assert.ok(written.subarray(0, image.length).equals(image));
    assert.ok(writer.bytesWritten < image.length, 'zero blocks are not written as data');
    if (diskReadsZero) assert.equal(disk.zeroCalls, 0);
    else assert.ok(disk.zeroCalls > 0);
    assert.equal(written[6 * MiB - 1], diskReadsZero ? 0 : 0xee, 'bytes past the image are left alone');
  });
}

test('createImageWriter() zero() clears old bytes unless the disk already reads zero', async (t) => {
  const path = join(tempDir(t), 'disk.img');
  writeFileSync(path, Buffer.alloc(2 * MiB, 0xee));
  const disk = await openDisk(path);
  t.after(() => disk.close());
  const writer = createImageWriter(disk, { diskReadsZero: false });
  await writer.write(0, Buffer.from('head'));
  await writer.zero(4, MiB);
  await writer.write(MiB + 4, Buffer.from('next'));
  await writer.flush();
  const written = readFileSync(path);
  assert.equal(written.subarray(0, 4).toString(), 'head');
  assert.ok(written.subarray(4, MiB + 4).equals(Buffer.alloc(MiB)));
  assert.equal(written.subarray(MiB + 4, MiB + 8).toString(), 'next');
  assert.equal(written[MiB + 8], 0xee);
});

test('createImageWriter() reports a failed write at the next call', async (t) => {
  const path = join(tempDir(t), 'disk.img');
  writeFileSync(path, Buffer.alloc(MiB));
  const disk = await openDisk(path);
  t.after(() => disk.close());
  const writer = createImageWriter(disk, { diskReadsZero: true, batchBytes: 64 * KiB });
  // Past the end of a 1 MiB disk: the writer must not swallow the error.
  await assert.rejects(
    (async () => {
      await writer.write(MiB - 1024, randomBytes(256 * KiB));
      await writer.flush();
    })(),
    { code: 'BYOI_DISK_IO' },
  );
});

for (const [diskReadsZero, batches] of [[true, 2], [false, 2], [true, 8], [false, 8]] as const) {
  test(`createImageWriter() never refills a buffer a slow write still reads, across an all-zero batch (diskReadsZero ${diskReadsZero}, ${batches} buffers)`, async (t) => {
    const path = join(tempDir(t), 'disk.img');
    writeFileSync(path, Buffer.alloc(4 * MiB));
    const real = await openDisk(path);
    t.after(() => real.close());
    // A disk that reads the bytes only after a delay, as a busy device under load does.
    const slow = Object.create(real) as DiskIO;
    slow.writeAt = async (offset, bytes) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return real.writeAt(offset, bytes);
    };
    const image = Buffer.alloc(3 * MiB);
    randomBytes(1 * MiB).copy(image, 0); // batch 1: data
    randomBytes(1 * MiB).copy(image, 2 * MiB); // batch 2 is all zeros, batch 3 data again
    const writer = createImageWriter(slow, { diskReadsZero, batchBytes: 1 * MiB, batches });
    await writer.write(0, image);
    await writer.flush();
    assert.ok(readFileSync(path).subarray(0, image.length).equals(image));
  });
}

for (const diskReadsZero of [true, false]) {
  test(`createImageWriter() lend() writes lent bytes in place, in order with write(), and gives each back once (diskReadsZero ${diskReadsZero})`, async (t) => {
    const { path, disk } = await oldContentDisk(t, diskReadsZero);

    const image = sampleImage();
    const batches = 3;
    const writer = createImageWriter(disk, { diskReadsZero, batchBytes: 1 * MiB, batches });
    const cluster = 64 * KiB;
    // "Outputs" of 8 clusters each, as a zstd worker's batch: guest-contiguous, but every other output holds its
    // clusters in reverse memory order, so runs span several views (one vectored write).
    let released = 0;
    let out = 0;
    let maxOut = 0;
    for (let output = 0; output * 8 * cluster < image.length; output++) {
      const memory = new Uint8Array(8 * cluster);
      const slots = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (output % 2 === 0 ? i : 7 - i));
      for (let i = 0; i < 8; i++) {
        const at = (output * 8 + i) * cluster;
        if (at >= image.length) break;
        const view = memory.subarray((slots[i] as number) * cluster, (slots[i] as number + 1) * cluster);
        view.set(image.subarray(at, at + cluster));
        out++;
        maxOut = Math.max(maxOut, out);
        let given = false;
        await writer.lend(at, view.subarray(0, Math.min(cluster, image.length - at)), () => {
          assert.equal(given, false, 'released once');
          given = true;
          released++;
          out--;
          // The writer must not read lent bytes after their release.
          view.fill(0xab);
        });
      }
      if (output === 3) await writer.write(100 * KiB, image.subarray(100 * KiB, 200 * KiB)); // the same bytes again, later
    }
    await writer.flush();
    assert.equal(out, 0, 'every lent cluster was given back');
    assert.equal(released, image.length / cluster);
    assert.ok(maxOut <= (batches + 1) * (MiB / cluster), `at most ${batches + 1} batches of lent bytes held (held ${maxOut} clusters)`);
    const written = readFileSync(path);
    assert.ok(written.subarray(0, image.length).equals(image));
    assert.ok(writer.bytesWritten < image.length + 100 * KiB, 'zero blocks are not written as data');
  });
}

test('createImageWriter() lend() keeps later lent bytes over earlier ones', async (t) => {
  const path = join(tempDir(t), 'disk.img');
  writeFileSync(path, Buffer.alloc(1 * MiB));
  const disk = await openDisk(path);
  t.after(() => disk.close());
  const writer = createImageWriter(disk, { diskReadsZero: false, batchBytes: 256 * KiB });
  await writer.lend(0, new Uint8Array(128 * KiB).fill(1), () => undefined);
  await writer.write(64 * KiB, new Uint8Array(64 * KiB).fill(2));
  await writer.lend(96 * KiB, new Uint8Array(64 * KiB).fill(3), () => undefined);
  await writer.flush();
  const written = readFileSync(path);
  assert.equal(written[0], 1);
  assert.equal(written[64 * KiB], 2);
  assert.equal(written[96 * KiB], 3);
  assert.equal(written[160 * KiB], 0);
});
