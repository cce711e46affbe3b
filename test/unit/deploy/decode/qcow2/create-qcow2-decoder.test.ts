import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { createQcow2Decoder } from '../../../../../src/deploy/decode/qcow2/create-qcow2-decoder.ts';
import type { ImageWriter } from '../../../../../src/deploy/sink/image-writer.ts';
import { needTools, run, tempDir } from '../../../../helpers/tools.ts';
import { convertToQcow2, createQcow2, qemuImgInfo, writePatternRaw, lazyPatternFiles } from '../../../../fixtures/qcow2-fixtures.ts';
import { decodeToDisk, fixedChunks, KiB, MiB, readDisk, tinyChunkings } from './_decoder-harness.ts';
import { assertDecodesAsQemu, assertDiskMatchesQemu, layoutOf } from './_qemu-oracle.ts';

// Every fixture is made by qemu-img/qemu-io, fed through the decoder in several chunk sizes onto a disk file, and
// compared with `qemu-img convert -O raw` byte for byte.

const dir = tempDir({ after }, 'byoi-qcow2-decoder-');
const { pattern, smallPattern } = lazyPatternFiles(dir);

function skipWithoutQemu(t: TestContext): boolean {
  return !needTools(t, 'qemu-img', 'qemu-io');
}

test('createQcow2Decoder() decodes a default qcow2 (v3, 64 KiB clusters) as qemu-img does, in every chunk size', async (t) => {
  if (skipWithoutQemu(t)) return;
  await assertDecodesAsQemu(dir, convertToQcow2(dir, pattern(), 'default', ''));
});

test('createQcow2Decoder() decodes a v2 image (compat=0.10)', async (t) => {
  if (skipWithoutQemu(t)) return;
  const path = convertToQcow2(dir, pattern(), 'v2', 'compat=0.10');
  assert.equal(qemuImgInfo(path)['format-specific']?.data.compat, '0.10');
  await assertDecodesAsQemu(dir, path);
});

test('createQcow2Decoder() decodes clusters of 512 B and 2 MiB', async (t) => {
  if (skipWithoutQemu(t)) return;
  await assertDecodesAsQemu(dir, convertToQcow2(dir, pattern(), 'cluster-512', 'cluster_size=512'));
  await assertDecodesAsQemu(dir, convertToQcow2(dir, pattern(), 'cluster-2m', 'cluster_size=2M'));
});

test('createQcow2Decoder() decodes extended L2 entries with mixed subclusters', async (t) => {
  if (skipWithoutQemu(t)) return;
  await assertDecodesAsQemu(dir, convertToQcow2(dir, pattern(), 'extl2', 'extended_l2=on,cluster_size=65536'));
  // Partial writes leave clusters with some subclusters allocated, some zero, some unallocated.
  const path = createQcow2(dir, 'extl2-mixed', 'extended_l2=on,cluster_size=65536', 4 * MiB, [
    'write -P 0x11 4096 4096',
    'write -P 0x22 65536 65536',
    'write -z 81920 8192',
    'write -P 0x33 200000 3000',
    'write -P 0x44 1048576 2048',
    'write -z 1050624 2048',
    'write -P 0x55 4192256 2048',
  ]);
  assert.equal(qemuImgInfo(path)['format-specific']?.data['extended-l2'], true);
  await assertDecodesAsQemu(dir, path);
});

test('createQcow2Decoder() zeroes zero clusters, on a disk that reads zero and on one with old bytes', async (t) => {
  if (skipWithoutQemu(t)) return;
  const path = createQcow2(dir, 'zero-flag', '', 4 * MiB, [
    'write -P 0xab 0 1M',
    'write -z 65536 131072',
    'write -z -u 524288 65536',
    'write -P 0xcd 3M 64k',
    'write -z 3200k 64k',
  ]);
  await assertDecodesAsQemu(dir, path);
  // Old bytes everywhere: every byte the image says is zero must be zeroed, and bytes past the guest left alone.
  const image = new Uint8Array(readFileSync(path));
  for (const chunking of [fixedChunks(4 * KiB), fixedChunks(MiB)]) {
    const { diskPath } = await decodeToDisk(dir, image, 4 * MiB, { chunking, diskReadsZero: false, diskSize: 5 * MiB });
    assertDiskMatchesQemu(diskPath, path, dir, 'disk with old bytes');
    const disk = readDisk(diskPath);
    assert.ok(disk.subarray(4 * MiB).equals(Buffer.alloc(MiB, 0xee)), 'bytes past the guest are left alone');
  }
});

test('createQcow2Decoder() zeroes unallocated clusters and L2 ranges on a disk with old bytes', async (t) => {
  if (skipWithoutQemu(t)) return;
  for (const [name, options] of [['old-bytes-64k', ''], ['old-bytes-512', 'cluster_size=512'], ['old-bytes-deflate', '']] as const) {
    const path = convertToQcow2(dir, smallPattern(), name, options, name.endsWith('deflate'));
    const image = new Uint8Array(readFileSync(path));
    const { diskPath } = await decodeToDisk(dir, image, 4 * MiB, { chunking: fixedChunks(64 * KiB), diskReadsZero: false });
    assertDiskMatchesQemu(diskPath, path, dir, name);
  }
});

