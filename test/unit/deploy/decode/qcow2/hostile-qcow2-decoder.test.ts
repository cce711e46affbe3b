import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { isErrorCode } from '../../../../../src/contract/errors/catalogue.ts';
import { createQcow2Decoder, type Qcow2StreamDecoder } from '../../../../../src/deploy/decode/qcow2/create-qcow2-decoder.ts';
import type { ImageWriter } from '../../../../../src/deploy/sink/image-writer.ts';
import { decodeL2Entry } from '../../../../../src/image/qcow2/decode-l2-entry.ts';
import { needTools, run, tempDir } from '../../../../helpers/tools.ts';
import { convertToQcow2, createQcow2 } from '../../../../fixtures/qcow2-fixtures.ts';
import { bytesRefetcher, KiB, MiB, randomChunks } from './_decoder-harness.ts';
import { layoutOf } from './_qemu-oracle.ts';

// Hostile images: a ByoiError naming the structure, never a crash, a hang, a write outside the guest disk, or
// memory beyond the budget.

const dir = tempDir({ after }, 'byoi-qcow2-hostile-');

function skipWithoutQemu(t: TestContext): boolean {
  return !needTools(t, 'qemu-img', 'qemu-io');
}

/** A writer that checks every call stays inside the guest disk and keeps nothing. */
function checkingWriter(decoderRef: { current: Qcow2StreamDecoder | null }): ImageWriter & { calls: number } {
  function check(offset: number, length: number): void {
    const size = decoderRef.current?.virtualSize ?? null;
    if (size === null) throw new Error('the decoder wrote before it knew the virtual size');
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length <= 0 || offset + length > size) {
      throw new Error(`the decoder wrote [${offset}, +${length}) outside a ${size}-byte guest`);
    }
  }
  const writer = {
    calls: 0,
    bytesWritten: 0,
    async write(offset: number, bytes: Uint8Array) {
      writer.calls++;
      check(offset, bytes.length);
    },
    async zero(offset: number, length: number) {
      writer.calls++;
      check(offset, length);
    },
    async flush() {},
  };
  return writer;
}

interface DecodeSetup {
  knownSize: boolean;
  budget: number;
  refetch: boolean;
  seed: number;
}

/** Decodes `bytes`; resolves with the decoder, or rejects with what it threw. */
async function decode(bytes: Uint8Array, setup: DecodeSetup): Promise<Qcow2StreamDecoder> {
  const ref: { current: Qcow2StreamDecoder | null } = { current: null };
  const decoder = createQcow2Decoder(checkingWriter(ref), {
    fileSize: setup.knownSize ? bytes.length : null,
    memoryBudgetBytes: setup.budget,
    refetch: setup.refetch ? bytesRefetcher(bytes) : null,
  });
  ref.current = decoder;
  const chunking = randomChunks(setup.seed);
  let at = 0;
  for (let index = 0; at < bytes.length; index++) {
    const size = chunking(index);
    await decoder.push(bytes.slice(at, at + size));
    at += size;
  }
  await decoder.end();
  assert.ok(decoder.stats.bufferedPeakBytes <= setup.budget, 'kept more than the budget');
  return decoder;
}

/** Only a catalogue ByoiError may come out. */
async function decodeOrByoiError(bytes: Uint8Array, setup: DecodeSetup): Promise<void> {
  try {
    await decode(bytes, setup);
  } catch (error) {
    const e = error as { name?: unknown; code?: unknown };
    if (e.name === 'ByoiError' && typeof e.code === 'string' && isErrorCode(e.code)) return;
    throw error;
  }
}

function setU64(bytes: Uint8Array, offset: number, value: bigint): Uint8Array {
  const copy = new Uint8Array(bytes);
  new DataView(copy.buffer).setBigUint64(offset, value);
  return copy;
}

const plainSetup: DecodeSetup = { knownSize: true, budget: 64 * MiB, refetch: false, seed: 1 };

/**
 * A raw disk of `size` bytes with something in most clusters: text (compresses well), a byte ramp (compresses),
 * noise (stored as is even with -c), and holes.
 */
