import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { qcow2Info } from '../../../../src/image/qcow2/qcow2-info.ts';
import {
  HDR_CLUSTER_BITS,
  HDR_COMPRESSION_TYPE,
  HDR_CRYPT_METHOD,
  HDR_HEADER_LENGTH,
  HDR_INCOMPATIBLE_FEATURES,
  HDR_L1_SIZE,
  HDR_L1_TABLE_OFFSET,
  HDR_MAGIC,
  HDR_REFCOUNT_ORDER,
  HDR_REFCOUNT_TABLE_OFFSET,
  HDR_SIZE,
  HDR_SNAPSHOTS_OFFSET,
  HDR_VERSION,
} from '../../../../src/image/qcow2/qcow2-layout.ts';
import { readQcow2Header, type Qcow2Header } from '../../../../src/image/qcow2/read-qcow2-header.ts';
import { needTools, run, runStatus, tempDir } from '../../../helpers/tools.ts';
import { createQcow2, qemuImgInfo, runLuksCreate, type QemuImgInfo } from '../../../fixtures/qcow2-fixtures.ts';

const dir = tempDir({ after }, 'byoi-qcow2-header-');
const MiB = 1024 * 1024;

async function header(path: string): Promise<Qcow2Header> {
  return readQcow2Header(bufferReadAt(readFileSync(path)));
}

/** Checks every header fact `qemu-img info` also reports. */
function assertMatchesQemu(actual: Qcow2Header, info: QemuImgInfo): void {
  const data = info['format-specific']?.data ?? {};
  assert.equal(actual.size - (actual.size % 512), info['virtual-size'], 'virtual-size');
  assert.equal(actual.clusterSize, info['cluster-size'], 'cluster-size');
  assert.equal(actual.version === 2 ? '0.10' : '1.1', data.compat, 'compat');
  assert.equal(actual.compressionType === 1 ? 'zstd' : 'zlib', data['compression-type'] ?? 'zlib', 'compression-type');
  assert.equal(actual.extendedL2, data['extended-l2'] ?? false, 'extended-l2');
  assert.equal(actual.lazyRefcounts, data['lazy-refcounts'] ?? false, 'lazy-refcounts');
  assert.equal(actual.corrupt, data.corrupt ?? false, 'corrupt');
  assert.equal(2 ** actual.refcountOrder, data['refcount-bits'], 'refcount-bits');
  assert.equal(actual.dirty, info['dirty-flag'] ?? false, 'dirty-flag');
  assert.equal(actual.backingFile ?? undefined, info['backing-filename'], 'backing-filename');
  assert.equal(actual.extensions.backingFormat ?? undefined, info['backing-filename-format'], 'backing-filename-format');
  assert.equal(actual.extensions.dataFile ?? undefined, data['data-file'], 'data-file');
  assert.equal(actual.externalDataFile ? actual.rawExternalData : undefined, data['data-file-raw'], 'data-file-raw');
  const encrypt = data.encrypt as { format: string } | undefined;
  assert.equal(actual.cryptMethod === 0 ? undefined : actual.cryptMethod === 1 ? 'aes' : 'luks', encrypt?.format, 'encrypt.format');
  const bitmaps = data.bitmaps as unknown[] | undefined;
  assert.equal(actual.extensions.bitmaps?.nbBitmaps ?? 0, bitmaps?.length ?? 0, 'bitmaps');
}

test('readQcow2Header() reports what qemu-img info reports, for each kind of image qemu-img creates', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const base = createQcow2(dir, 'base', '', MiB);
  const cases: [string, () => string][] = [
    ['default', () => createQcow2(dir, 'default', '', 10 * MiB)],
    ['v2', () => createQcow2(dir, 'v2', 'compat=0.10', 10 * MiB)],
    ['512-byte clusters', () => createQcow2(dir, 'c512', 'cluster_size=512', 3 * MiB)],
    ['2 MiB clusters', () => createQcow2(dir, 'c2m', 'cluster_size=2M', 100 * MiB)],
    ['zstd', () => createQcow2(dir, 'zstd', 'compression_type=zstd', MiB)],
    ['extended L2', () => createQcow2(dir, 'extl2', 'extended_l2=on,cluster_size=32k', MiB)],
    ['lazy refcounts', () => createQcow2(dir, 'lazy', 'lazy_refcounts=on,refcount_bits=64', MiB)],
    ['odd size', () => createQcow2(dir, 'odd', '', 5000000)],
    ['backing file', () => {
      const path = join(dir, 'overlay.qcow2');
      run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', path]);
      return path;
    }],
    ['v2 with a backing file', () => {
      const path = join(dir, 'overlay-v2.qcow2');
      run('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'compat=0.10', '-b', base, '-F', 'qcow2', path]);
      return path;
    }],
    ['external data file', () => createQcow2(dir, 'datafile', `data_file=${join(dir, 'data.raw')},data_file_raw=on`, MiB)],
    ['AES encryption', () => {
      const path = join(dir, 'aes.qcow2');
      run('qemu-img', ['create', '-q', '-f', 'qcow2', '--object', 'secret,id=s0,data=x', '-o', 'encrypt.format=aes,encrypt.key-secret=s0', path, '1M']);
      return path;
    }],
    ['bitmap', () => {
      const path = createQcow2(dir, 'bitmap', '', MiB);
      run('qemu-img', ['bitmap', '--add', path, 'b0']);
      return path;
    }],
    ['dirty', () => {
      const path = createQcow2(dir, 'dirty', 'lazy_refcounts=on', MiB);
      // qemu-io killed after a write leaves the dirty bit set (lazy refcounts postpone the refcount update).
      runStatus('qemu-io', ['-f', 'qcow2', '-c', 'write 0 64k', '-c', 'sigraise 9', path]);
      return path;
    }],
  ];
  for (const [name, make] of cases) {
    const path = make();
    await t.test(name, async () => assertMatchesQemu(await header(path), qemuImgInfo(path)));
  }
});