test('createQcow2Decoder() decodes a virtual size that is not a multiple of the cluster size', async (t) => {
  if (skipWithoutQemu(t)) return;
  // qemu-img create rounds 5000000 up to whole sectors: 5000192, inside the last 64 KiB cluster.
  const odd = createQcow2(dir, 'odd-size', 'cluster_size=65536', 5000000, ['write -P 0x5a 4980000 20192']);
  assert.equal(qemuImgInfo(odd)['virtual-size'], 5000192);
  await assertDecodesAsQemu(dir, odd);
  await assertDecodesAsQemu(dir, convertToQcow2(dir, odd, 'odd-size-deflate', '', true));
  // A size field that is not whole sectors: qemu reads 4999680 bytes (FORMAT.md "Notes"), and so does byoi.
  const unaligned = join(dir, 'unaligned-size.qcow2');
  const bytes = readFileSync(odd);
  bytes.writeBigUInt64BE(5000000n, 24);
  writeFileSync(unaligned, bytes);
  assert.equal(qemuImgInfo(unaligned)['virtual-size'], 4999680);
  await assertDecodesAsQemu(dir, unaligned);
});

test('createQcow2Decoder() writes one host cluster to every guest cluster that maps it', async (t) => {
  if (skipWithoutQemu(t)) return;
  // Entries 5 to 9 of the only L2 table all point at the host cluster of guest cluster 0 (refcounts aside, the
  // image reads fine in qemu).
  const original = convertToQcow2(dir, pattern(), 'shared-in-table', '');
  const layout = await layoutOf(original);
  const table = layout.mapping.l2TableOffsets[0] as number;
  const bytes = readFileSync(original);
  const first = bytes.readBigUInt64BE(table);
  for (let index = 5; index < 10; index++) bytes.writeBigUInt64BE(first, table + index * 8);
  const path = join(dir, 'shared-in-table.qcow2');
  writeFileSync(path, bytes);
  await assertDecodesAsQemu(dir, path);
});

test('createQcow2Decoder() decodes a tiny image fed one byte at a time', async (t) => {
  if (skipWithoutQemu(t)) return;
  const raw = join(dir, 'tiny.raw');
  writePatternRaw(raw, 64 * KiB);
  await assertDecodesAsQemu(dir, convertToQcow2(dir, raw, 'tiny', 'cluster_size=512'), tinyChunkings);
  await assertDecodesAsQemu(dir, convertToQcow2(dir, raw, 'tiny-deflate', 'cluster_size=512', true), tinyChunkings.slice(0, 2));
});

test('createQcow2Decoder() writes nothing for an image whose header it refuses', async (t) => {
  if (skipWithoutQemu(t)) return;
  const base = createQcow2(dir, 'base', '', MiB);
  const overlay = join(dir, 'overlay.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', overlay]);
  const calls: string[] = [];
  const writer: ImageWriter = {
    bytesWritten: 0,
    async write() {
      calls.push('write');
    },
    async zero() {
      calls.push('zero');
    },
    async flush() {
      calls.push('flush');
    },
  };
  const decoder = createQcow2Decoder(writer, { fileSize: null });
  const image = new Uint8Array(readFileSync(overlay));
  await assert.rejects(
    (async () => {
      for (let at = 0; at < image.length; at += 4096) await decoder.push(image.subarray(at, at + 4096));
      await decoder.end();
    })(),
    (error: { code: string; message: string }) => {
      assert.equal(error.code, 'BYOI_IMAGE_UNSUPPORTED_FEATURE');
      assert.match(error.message, /backing file/);
      return true;
    },
  );
  assert.deepEqual(calls, []);
  // The failure sticks: later calls report it again.
  await assert.rejects(decoder.end(), { code: 'BYOI_IMAGE_UNSUPPORTED_FEATURE' });
});

test('createQcow2Decoder() refuses options out of range before any I/O', () => {
  const writer = {} as ImageWriter;
  assert.throws(() => createQcow2Decoder(writer, { fileSize: -1 }), RangeError);
  assert.throws(() => createQcow2Decoder(writer, { fileSize: 1.5 }), RangeError);
  assert.throws(() => createQcow2Decoder(writer, { fileSize: null, memoryBudgetBytes: -1 }), RangeError);
});

test('createQcow2Decoder() stops with BYOI_DEPLOY_CANCELLED when its signal fires', async (t) => {
  if (skipWithoutQemu(t)) return;
  const path = convertToQcow2(dir, smallPattern(), 'cancel', '');
  const image = new Uint8Array(readFileSync(path));
  const controller = new AbortController();
  let pushed = 0;
  await assert.rejects(
    decodeToDisk(dir, image, 4 * MiB, {
      chunking: () => {
        if (++pushed === 3) controller.abort(new Error('stop'));
        return 64 * KiB;
      },
      signal: controller.signal,
    }),
    { code: 'BYOI_DEPLOY_CANCELLED' },
  );
});

test('createQcow2Decoder() says when the stream is shorter or longer than the announced size', async () => {
  const writer: ImageWriter = { bytesWritten: 0, write: async () => undefined, zero: async () => undefined, flush: async () => undefined };
  const short = createQcow2Decoder(writer, { fileSize: 1000 });
  await short.push(new Uint8Array(10));
  await assert.rejects(short.end(), { code: 'BYOI_DOWNLOAD_TRUNCATED' });
  const long = createQcow2Decoder(writer, { fileSize: 10 });
  await assert.rejects(long.push(new Uint8Array(11)), { code: 'BYOI_DOWNLOAD_FAILED' });
  const empty = createQcow2Decoder(writer, { fileSize: null });
  await assert.rejects(empty.end(), { code: 'BYOI_IMAGE_TRUNCATED' });
});