function writeSmallRaw(path: string, size: number): void {
  const bytes = Buffer.alloc(size);
  let text = '';
  for (let line = 0; text.length < size / 3; line++) text += `line ${line} of a small hostile fixture\n`;
  bytes.write(text.slice(0, Math.floor(size / 3)), 0);
  for (let i = 0; i < size / 8; i++) bytes[Math.floor(size / 2) + i] = i % 251;
  let x = 12345;
  for (let i = Math.floor((size * 3) / 4); i < Math.floor((size * 7) / 8); i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    bytes[i] = x >>> 16;
  }
  writeFileSync(path, bytes);
}

let basePath: string | null = null;

/** 1 MiB guest: text, ramp, noise and holes. */
function base(): string {
  if (basePath === null) {
    basePath = `${dir}/base.raw`;
    writeSmallRaw(basePath, MiB);
  }
  return basePath;
}

test('createQcow2Decoder() refuses an L1 entry that points into the header, the L1 table or past the file', async (t) => {
  if (skipWithoutQemu(t)) return;
  const path = convertToQcow2(dir, base(), 'l1-targets', 'cluster_size=4096');
  const bytes = new Uint8Array(readFileSync(path));
  const { header } = await layoutOf(path);
  const entry = header.l1TableOffset;
  await assert.rejects(decode(setU64(bytes, entry, BigInt(header.l1TableOffset)), plainSetup), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_INVALID');
    assert.match(error.message, /L1 entry 0: L2 table offset 0x[0-9a-f]+ points into the L1 table/);
    return true;
  });
  await assert.rejects(decode(setU64(bytes, entry, 4096n * 100000n), plainSetup), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_TRUNCATED');
    assert.match(error.message, /qcow2 L2 table of L1 entry 0/);
    return true;
  });
  // Size unknown: found at end().
  await assert.rejects(decode(setU64(bytes, entry, 4096n * 100000n), { ...plainSetup, knownSize: false }), { code: 'BYOI_IMAGE_TRUNCATED' });
  await assert.rejects(decode(setU64(bytes, entry, 4096n + 1n), plainSetup), { code: 'BYOI_IMAGE_INVALID' }); // unaligned
});

test('createQcow2Decoder() refuses an L2 table that maps itself, the header or bytes past the file', async (t) => {
  if (skipWithoutQemu(t)) return;
  const path = convertToQcow2(dir, base(), 'l2-targets', 'cluster_size=4096');
  const bytes = new Uint8Array(readFileSync(path));
  const layout = await layoutOf(path);
  const l2 = layout.mapping.l2TableOffsets[0] as number;
  for (const knownSize of [true, false]) {
    // Entry 0 maps the L2 table's own cluster as guest data: a cycle, refused whatever arrives first.
    await assert.rejects(decode(setU64(bytes, l2, BigInt(l2)), { ...plainSetup, knownSize }), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'BYOI_IMAGE_INVALID');
      assert.match(error.message, /data cluster for guest offset 0x0: host offset 0x[0-9a-f]+ overlaps the L2 table/);
      return true;
    });
    // Only the "copied" bit 63: offset 0, unallocated (qemu ignores the bit when reading). Not an error.
    await decode(setU64(bytes, l2, 1n << 63n), { ...plainSetup, knownSize });
    // Cluster 1 holds the refcount table in a converted image: data there is refused.
    await assert.rejects(decode(setU64(bytes, l2 + 8, 4096n), { ...plainSetup, knownSize }), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'BYOI_IMAGE_INVALID');
      assert.match(error.message, /overlaps the refcount table/);
      return true;
    });
    // A compressed cluster inside the header (a data cluster cannot say host offset 0: that is unallocated).
    await assert.rejects(decode(setU64(bytes, l2 + 8, (1n << 62n) | 100n), { ...plainSetup, knownSize }), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'BYOI_IMAGE_INVALID');
      assert.match(error.message, /compressed cluster for guest offset 0x1000: host offset 0x64 overlaps the header/);
      return true;
    });
    await assert.rejects(decode(setU64(bytes, l2, 4096n * 1000000n), { ...plainSetup, knownSize }), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'BYOI_IMAGE_TRUNCATED');
      assert.match(error.message, /data cluster for guest offset 0x0/);
      return true;
    });
  }
});

