import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constants, gunzipSync, gzipSync, type ZlibOptions } from 'node:zlib';
import fc from 'fast-check';
import { gunzip, GunzipError } from '../../../../src/contract/encoding/gunzip.ts';
import { crc32 } from '../../../../src/contract/encoding/crc32.ts';

const limit = { maxOutputLength: 1024 * 1024 };

/** What node:zlib (the oracle) makes of the bytes: the output, or the failure. */
function oracle(bytes: Uint8Array, maxOutputLength = limit.maxOutputLength): { ok: true; out: Buffer } | { ok: false; tooLarge: boolean } {
  try {
    return { ok: true, out: gunzipSync(bytes, { maxOutputLength }) };
  } catch (error) {
    return { ok: false, tooLarge: (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' };
  }
}

function ours(bytes: Uint8Array, maxOutputLength = limit.maxOutputLength): { ok: true; out: Buffer } | { ok: false; tooLarge: boolean } {
  try {
    return { ok: true, out: Buffer.from(gunzip(bytes, { maxOutputLength })) };
  } catch (error) {
    assert.ok(error instanceof GunzipError, `only GunzipError is thrown, got ${String(error)}`);
    return { ok: false, tooLarge: error.reason === 'too-large' };
  }
}

const settings: Array<[string, ZlibOptions]> = [
  ['level 0 (stored blocks)', { level: 0 }],
  ['level 1', { level: 1 }],
  ['level 6', { level: 6 }],
  ['level 9', { level: 9 }],
  ['Huffman only', { strategy: constants.Z_HUFFMAN_ONLY }],
  ['RLE', { strategy: constants.Z_RLE }],
  ['fixed codes', { strategy: constants.Z_FIXED }],
];

/** Text-like data, so the compressor finds matches at every distance. */
const texty = fc
  .array(fc.constantFrom('#cloud-config\n', 'packages:\n', '  - vim\n', 'runcmd: [ls]\n', 'a', 'b', '\u00e9', ' ', '\n', 'xyz'), { maxLength: 400 })
  .map((parts) => Buffer.from(parts.join('')));

test('gunzip() decompresses what node:zlib compresses, with every level and strategy', () => {
  for (const [name, options] of settings) {
    fc.assert(
      fc.property(fc.oneof(texty, fc.uint8Array({ maxLength: 3000 })), (data) => {
        const result = ours(gzipSync(data, options));
        assert.ok(result.ok, name);
        assert.deepEqual(result.out, Buffer.from(data), name);
      }),
      { numRuns: 60 },
    );
  }
  // Long inputs: several blocks, distances up to 32 KiB.
  const big = Buffer.from(Array.from({ length: 20000 }, (_, i) => `line ${i % 977} ${'x'.repeat(i % 13)}\n`).join(''));
  assert.deepEqual(Buffer.from(gunzip(gzipSync(big), { maxOutputLength: 4 * 1024 * 1024 })), big);
});

test('gunzip() reads concatenated members and zero padding, and refuses other trailing bytes, as node:zlib does', () => {
  const a = gzipSync('hello ');
  const b = gzipSync('world');
  const cases: Buffer[] = [
    Buffer.concat([a, b]),
    Buffer.concat([a, Buffer.alloc(10)]),
    Buffer.concat([a, Buffer.from([0, 1, 2])]),
    Buffer.concat([a, Buffer.from('xyz')]),
    Buffer.concat([a, Buffer.from([0x1f])]),
    Buffer.concat([a, Buffer.from([0x1f, 0x8b])]),
    a.subarray(0, a.length - 3),
    Buffer.alloc(0),
    Buffer.from('xy'),
    Buffer.from([0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 3]),
    Buffer.from([0x1f, 0x8b, 8, 0x20, 0, 0, 0, 0, 0, 3]),
  ];
  for (const bytes of cases) assert.deepEqual(ours(bytes), oracle(bytes), bytes.toString('hex'));
});

test('gunzip() checks the CRC-32, the length and the optional header fields', () => {
  const a = gzipSync('hello ');
  const badCrc = Buffer.from(a);
  badCrc.writeUInt32LE(0, a.length - 8);
  const badSize = Buffer.from(a);
  badSize.writeUInt32LE(99, a.length - 4);
  assert.match(thrownMessage(badCrc), /incorrect data check/);
  assert.match(thrownMessage(badSize), /incorrect length check/);
  assert.deepEqual(ours(badCrc), oracle(badCrc));

  // FEXTRA, FNAME, FCOMMENT and FHCRC, as gzip(1) and other tools write them.
  const body = a.subarray(10);
  const header = Buffer.from([0x1f, 0x8b, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3]);
  const extra = Buffer.from([4, 0, 0x41, 0x42, 2, 0]);
  const names = Buffer.from('user-data.yaml\0a comment\0');
  const before = Buffer.concat([header, extra, names]);
  const hcrc = Buffer.alloc(2);
  hcrc.writeUInt16LE(crc32(before) & 0xffff);
  const full = Buffer.concat([before, hcrc, body]);
  assert.deepEqual(ours(full), oracle(full));
  assert.equal(ours(full).ok, true);
  const badHcrc = Buffer.concat([before, Buffer.from([hcrc[0] as number ^ 1, hcrc[1] as number]), body]);
  assert.deepEqual(ours(badHcrc), oracle(badHcrc));
  assert.match(thrownMessage(badHcrc), /header crc mismatch/);
});

test('gunzip() refuses output beyond the limit, as node:zlib does with maxOutputLength', () => {
  const data = Buffer.alloc(5000, 0x61);
  assert.deepEqual(ours(gzipSync(data), 4999), { ok: false, tooLarge: true });
  assert.deepEqual(oracle(gzipSync(data), 4999), { ok: false, tooLarge: true });
  assert.equal(ours(gzipSync(data), 5000).ok, true);
});

test('gunzip() agrees with node:zlib on corrupted streams: same output, or both refuse', () => {
  fc.assert(
    fc.property(
      texty,
      fc.constantFrom(...settings.map(([, options]) => options)),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
      fc.nat(),
      (data, options, flips, cut) => {
        const bytes = Buffer.from(gzipSync(data, options));
        // Corrupt the deflate data and trailer only: header bytes are covered by the tests above.
        for (const [at, mask] of flips) {
          const index = 10 + (at % (bytes.length - 10));
          bytes[index] = (bytes[index] as number) ^ mask;
        }
        const input = cut % 4 === 0 ? bytes.subarray(0, 10 + (cut % (bytes.length - 9))) : bytes;
        const expected = oracle(input);
        const actual = ours(input);
        assert.equal(actual.ok, expected.ok, `node ${expected.ok ? 'accepts' : 'refuses'} ${input.toString('hex')}`);
        if (actual.ok && expected.ok) assert.deepEqual(actual.out, expected.out);
      },
    ),
    { numRuns: 3000 },
  );
});

function thrownMessage(bytes: Uint8Array): string {
  try {
    gunzip(bytes, limit);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}
