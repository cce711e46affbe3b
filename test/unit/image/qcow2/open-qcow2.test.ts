import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { bufferReadAt, type ReadAt } from '../../../../src/image/read-at.ts';
import { openQcow2 } from '../../../../src/image/qcow2/open-qcow2.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import { convertToQcow2, createQcow2, PATTERN_SIZE, qemuImgInfo, qemuRaw, lazyPatternFiles } from '../../../fixtures/qcow2-fixtures.ts';

const dir = tempDir({ after }, 'byoi-qcow2-open-');
const { pattern, smallPattern } = lazyPatternFiles(dir);

function load(path: string): ReadAt {
  return bufferReadAt(readFileSync(path));
}

/** Reads the whole guest disk and compares it with `qemu-img convert -O raw`, reporting the first difference. */
async function assertSameAsQemu(path: string): Promise<void> {
  const image = await openQcow2(load(path));
  const expected = qemuRaw(path, dir);
  assert.equal(image.virtualSize, expected.length, 'virtual size');
  assert.equal(image.virtualSize, qemuImgInfo(path)['virtual-size']);
  const actual = await image.guest.readAt(0, image.virtualSize);
  if (Buffer.compare(Buffer.from(actual), Buffer.from(expected)) !== 0) {
    let first = 0;
    while (actual[first] === expected[first]) first++;
    assert.fail(`guest bytes differ from qemu-img's at offset 0x${first.toString(16)}`);
  }
}

function skipWithoutQemu(t: TestContext): boolean {
  return !needTools(t, 'qemu-img', 'qemu-io');
}

test('openQcow2() reads a default qcow2 (v3, 64 KiB clusters) byte for byte as qemu-img does', async (t) => {
  if (skipWithoutQemu(t)) return;
  await assertSameAsQemu(convertToQcow2(dir, pattern(), 'default', ''));
});

test('openQcow2() reads a v2 image (compat=0.10)', async (t) => {
  if (skipWithoutQemu(t)) return;
  const path = convertToQcow2(dir, pattern(), 'v2', 'compat=0.10');
  assert.equal((await openQcow2(load(path))).header.version, 2);
  await assertSameAsQemu(path);
});

test('openQcow2() inflates deflate-compressed clusters (qemu-img convert -c)', async (t) => {
  if (skipWithoutQemu(t)) return;
  await assertSameAsQemu(convertToQcow2(dir, pattern(), 'deflate', '', true));
});

test('openQcow2() decompresses zstd clusters (compression_type=zstd)', async (t) => {
  if (skipWithoutQemu(t)) return;
  const path = convertToQcow2(dir, pattern(), 'zstd', 'compression_type=zstd', true);
  assert.equal((await openQcow2(load(path))).header.compressionType, 1);
  await assertSameAsQemu(path);
});

test('openQcow2() reads every cluster size from 512 B to 2 MiB', async (t) => {
  if (skipWithoutQemu(t)) return;
  for (const clusterSize of [512, 1024, 4096, 32768, 65536, 262144, 2097152]) {
    await assertSameAsQemu(convertToQcow2(dir, pattern(), `cluster-${clusterSize}`, `cluster_size=${clusterSize}`));
  }
});

test('openQcow2() reads compressed clusters of 512 B, 4 KiB and 2 MiB (descriptor bits depend on cluster_bits)', async (t) => {
  if (skipWithoutQemu(t)) return;
  for (const clusterSize of [512, 4096, 2097152]) {
    await assertSameAsQemu(convertToQcow2(dir, smallPattern(), `deflate-${clusterSize}`, `cluster_size=${clusterSize}`, true));
    await assertSameAsQemu(convertToQcow2(dir, smallPattern(), `zstd-${clusterSize}`, `cluster_size=${clusterSize},compression_type=zstd`, true));
  }
});

test('openQcow2() reads extended L2 entries (extended_l2=on) with mixed subclusters', async (t) => {
  if (skipWithoutQemu(t)) return;
  await assertSameAsQemu(convertToQcow2(dir, pattern(), 'extl2', 'extended_l2=on,cluster_size=65536'));
  // Partial writes leave clusters with some subclusters allocated, some zero, some unallocated.
  const path = createQcow2(dir, 'extl2-mixed', 'extended_l2=on,cluster_size=65536', 4 * 1024 * 1024, [
    'write -P 0x11 4096 4096',
    'write -P 0x22 65536 65536',
    'write -z 81920 8192',
    'write -P 0x33 200000 3000',
    'write -P 0x44 1048576 2048',
    'write -z 1050624 2048',
  ]);
  const image = await openQcow2(load(path));
  assert.equal(image.header.extendedL2, true);
  await assertSameAsQemu(path);
});

