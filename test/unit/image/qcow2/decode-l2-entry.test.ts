import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeL2Entry } from '../../../../src/image/qcow2/decode-l2-entry.ts';

const COMPRESSED = 1n << 62n;
const COPIED = 1n << 63n;

test('decodeL2Entry() reads a standard cluster and ignores the copied bit', () => {
  assert.deepEqual(decodeL2Entry(COPIED | 0x50000n, 16, false), { kind: 'data', hostOffset: 0x50000 });
  assert.deepEqual(decodeL2Entry(0x50000n, 16, false), { kind: 'data', hostOffset: 0x50000 });
});

test('decodeL2Entry() reads offset 0 as unallocated, with or without the copied bit', () => {
  assert.deepEqual(decodeL2Entry(0n, 16, false), { kind: 'unallocated' });
  assert.deepEqual(decodeL2Entry(COPIED, 16, false), { kind: 'unallocated' });
});

test('decodeL2Entry() reads the zero flag, with or without a preallocated cluster', () => {
  assert.deepEqual(decodeL2Entry(1n, 16, false), { kind: 'zero' });
  assert.deepEqual(decodeL2Entry(COPIED | 0x70000n | 1n, 16, false), { kind: 'zero' });
});

test('decodeL2Entry() rejects a host cluster offset that is not cluster-aligned', () => {
  assert.throws(() => decodeL2Entry(0x50200n, 16, false), { code: 'BYOI_IMAGE_INVALID' });
  assert.throws(() => decodeL2Entry(0x50200n | 1n, 16, false), { code: 'BYOI_IMAGE_INVALID' });
  // The same offset is aligned for 512-byte clusters.
  assert.deepEqual(decodeL2Entry(0x50200n, 9, false), { kind: 'data', hostOffset: 0x50200 });
});

test('decodeL2Entry() splits a compressed descriptor where cluster_bits says (64 KiB clusters: x = 54)', () => {
  const entry = COMPRESSED | (3n << 54n) | 0x12345n;
  assert.deepEqual(decodeL2Entry(entry, 16, false), { kind: 'compressed', hostOffset: 0x12345, compressedLength: 4 * 512 - 0x145 });
});

test('decodeL2Entry() splits a compressed descriptor for 512-byte clusters (x = 61, one sector bit)', () => {
  assert.deepEqual(decodeL2Entry(COMPRESSED | (1n << 61n) | 0x1000n, 9, false), { kind: 'compressed', hostOffset: 0x1000, compressedLength: 1024 });
  assert.deepEqual(decodeL2Entry(COMPRESSED | 0x1000n, 9, false), { kind: 'compressed', hostOffset: 0x1000, compressedLength: 512 });
  // Offset bits above 2^53 cannot be a real offset.
  assert.throws(() => decodeL2Entry(COMPRESSED | (1n << 60n), 9, false), { code: 'BYOI_IMAGE_INVALID' });
});

test('decodeL2Entry() splits a compressed descriptor for 2 MiB clusters (x = 49, 13 sector bits)', () => {
  const entry = COMPRESSED | (8191n << 49n) | 0x100000123n;
  assert.deepEqual(decodeL2Entry(entry, 21, false), { kind: 'compressed', hostOffset: 0x100000123, compressedLength: 8192 * 512 - 0x123 });
});

test('decodeL2Entry() reads extended L2 bitmaps', () => {
  const all = 0xffffffffn;
  assert.deepEqual(decodeL2Entry(0x50000n, 16, true, all), { kind: 'data', hostOffset: 0x50000 });
  assert.deepEqual(decodeL2Entry(0n, 16, true, all << 32n), { kind: 'zero' });
  assert.deepEqual(decodeL2Entry(0x50000n, 16, true, all << 32n), { kind: 'zero' });
  assert.deepEqual(decodeL2Entry(0n, 16, true, 0n), { kind: 'unallocated' });
  // Bit 0 of the descriptor is reserved with extended entries: not a zero flag.
  assert.deepEqual(decodeL2Entry(0x50001n, 16, true, all), { kind: 'data', hostOffset: 0x50000 });

  const mixed = decodeL2Entry(0x50000n, 16, true, 0b101n | (0b10n << 32n));
  assert.equal(mixed.kind, 'subclusters');
  if (mixed.kind !== 'subclusters') return;
  assert.equal(mixed.hostOffset, 0x50000);
  assert.deepEqual(mixed.subclusters.slice(0, 4), ['data', 'zero', 'data', 'unallocated']);
  assert.equal(mixed.subclusters.length, 32);
});

test('decodeL2Entry() ignores the bitmap of a compressed cluster in extended L2 entries', () => {
  assert.deepEqual(decodeL2Entry(COMPRESSED | 0x1234n, 16, true, 0xffn), { kind: 'compressed', hostOffset: 0x1234, compressedLength: 512 - 0x34 });
});

test('decodeL2Entry() rejects a subcluster both allocated and zero, and allocation without a host cluster', () => {
  assert.throws(() => decodeL2Entry(0x50000n, 16, true, 1n | (1n << 32n)), { code: 'BYOI_IMAGE_INVALID' });
  assert.throws(() => decodeL2Entry(0n, 16, true, 1n), { code: 'BYOI_IMAGE_INVALID' });
});
