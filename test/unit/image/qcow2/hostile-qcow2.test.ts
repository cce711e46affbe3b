import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { after, test } from 'node:test';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { openQcow2 } from '../../../../src/image/qcow2/open-qcow2.ts';
import { HDR_L1_TABLE_OFFSET, HDR_REFCOUNT_TABLE_OFFSET } from '../../../../src/image/qcow2/qcow2-layout.ts';
import { walkQcow2Extents } from '../../../../src/image/qcow2/walk-qcow2-extents.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import { convertToQcow2, createQcow2, writePatternRaw } from '../../../fixtures/qcow2-fixtures.ts';

const dir = tempDir({ after }, 'byoi-qcow2-hostile-');
const COMPRESSED = 1n << 62n;
const COPIED = 1n << 63n;
const OFFSET_MASK = 0x00fffffffffffe00n;

/** A v3 image with 64 KiB clusters whose first guest cluster holds data, as bytes to patch. */
function dataImage(): Uint8Array {
  return new Uint8Array(readFileSync(createQcow2(dir, `data-${Math.random().toString(36).slice(2)}`, '', 4 * 1024 * 1024, ['write -P 0x61 0 128k'])));
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function l1Offset(bytes: Uint8Array): number {
  return Number(view(bytes).getBigUint64(HDR_L1_TABLE_OFFSET));
}

function l2Offset(bytes: Uint8Array): number {
  return Number(view(bytes).getBigUint64(l1Offset(bytes)) & OFFSET_MASK);
}

function setL1(bytes: Uint8Array, index: number, value: bigint): void {
  view(bytes).setBigUint64(l1Offset(bytes) + index * 8, value);
}

function setL2(bytes: Uint8Array, index: number, value: bigint): void {
  view(bytes).setBigUint64(l2Offset(bytes) + index * 8, value);
}

/** Opens, reads the whole guest disk and walks it: the first error comes out. */
async function useWhole(bytes: Uint8Array): Promise<void> {
  const image = await openQcow2(bufferReadAt(bytes));
  await image.guest.readAt(0, image.virtualSize);
  for await (const extent of walkQcow2Extents(image.mapping)) void extent;
}

/** Reading guest cluster 0 fails with `code`; with `walk`, walking the mapping fails the same way. */
async function assertRead(bytes: Uint8Array, code: string, message?: RegExp, walk = true): Promise<void> {
  const image = await openQcow2(bufferReadAt(bytes));
  await assert.rejects(image.guest.readAt(0, 65536), (error: { code: string; message: string }) => {
    assert.equal(error.code, code);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  });
  if (!walk) return;
  await assert.rejects(
    (async () => {
      for await (const extent of walkQcow2Extents(image.mapping)) void extent;
    })(),
    { code },
  );
}

test('openQcow2() refuses an L1 entry that points past the end of the file', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const bytes = dataImage();
  setL1(bytes, 0, COPIED | BigInt(bytes.length + 65536 * 10 - (bytes.length % 65536)));
  await assert.rejects(openQcow2(bufferReadAt(bytes)), { code: 'BYOI_IMAGE_TRUNCATED' });
});

// An L1 entry cannot point into the header: the header is cluster 0, and offset 0 means "unallocated".
test('openQcow2() refuses an L1 entry that points into the L1 table or the refcount table', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  for (const target of ['L1', 'refcount'] as const) {
    const bytes = dataImage();
    const offset = target === 'L1' ? BigInt(l1Offset(bytes)) : view(bytes).getBigUint64(HDR_REFCOUNT_TABLE_OFFSET);
    setL1(bytes, 0, COPIED | offset);
    await assert.rejects(openQcow2(bufferReadAt(bytes)), { code: 'BYOI_IMAGE_INVALID', message: new RegExp(`points into the ${target} table`) });
  }
});

test('openQcow2() refuses an L1 entry that is not cluster-aligned', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const bytes = dataImage();
  setL1(bytes, 0, BigInt(l2Offset(bytes) + 512));
  await assert.rejects(openQcow2(bufferReadAt(bytes)), { code: 'BYOI_IMAGE_INVALID', message: /not cluster-aligned/ });
});

test('openQcow2() refuses an L2 entry that points past the end of the file', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const bytes = dataImage();
  setL2(bytes, 0, COPIED | BigInt(64 * 1024 * 1024));
  await assertRead(bytes, 'BYOI_IMAGE_TRUNCATED', /data cluster for guest offset 0x0/);
});

test('openQcow2() refuses an L2 table that references itself, the L1 table or the refcount table as data', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const self = dataImage();
  setL2(self, 1, COPIED | BigInt(l2Offset(self)));
  const image = await openQcow2(bufferReadAt(self));
  await assert.rejects(image.guest.readAt(65536, 512), { code: 'BYOI_IMAGE_INVALID', message: /overlaps the L2 table/ });

  const l1 = dataImage();
  setL2(l1, 0, COPIED | BigInt(l1Offset(l1)));
  await assertRead(l1, 'BYOI_IMAGE_INVALID', /overlaps the L1 table/);

  const refcount = dataImage();
  setL2(refcount, 0, COPIED | view(refcount).getBigUint64(HDR_REFCOUNT_TABLE_OFFSET));
  await assertRead(refcount, 'BYOI_IMAGE_INVALID', /overlaps the refcount table/);
});

