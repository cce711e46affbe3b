import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { isErrorCode } from '../../../../src/contract/errors/catalogue.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { openQcow2 } from '../../../../src/image/qcow2/open-qcow2.ts';
import { readQcow2Header } from '../../../../src/image/qcow2/read-qcow2-header.ts';
import { walkQcow2Extents } from '../../../../src/image/qcow2/walk-qcow2-extents.ts';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { convertToQcow2, createQcow2, writePatternRaw } from '../../../fixtures/qcow2-fixtures.ts';

// Property: whatever the bytes, readQcow2Header(), openQcow2(), guest reads and walkQcow2Extents() either
// succeed or throw a ByoiError with a catalogue code. Never a RangeError from a DataView, never a TypeError,
// never a hang (each run reads at most a few MiB, and fast-check's per-run timeout would catch a loop).

const dir = tempDir({ after }, 'byoi-qcow2-fuzz-');
const READ_LIMIT = 4 * 1024 * 1024;

async function exercise(bytes: Uint8Array): Promise<void> {
  try {
    const source = bufferReadAt(bytes);
    await readQcow2Header(source);
    const image = await openQcow2(source, { l2CacheBytes: 4096 });
    // A mutated header may describe a huge disk: read its start, its end, and walk at most 1000 extents.
    const length = Math.min(image.virtualSize, READ_LIMIT);
    await image.guest.readAt(0, length);
    await image.guest.readAt(image.virtualSize - length, length);
    let extents = 0;
    for await (const extent of walkQcow2Extents(image.mapping)) {
      assert.ok(extent.length > 0);
      if (++extents > 1000) break;
    }
  } catch (error) {
    const e = error as { name?: unknown; code?: unknown };
    if (e.name === 'ByoiError' && typeof e.code === 'string' && isErrorCode(e.code)) return;
    throw error;
  }
}

interface Fixture {
  name: string;
  bytes: Uint8Array;
  /** End of the metadata (header, refcount table and block, L1 and L2 tables), where mutations hurt most. */
  metadataEnd: number;
}

let fixtures: Fixture[] | null = null;

async function makeFixtures(): Promise<Fixture[]> {
  if (fixtures !== null) return fixtures;
  const raw = join(dir, 'fuzz.raw');
  writePatternRaw(raw, 1024 * 1024);
  const paths: [string, string][] = [
    ['plain', convertToQcow2(dir, raw, 'plain', 'cluster_size=4096')],
    ['deflate', convertToQcow2(dir, raw, 'deflate', 'cluster_size=4096', true)],
    ['zstd', convertToQcow2(dir, raw, 'zstd', 'cluster_size=4096,compression_type=zstd', true)],
    ['v2', convertToQcow2(dir, raw, 'v2', 'cluster_size=4096,compat=0.10')],
    ['extended-l2', createQcow2(dir, 'extl2', 'extended_l2=on,cluster_size=16384', 1024 * 1024, ['write -P 0x11 4096 20000', 'write -z 65536 8192'])],
  ];
  fixtures = [];
  for (const [name, path] of paths) {
    const bytes = new Uint8Array(readFileSync(path));
    const image = await openQcow2(bufferReadAt(bytes));
    let metadataEnd = image.header.l1TableOffset + image.header.l1Size * 8;
    for (const offset of image.mapping.l2TableOffsets) metadataEnd = Math.max(metadataEnd, offset + image.header.clusterSize);
    fixtures.push({ name, bytes, metadataEnd: Math.min(metadataEnd, bytes.length) });
  }
  return fixtures;
}

/** Byte values that make interesting fields: zero, all ones, a high bit, small numbers. */
const byteValue = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0xff, 0x80, 0x01, 0x7f, 0x10));

test('qcow2 readers throw only ByoiError for mutated headers, L1 and L2 tables', { timeout: 120_000 }, async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  for (const fixture of await makeFixtures()) {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: fixture.metadataEnd - 1 }), byteValue), { minLength: 1, maxLength: 8 }),
        async (mutations) => {
          const bytes = new Uint8Array(fixture.bytes);
          for (const [offset, value] of mutations) bytes[offset] = value;
          await exercise(bytes);
        },
      ),
      { numRuns: 150, seed: 20240601, interruptAfterTimeLimit: 20_000 },
    );
  }
});

test('qcow2 readers throw only ByoiError for 64-bit fields set to extreme values', { timeout: 120_000 }, async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const extremes = [0n, 1n, 0x200n, 0xffffffffn, 1n << 32n, 1n << 53n, (1n << 56n) - 512n, 1n << 62n, 1n << 63n, (1n << 64n) - 1n];
  for (const fixture of await makeFixtures()) {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: Math.floor((fixture.metadataEnd - 8) / 8) }), fc.constantFrom(...extremes), async (slot, value) => {
        const bytes = new Uint8Array(fixture.bytes);
        new DataView(bytes.buffer).setBigUint64(slot * 8, value);
        await exercise(bytes);
      }),
      { numRuns: 150, seed: 7, interruptAfterTimeLimit: 20_000 },
    );
  }
});

test('qcow2 readers throw only ByoiError for mutated compressed data and for truncated files', { timeout: 120_000 }, async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  for (const fixture of await makeFixtures()) {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: fixture.bytes.length - 1 }), byteValue), { minLength: 1, maxLength: 16 }),
        async (mutations) => {
          const bytes = new Uint8Array(fixture.bytes);
          for (const [offset, value] of mutations) bytes[offset] = value;
          await exercise(bytes);
        },
      ),
      { numRuns: 60, seed: 99, interruptAfterTimeLimit: 20_000 },
    );
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: fixture.bytes.length - 1 }), async (cut) => exercise(fixture.bytes.subarray(0, cut))),
      { numRuns: 60, seed: 3, interruptAfterTimeLimit: 20_000 },
    );
  }
});