test('readQcow2Header() reads the LUKS encryption header pointer', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const path = join(dir, 'luks.qcow2');
  runLuksCreate([
    'create', '-q', '-f', 'qcow2', '--object', 'secret,id=s0,data=x',
    '-o', 'encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10', path, '1M',
  ]);
  const actual = await header(path);
  assertMatchesQemu(actual, qemuImgInfo(path));
  assert.equal(actual.cryptMethod, 2);
  assert.ok(actual.extensions.cryptoHeader !== null);
  assert.equal(Number(actual.extensions.cryptoHeader.offset) % actual.clusterSize, 0);
  assert.equal(qcow2Info(actual).encrypted, true);
});

test('readQcow2Header() reads the feature name table qemu writes', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const actual = await header(createQcow2(dir, 'names', '', MiB));
  const names = actual.extensions.featureNames.map((f) => `${f.type}/${f.bit}/${f.name}`);
  for (const expected of ['0/0/dirty bit', '0/1/corrupt bit', '0/2/external data file', '0/3/compression type', '0/4/extended L2 entries', '1/0/lazy refcounts', '2/0/bitmaps', '2/1/raw external data']) {
    assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
  }
});

test('qcow2Info() summarises a header for inspect', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  assert.deepEqual(qcow2Info(await header(createQcow2(dir, 'info', 'compression_type=zstd,cluster_size=4096', MiB))), {
    version: 3,
    clusterSize: 4096,
    compressionType: 'zstd',
    backingFile: null,
    externalDataFile: null,
    encrypted: false,
    extendedL2: false,
    dirty: false,
    corrupt: false,
  });
  const withData = qcow2Info(await header(createQcow2(dir, 'info-data', `data_file=${join(dir, 'info-data.raw')}`, MiB)));
  assert.equal(withData.externalDataFile, join(dir, 'info-data.raw'));
});

// ── Hostile headers: each patch breaks one rule; qemu-img must refuse the same file (the oracle), and byoi must
//    answer with the right code. ──────────────────────────────────────────────────────────────────────────────

type Patch = (view: DataView, bytes: Uint8Array) => void;

function patched(source: string, name: string, patch: Patch): string {
  const bytes = new Uint8Array(readFileSync(source));
  patch(new DataView(bytes.buffer), bytes);
  const path = join(dir, `${name}.qcow2`);
  writeFileSync(path, bytes);
  return path;
}

