import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { needTools, tempDir } from '../../../../helpers/tools.ts';
import { convertToQcow2, PATTERN_SIZE, qemuImgInfo, lazyPatternFiles } from '../../../../fixtures/qcow2-fixtures.ts';
import { chunkings, decodeToDisk, fixedChunks, KiB, MiB } from './_decoder-harness.ts';
import { assertDecodesAsQemu, assertDiskMatchesQemu } from './_qemu-oracle.ts';

// Compressed clusters (deflate and zstd), fed in several chunk sizes and compared with `qemu-img convert -O raw`.

const dir = tempDir({ after }, 'byoi-qcow2-compressed-');
const { pattern, smallPattern } = lazyPatternFiles(dir);

function skipWithoutQemu(t: TestContext): boolean {
  return !needTools(t, 'qemu-img', 'qemu-io');
}

test('createQcow2Decoder() inflates deflate-compressed clusters (qemu-img convert -c)', async (t) => {
  if (skipWithoutQemu(t)) return;
  await assertDecodesAsQemu(dir, convertToQcow2(dir, pattern(), 'deflate', '', true));
});

test('createQcow2Decoder() decompresses zstd clusters (compression_type=zstd)', async (t) => {
  if (skipWithoutQemu(t)) return;
  const path = convertToQcow2(dir, pattern(), 'zstd', 'compression_type=zstd', true);
  assert.equal(qemuImgInfo(path)['format-specific']?.data['compression-type'], 'zstd');
  await assertDecodesAsQemu(dir, path);
});

test('createQcow2Decoder() decodes compressed clusters of 512 B, 4 KiB and 2 MiB, across many L2 tables', async (t) => {
  if (skipWithoutQemu(t)) return;
  for (const clusterSize of [512, 4096, 2 * MiB]) {
    await assertDecodesAsQemu(dir, convertToQcow2(dir, smallPattern(), `deflate-${clusterSize}`, `cluster_size=${clusterSize}`, true));
    await assertDecodesAsQemu(dir, 
      convertToQcow2(dir, smallPattern(), `zstd-${clusterSize}`, `cluster_size=${clusterSize},compression_type=zstd`, true),
      chunkings.slice(1, 2),
    );
  }
});

test('createQcow2Decoder() keeps packed compressed clusters without re-reading, and frees what it kept', async (t) => {
  if (skipWithoutQemu(t)) return;
  // 4 KiB clusters: an L2 table every 2 MiB of guest, and the first compressed clusters of each table are packed
  // into the cluster before it (qemu allocates the table first, then fills the current cluster).
  const path = convertToQcow2(dir, pattern(), 'deflate-4k-full', 'cluster_size=4096', true);
  const image = new Uint8Array(readFileSync(path));
  const { decoder, diskPath } = await decodeToDisk(dir, image, PATTERN_SIZE, { chunking: fixedChunks(MiB) });
  assertDiskMatchesQemu(diskPath, path, dir, '4 KiB compressed clusters');
  assert.equal(decoder.stats.refetchRequests, 0);
  // A few 64 KiB blocks at a time, not the image.
  assert.ok(decoder.stats.bufferedPeakBytes <= 4 * 64 * KiB, `kept ${decoder.stats.bufferedPeakBytes} bytes`);
});

test('createQcow2Decoder() decompresses a last compressed cluster whose sectors run past the end of the file', async (t) => {
  if (skipWithoutQemu(t)) return;
  // Text at the end of the guest compresses well, so the last sector ends in padding; older qemu-img versions
  // did not write that padding. qemu reads what is there, and so does byoi, whether it knows the size or not.
  const raw = join(dir, 'text-at-end.raw');
  const bytes = Buffer.alloc(MiB);
  let text = '';
  for (let line = 0; text.length < 200000; line++) text += `line ${line} of text at the end of the disk\n`;
  bytes.write(text.slice(0, 200000), MiB - 200000);
  writeFileSync(raw, bytes);
  const full = convertToQcow2(dir, raw, 'text-at-end', '', true);
  const cut = join(dir, 'text-at-end-cut.qcow2');
  copyFileSync(full, cut);
  truncateSync(cut, readFileSync(full).length - 100);
  await assertDecodesAsQemu(dir, cut);
});
