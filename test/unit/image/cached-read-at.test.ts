import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cachedReadAt } from '../../../src/image/cached-read-at.ts';
import { bufferReadAt, type ReadAt } from '../../../src/image/read-at.ts';

/** A ReadAt over `bytes` that records every read it is asked for. */
function recording(bytes: Uint8Array): ReadAt & { calls: [number, number][] } {
  const inner = bufferReadAt(bytes);
  const calls: [number, number][] = [];
  return {
    size: inner.size,
    calls,
    async readAt(offset: number, length: number) {
      calls.push([offset, length]);
      return inner.readAt(offset, length);
    },
  };
}

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
}

test('cachedReadAt() reads aligned blocks once and serves repeated reads from memory', async () => {
  const source = recording(pattern(10_000));
  const cached = cachedReadAt(source, { blockBytes: 1024 });
  assert.deepEqual(await cached.readAt(100, 10), pattern(10_000).subarray(100, 110));
  assert.deepEqual(await cached.readAt(1000, 30), pattern(10_000).subarray(1000, 1030));
  assert.deepEqual(source.calls, [[0, 1024], [1024, 1024]]);
  await cached.readAt(0, 2048);
  assert.equal(source.calls.length, 2);
  assert.deepEqual(cached.stats, { reads: 2, bytesRead: 2048 });
});

test('cachedReadAt() coalesces adjacent missing blocks into one read, around cached ones', async () => {
  const source = recording(pattern(10_000));
  const cached = cachedReadAt(source, { blockBytes: 1000 });
  await cached.readAt(3500, 10); // block 3
  source.calls.length = 0;
  const bytes = await cached.readAt(0, 10_000);
  assert.deepEqual(bytes, pattern(10_000));
  // Blocks 0-2 in one read, block 3 from the cache, blocks 4-9 in one read (the last block ends at the image end).
  assert.deepEqual(source.calls, [[0, 3000], [4000, 6000]]);
});

test('cachedReadAt() keeps at most maxBytes, dropping the least recently used block', async () => {
  const source = recording(pattern(8192));
  const cached = cachedReadAt(source, { blockBytes: 1024, maxBytes: 2048 });
  await cached.readAt(0, 1); // block 0
  await cached.readAt(1024, 1); // block 1
  await cached.readAt(0, 1); // block 0 used again: block 1 is now the oldest
  await cached.readAt(2048, 1); // block 2 evicts block 1
  source.calls.length = 0;
  await cached.readAt(0, 1);
  await cached.readAt(2048, 1);
  assert.deepEqual(source.calls, []);
  await cached.readAt(1024, 1);
  assert.deepEqual(source.calls, [[1024, 1024]]);
});

test('cachedReadAt() answers a read larger than the cache, in reads no larger than the cache', async () => {
  const source = recording(pattern(10_000));
  const cached = cachedReadAt(source, { blockBytes: 1000, maxBytes: 3000 });
  assert.deepEqual(await cached.readAt(500, 9000), pattern(10_000).subarray(500, 9500));
  assert.deepEqual(source.calls, [[0, 3000], [3000, 3000], [6000, 3000], [9000, 1000]]);
});

test('cachedReadAt() checks ranges like every ReadAt and caches nothing of a failed read', async () => {
  const bytes = pattern(4096);
  let fail = true;
  const flaky: ReadAt = {
    size: bytes.length,
    async readAt(offset, length) {
      if (fail) throw new Error('network down');
      return bytes.subarray(offset, offset + length);
    },
  };
  const cached = cachedReadAt(flaky, { blockBytes: 1024 });
  await assert.rejects(cached.readAt(4000, 200), { code: 'BYOI_IMAGE_TRUNCATED' });
  await assert.rejects(cached.readAt(-1, 2), { code: 'BYOI_IMAGE_INVALID' });
  await assert.rejects(cached.readAt(0, 10), /network down/);
  fail = false;
  assert.deepEqual(await cached.readAt(0, 10), bytes.subarray(0, 10));
  assert.deepEqual(await cached.readAt(4096, 0), new Uint8Array(0));
  assert.throws(() => cachedReadAt(flaky, { blockBytes: 0 }), RangeError);
});

test('cachedReadAt() returns the caller its own copy', async () => {
  const cached = cachedReadAt(bufferReadAt(pattern(2048)), { blockBytes: 512 });
  const first = await cached.readAt(0, 16);
  first.fill(0);
  assert.deepEqual(await cached.readAt(0, 16), pattern(2048).subarray(0, 16));
});

test('cachedReadAt() returns what the source holds for any sequence of reads', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 5000 }),
      fc.integer({ min: 1, max: 700 }),
      fc.integer({ min: 1, max: 4000 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3000 })), { minLength: 1, maxLength: 20 }),
      async (size, blockBytes, maxBytes, reads) => {
        const bytes = pattern(size);
        const cached = cachedReadAt(bufferReadAt(bytes), { blockBytes, maxBytes });
        for (const [at, wanted] of reads) {
          const offset = at % size;
          const length = Math.min(wanted, size - offset);
          assert.deepEqual(await cached.readAt(offset, length), bytes.subarray(offset, offset + length));
        }
      },
    ),
    { numRuns: 200 },
  );
});