test('readQcow2Header() refuses what qemu refuses, with the right code', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const good = createQcow2(dir, 'good', '', 10 * MiB, []);
  const cases: [string, Patch, string][] = [
    ['bad magic', (v) => v.setUint32(HDR_MAGIC, 0x514649fa), 'BYOI_IMAGE_INVALID'],
    ['version 4', (v) => v.setUint32(HDR_VERSION, 4), 'BYOI_IMAGE_UNSUPPORTED_FEATURE'],
    ['cluster_bits 8', (v) => v.setUint32(HDR_CLUSTER_BITS, 8), 'BYOI_IMAGE_INVALID'],
    ['cluster_bits 22', (v) => v.setUint32(HDR_CLUSTER_BITS, 22), 'BYOI_IMAGE_UNSUPPORTED_FEATURE'],
    ['header_length 96', (v) => v.setUint32(HDR_HEADER_LENGTH, 96), 'BYOI_IMAGE_INVALID'],
    ['header_length past the cluster', (v) => v.setUint32(HDR_HEADER_LENGTH, 65544), 'BYOI_IMAGE_INVALID'],
    ['refcount_order 7', (v) => v.setUint32(HDR_REFCOUNT_ORDER, 7), 'BYOI_IMAGE_INVALID'],
    ['unknown incompatible bit 5', (v) => v.setBigUint64(HDR_INCOMPATIBLE_FEATURES, 1n << 5n), 'BYOI_IMAGE_UNSUPPORTED_FEATURE'],
    ['crypt_method 3', (v) => v.setUint32(HDR_CRYPT_METHOD, 3), 'BYOI_IMAGE_INVALID'],
    ['compression bit without a type', (v) => v.setBigUint64(HDR_INCOMPATIBLE_FEATURES, 1n << 3n), 'BYOI_IMAGE_INVALID'],
    ['zstd without the compression bit', (v) => v.setUint8(HDR_COMPRESSION_TYPE, 1), 'BYOI_IMAGE_INVALID'],
    ['unknown compression type', (v) => { v.setUint8(HDR_COMPRESSION_TYPE, 2); v.setBigUint64(HDR_INCOMPATIBLE_FEATURES, 1n << 3n); }, 'BYOI_IMAGE_UNSUPPORTED_FEATURE'],
    ['extended L2 with 4 KiB clusters', (v) => { v.setUint32(HDR_CLUSTER_BITS, 12); v.setBigUint64(HDR_INCOMPATIBLE_FEATURES, 1n << 4n); }, 'BYOI_IMAGE_INVALID'],
    ['size 2^63', (v) => v.setBigUint64(HDR_SIZE, 1n << 63n), 'BYOI_IMAGE_INVALID'],
    ['l1_size 2^31', (v) => v.setUint32(HDR_L1_SIZE, 2 ** 31), 'BYOI_IMAGE_INVALID'],
    ['l1_size too small for the size', (v) => v.setBigUint64(HDR_SIZE, 1n << 40n), 'BYOI_IMAGE_INVALID'],
    ['unaligned l1_table_offset', (v) => v.setBigUint64(HDR_L1_TABLE_OFFSET, 0x30008n), 'BYOI_IMAGE_INVALID'],
    ['unaligned refcount_table_offset', (v) => v.setBigUint64(HDR_REFCOUNT_TABLE_OFFSET, 0x10200n), 'BYOI_IMAGE_INVALID'],
    ['unaligned snapshots_offset', (v) => v.setBigUint64(HDR_SNAPSHOTS_OFFSET, 0x200n), 'BYOI_IMAGE_INVALID'],
  ];
  for (const [name, patch, code] of cases) {
    const path = patched(good, name.replace(/\W+/g, '-'), patch);
    await t.test(name, async () => {
      assert.notEqual(runStatus('qemu-img', ['info', '-f', 'qcow2', path]).status, 0, 'qemu-img refuses it too');
      await assert.rejects(header(path), { code });
    });
  }
});

test('readQcow2Header() rejects an l1_table_offset that is not cluster-aligned', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const path = patched(createQcow2(dir, 'l1-unaligned', '', MiB), 'l1-unaligned-patched', (v) => v.setBigUint64(HDR_L1_TABLE_OFFSET, 0x1234n));
  await assert.rejects(header(path), {
    code: 'BYOI_IMAGE_INVALID',
    message: 'Cannot read qcow2 header: l1_table_offset 0x1234 is not cluster-aligned',
  });
});

test('readQcow2Header() names an unknown incompatible bit from the feature name table', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const path = patched(createQcow2(dir, 'bit', '', MiB), 'bit-patched', (v, bytes) => {
    v.setBigUint64(HDR_INCOMPATIBLE_FEATURES, 1n << 9n);
    // Rename the table's entry for incompatible bit 0 into an entry for bit 9.
    const text = Buffer.from(bytes).indexOf('dirty bit');
    bytes[text - 1] = 9;
    bytes.set(new TextEncoder().encode('future feature'), text);
  });
  await assert.rejects(header(path), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_UNSUPPORTED_FEATURE');
    assert.match(error.message, /incompatible feature bit 9 \("future feature/);
    return true;
  });
});

test('readQcow2Header() reports the dirty and corrupt bits qemu-img shows', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const path = patched(createQcow2(dir, 'corrupt', '', MiB), 'corrupt-patched', (v) => v.setBigUint64(HDR_INCOMPATIBLE_FEATURES, 0b11n));
  const actual = await header(path);
  assertMatchesQemu(actual, qemuImgInfo(path));
  assert.equal(actual.dirty, true);
  assert.equal(actual.corrupt, true);
});

test('readQcow2Header() refuses truncated files with BYOI_IMAGE_TRUNCATED', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const bytes = readFileSync(createQcow2(dir, 'truncated', '', 10 * MiB));
  await assert.rejects(readQcow2Header(bufferReadAt(bytes.subarray(0, 50))), { code: 'BYOI_IMAGE_TRUNCATED' });
  // Cut inside the L1 table (the last thing qemu-img create writes).
  await assert.rejects(readQcow2Header(bufferReadAt(bytes.subarray(0, bytes.length - 4))), { code: 'BYOI_IMAGE_TRUNCATED' });
});