test('openQcow2() reads zero clusters (v3 zero flag) as zeros', async (t) => {
  if (skipWithoutQemu(t)) return;
  const path = createQcow2(dir, 'zero-flag', '', 4 * 1024 * 1024, [
    'write -P 0xab 0 1M',
    'write -z 65536 131072',
    'write -z -u 524288 65536',
    'write -P 0xcd 3M 64k',
  ]);
  await assertSameAsQemu(path);
});

test('openQcow2() reads any span of the guest disk, across cluster and L2 table boundaries', async (t) => {
  if (skipWithoutQemu(t)) return;
  for (const clusterSize of [512, 65536]) {
    for (const compress of [false, true]) {
      const path = convertToQcow2(dir, pattern(), `spans-${clusterSize}-${compress}`, `cluster_size=${clusterSize}`, compress);
      const expected = qemuRaw(path, dir);
      // A tiny cache makes every L2 table miss, to exercise eviction.
      const image = await openQcow2(load(path), { l2CacheBytes: 1 });
      let x = 99;
      for (let i = 0; i < 60; i++) {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        const offset = x % PATTERN_SIZE;
        x = (x * 1103515245 + 12345) % 2 ** 31;
        const length = Math.min(x % 300000, PATTERN_SIZE - offset);
        const actual = await image.guest.readAt(offset, length);
        assert.ok(Buffer.from(actual).equals(Buffer.from(expected.subarray(offset, offset + length))), `read at ${offset} of ${length}`);
      }
    }
  }
});

test('openQcow2() exposes a virtual size that is not a multiple of the cluster size', async (t) => {
  if (skipWithoutQemu(t)) return;
  const path = createQcow2(dir, 'odd-size', 'cluster_size=65536', 5000000, ['write -P 0x5a 4980000 20000']);
  const image = await openQcow2(load(path));
  assert.equal(image.virtualSize, qemuImgInfo(path)['virtual-size']);
  await assertSameAsQemu(path);
  await assert.rejects(image.guest.readAt(image.virtualSize - 10, 11), { code: 'BYOI_IMAGE_TRUNCATED' });
});

test('openQcow2() refuses a backing file, an external data file and encryption', async (t) => {
  if (skipWithoutQemu(t)) return;
  const base = createQcow2(dir, 'base', '', 1024 * 1024);
  const overlay = join(dir, 'overlay.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', overlay]);
  await assert.rejects(openQcow2(load(overlay)), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_UNSUPPORTED_FEATURE');
    assert.match(error.message, /backing file \(.*base\.qcow2\)/);
    return true;
  });

  const withDataFile = createQcow2(dir, 'with-data-file', `data_file=${join(dir, 'data.raw')}`, 1024 * 1024);
  await assert.rejects(openQcow2(load(withDataFile)), { code: 'BYOI_IMAGE_UNSUPPORTED_FEATURE' });

  // AES is quick to create; LUKS (seconds of key derivation) is covered by the header tests.
  const encrypted = join(dir, 'encrypted.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', '--object', 'secret,id=s0,data=x', '-o', 'encrypt.format=aes,encrypt.key-secret=s0', encrypted, '1M']);
  await assert.rejects(openQcow2(load(encrypted)), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_UNSUPPORTED_FEATURE');
    assert.match(error.message, /AES encryption/);
    return true;
  });
});

test('openQcow2() refuses reads outside the guest disk', async (t) => {
  if (skipWithoutQemu(t)) return;
  const image = await openQcow2(load(createQcow2(dir, 'small', '', 1024 * 1024)));
  await assert.rejects(image.guest.readAt(1024 * 1024, 1), { code: 'BYOI_IMAGE_TRUNCATED' });
  await assert.rejects(image.guest.readAt(-1, 1), { code: 'BYOI_IMAGE_INVALID' });
  assert.equal((await image.guest.readAt(1024 * 1024, 0)).length, 0);
});