test('openQcow2() refuses a compressed cluster that points into the header', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const bytes = dataImage();
  setL2(bytes, 0, COMPRESSED | 100n);
  await assertRead(bytes, 'BYOI_IMAGE_INVALID', /overlaps the header/);
});

test('openQcow2() refuses compressed clusters whose data does not inflate to one cluster', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  // Points a compressed descriptor at the guest data itself ("aaaa..."), which is no deflate stream.
  const garbage = dataImage();
  const dataOffset = Number(view(garbage).getBigUint64(l2Offset(garbage)) & OFFSET_MASK);
  setL2(garbage, 1, COMPRESSED | (7n << 54n) | BigInt(dataOffset));
  const image = await openQcow2(bufferReadAt(garbage));
  await assert.rejects(image.guest.readAt(65536, 1), { code: 'BYOI_IMAGE_INVALID', message: /compressed cluster for guest offset 0x10000/ });

  // A valid deflate stream of two clusters' worth, written over the data cluster: too long.
  const long = dataImage();
  const stream = deflateRawSync(Buffer.alloc(2 * 65536, 0x41));
  const longData = Number(view(long).getBigUint64(l2Offset(long) + 8) & OFFSET_MASK);
  long.set(stream, longData);
  setL2(long, 0, COMPRESSED | BigInt(longData));
  // The walker does not decompress: only reading finds these.
  await assertRead(long, 'BYOI_IMAGE_INVALID', /more than 65536 bytes/, false);

  // A stream of half a cluster: too short.
  const short = dataImage();
  const shortData = Number(view(short).getBigUint64(l2Offset(short) + 8) & OFFSET_MASK);
  short.set(deflateRawSync(Buffer.alloc(32768, 0x41)), shortData);
  setL2(short, 0, COMPRESSED | BigInt(shortData));
  await assertRead(short, 'BYOI_IMAGE_INVALID', /inflates to 32768 bytes, not 65536/, false);
});

test('openQcow2() refuses zstd clusters that are not zstd or not one cluster long', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io', 'zstd')) return;
  const raw = join(dir, 'zstd.raw');
  writePatternRaw(raw, 1024 * 1024);
  const good = new Uint8Array(readFileSync(convertToQcow2(dir, raw, 'zstd-hostile', 'compression_type=zstd', true)));

  const garbage = new Uint8Array(good);
  setL2(garbage, 0, COMPRESSED | (3n << 54n) | 0x100n);
  await assertRead(garbage, 'BYOI_IMAGE_INVALID', undefined, false);

  // A real zstd frame of 128 KiB (made by the zstd tool) written at the end: more than a cluster.
  const frameBytes = zstdFrame(Buffer.alloc(131072, 0x42));
  const long = new Uint8Array(good.length + 65536);
  long.set(good);
  const at = good.length + (512 - (good.length % 512));
  long.set(frameBytes, at);
  setL2(long, 0, COMPRESSED | BigInt(at));
  await assertRead(long, 'BYOI_IMAGE_INVALID', /more than/, false);
});

/** Compresses with the zstd command-line tool (the frame has its content size, so byoi refuses before decoding). */
function zstdFrame(input: Buffer): Uint8Array {
  const path = join(dir, `frame-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, input);
  run('zstd', ['-q', '-f', path, '-o', `${path}.zst`]);
  return new Uint8Array(readFileSync(`${path}.zst`));
}

test('openQcow2() refuses truncated files: every cut of a real image gives only ByoiError', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const raw = join(dir, 'cut.raw');
  writePatternRaw(raw, 2 * 1024 * 1024);
  for (const compress of [false, true]) {
    const whole = new Uint8Array(readFileSync(convertToQcow2(dir, raw, `cut-${compress}`, 'cluster_size=4096', compress)));
    for (const cut of [0, 10, 71, 104, 4096, 8192, 12288, 20000, whole.length / 2, whole.length - 4096, whole.length - 1]) {
      await assert.rejects(useWhole(whole.subarray(0, Math.floor(cut))), (error: { code: string; name: string }) => {
        assert.equal(error.name, 'ByoiError', `cut at ${cut}`);
        assert.ok(error.code === 'BYOI_IMAGE_TRUNCATED' || error.code === 'BYOI_IMAGE_INVALID', `cut at ${cut}: ${error.code}`);
        return true;
      });
    }
  }
});

test('openQcow2() refuses garbage, with or without a qcow2 magic in front', async () => {
  let x = 2463534242;
  const garbage = new Uint8Array(256 * 1024);
  for (let i = 0; i < garbage.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    garbage[i] = x & 0xff;
  }
  await assert.rejects(openQcow2(bufferReadAt(garbage)), { code: 'BYOI_IMAGE_INVALID' });
  for (const version of [2, 3]) {
    const withMagic = new Uint8Array(garbage);
    withMagic.set([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, version]);
    await assert.rejects(openQcow2(bufferReadAt(withMagic)), (error: { name: string }) => error.name === 'ByoiError');
  }
});

test('walkQcow2Extents() walks a petabyte of unallocated disk at once, without a hang', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const path = createQcow2(dir, 'petabyte', 'cluster_size=2M', 2 ** 50);
  const image = await openQcow2(bufferReadAt(readFileSync(path)));
  const extents = [];
  for await (const extent of walkQcow2Extents(image.mapping)) extents.push(extent);
  assert.deepEqual(extents, [{ guestOffset: 0, length: 2 ** 50, kind: 'unallocated' }]);
  assert.ok((await image.guest.readAt(2 ** 50 - 4096, 4096)).every((b) => b === 0));
});