test('createQcow2Decoder() refuses compressed data that does not inflate to one cluster, naming the guest offset', async (t) => {
  if (skipWithoutQemu(t)) return;
  for (const [name, options] of [['deflate-bad', 'cluster_size=4096'], ['zstd-bad', 'cluster_size=4096,compression_type=zstd']] as const) {
    const path = convertToQcow2(dir, base(), name, options, true);
    const bytes = new Uint8Array(readFileSync(path));
    const layout = await layoutOf(path);
    const l2 = layout.mapping.l2TableOffsets[0] as number;
    // The first compressed cluster's data, overwritten with garbage.
    let index = 0;
    let entry = decodeL2Entry(0n, 12, false);
    for (; index < 512; index++) {
      entry = decodeL2Entry(new DataView(bytes.buffer).getBigUint64(l2 + index * 8), 12, false);
      if (entry.kind === 'compressed') break;
    }
    assert.equal(entry.kind, 'compressed');
    if (entry.kind !== 'compressed') return;
    const broken = new Uint8Array(bytes);
    broken.fill(0xff, entry.hostOffset, entry.hostOffset + Math.min(64, entry.compressedLength));
    await assert.rejects(decode(broken, plainSetup), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'BYOI_IMAGE_INVALID');
      assert.equal(error.message.startsWith(`Cannot read qcow2 compressed cluster for guest offset 0x${(index * 4096).toString(16)}: `), true, error.message);
      return true;
    });
  }
});

test('createQcow2Decoder() names what a truncated file lacks', async (t) => {
  if (skipWithoutQemu(t)) return;
  const path = convertToQcow2(dir, base(), 'cut', 'cluster_size=4096');
  const bytes = new Uint8Array(readFileSync(path));
  for (const knownSize of [true, false]) {
    await assert.rejects(decode(bytes.subarray(0, bytes.length - 5000), { ...plainSetup, knownSize }), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'BYOI_IMAGE_TRUNCATED');
      assert.match(error.message, /^Cannot read qcow2 (data cluster for guest offset 0x[0-9a-f]+|L2 table of L1 entry \d+): the image ends at byte \d+/);
      return true;
    });
    await assert.rejects(decode(bytes.subarray(0, 5000), { ...plainSetup, knownSize }), { code: 'BYOI_IMAGE_TRUNCATED' });
    await assert.rejects(decode(bytes.subarray(0, 50), { ...plainSetup, knownSize }), { code: 'BYOI_IMAGE_TRUNCATED' });
  }
});

test('createQcow2Decoder() refuses an absurd L1 table that runs past the file, whether it knows the size or not', async (t) => {
  if (skipWithoutQemu(t)) return;
  // 4 Mi L1 entries (qemu's maximum) of a 128 GiB disk with 512-byte clusters, the table past the file.
  const path = createQcow2(dir, 'absurd', 'cluster_size=512', MiB);
  const bytes = new Uint8Array(readFileSync(path));
  const patched = new Uint8Array(setU64(bytes, 24, 128n * 1024n * 1024n * 1024n));
  new DataView(patched.buffer).setUint32(36, 4 * 1024 * 1024); // l1_size
  await assert.rejects(decode(patched, plainSetup), { code: 'BYOI_IMAGE_TRUNCATED' });
  await assert.rejects(decode(patched, { ...plainSetup, knownSize: false }), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_TRUNCATED');
    assert.match(error.message, /qcow2 L1 table/);
    return true;
  });
});

interface FuzzFixture {
  name: string;
  bytes: Uint8Array;
}

let fuzzFixtures: FuzzFixture[] | null = null;

function makeFuzzFixtures(): FuzzFixture[] {
  if (fuzzFixtures !== null) return fuzzFixtures;
  const raw = `${dir}/fuzz.raw`;
  writeSmallRaw(raw, 512 * KiB);
  const outOfOrder = createQcow2(dir, 'fuzz-ooo', 'cluster_size=4096', 512 * KiB, ['write -P 0x11 0 200k']);
  run('qemu-img', ['snapshot', '-c', 's1', outOfOrder]);
  run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x22 8k 4k', outOfOrder]);
  run('qemu-img', ['snapshot', '-d', 's1', outOfOrder]);
  const paths: [string, string][] = [
    ['plain', convertToQcow2(dir, raw, 'fuzz-plain', 'cluster_size=4096')],
    ['deflate', convertToQcow2(dir, raw, 'fuzz-deflate', 'cluster_size=4096', true)],
    ['zstd', convertToQcow2(dir, raw, 'fuzz-zstd', 'cluster_size=4096,compression_type=zstd', true)],
    ['v2', convertToQcow2(dir, raw, 'fuzz-v2', 'cluster_size=4096,compat=0.10')],
    ['extended-l2', createQcow2(dir, 'fuzz-extl2', 'extended_l2=on,cluster_size=16384', 512 * KiB, ['write -P 0x11 4096 20000', 'write -z 65536 8192'])],
    ['out-of-order', outOfOrder],
  ];
  fuzzFixtures = paths.map(([name, path]) => ({ name, bytes: new Uint8Array(readFileSync(path)) }));
  return fuzzFixtures;
}

/** Byte values that make interesting fields: zero, all ones, a high bit, small numbers. */
const byteValue = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0xff, 0x80, 0x01, 0x7f, 0x10));
const setupArbitrary = fc.record({
  knownSize: fc.boolean(),
  budget: fc.constantFrom(0, 4 * KiB, 64 * KiB, 64 * MiB),
  refetch: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1000 }),
});

test('createQcow2Decoder() ends with a ByoiError or a decode for mutated images, in bounded time', { timeout: 120_000 }, async (t) => {
  if (skipWithoutQemu(t)) return;
  for (const fixture of makeFuzzFixtures()) {
    // Mutations anywhere in the first 64 KiB (header, refcounts, L1 and L2 tables of these small images) and
    // anywhere in the file.
    const metadataEnd = Math.min(fixture.bytes.length, 64 * KiB);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: metadataEnd - 1 }), byteValue), { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(fc.nat({ max: fixture.bytes.length - 1 }), byteValue), { maxLength: 8 }),
        setupArbitrary,
        async (metadataMutations, anyMutations, setup) => {
          const bytes = new Uint8Array(fixture.bytes);
          for (const [offset, value] of [...metadataMutations, ...anyMutations]) bytes[offset] = value;
          const started = performance.now();
          await decodeOrByoiError(bytes, setup);
          assert.ok(performance.now() - started < 5000, `${fixture.name}: one decode took more than 5 s`);
        },
      ),
      { numRuns: 150, seed: 20240612, interruptAfterTimeLimit: 15_000 },
    );
  }
});

test('createQcow2Decoder() ends with a ByoiError or a decode for 64-bit fields set to extreme values and for cut files', { timeout: 120_000 }, async (t) => {
  if (skipWithoutQemu(t)) return;
  const extremes = [0n, 1n, 0x200n, 0x1000n, 0xffffffffn, 1n << 32n, 1n << 53n, (1n << 56n) - 512n, 1n << 62n, 1n << 63n, (1n << 64n) - 1n];
  for (const fixture of makeFuzzFixtures()) {
    const slots = Math.floor(Math.min(fixture.bytes.length, 64 * KiB) / 8);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: slots - 1 }), fc.constantFrom(...extremes), setupArbitrary, async (slot, value, setup) => {
        await decodeOrByoiError(setU64(fixture.bytes, slot * 8, value), setup);
      }),
      { numRuns: 100, seed: 11, interruptAfterTimeLimit: 10_000 },
    );
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: fixture.bytes.length - 1 }), setupArbitrary, async (cut, setup) => {
        await decodeOrByoiError(fixture.bytes.subarray(0, cut), setup);
      }),
      { numRuns: 30, seed: 5, interruptAfterTimeLimit: 10_000 },
    );
  }
});
