import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamDecoder } from '../../../../src/deploy/decode/stream-decoder.ts';
import { deferTailDecoder } from '../../../../src/deploy/pipeline/defer-tail-decoder.ts';

function recorder(): StreamDecoder & { bytes: number[]; ended: boolean } {
  const out = { bytes: [] as number[], ended: false };
  return Object.assign(out, {
    async push(chunk: Uint8Array) {
      out.bytes.push(...chunk);
    },
    async end() {
      out.ended = true;
    },
  });
}

test('deferTailDecoder() passes everything but the last tailBytes, then hands the tail over', async () => {
  const inner = recorder();
  let tail: { offset: number; bytes: number[] } | null = null;
  const decoder = deferTailDecoder(inner, {
    tailBytes: 10,
    diskSize: 1000,
    diskName: 'disk',
    onTail: async (offset, bytes) => {
      tail = { offset, bytes: [...bytes] };
    },
  });
  const all = Array.from({ length: 57 }, (_, i) => i);
  for (let i = 0; i < all.length; i += 7) await decoder.push(Uint8Array.from(all.slice(i, i + 7)));
  await decoder.end();
  assert.equal(inner.ended, true);
  const handed = tail as { offset: number; bytes: number[] } | null;
  assert.ok(handed !== null);
  assert.ok(handed.bytes.length >= 10, 'at least tailBytes are kept');
  assert.deepEqual([...inner.bytes, ...handed.bytes], all);
  assert.equal(handed.offset, inner.bytes.length);
});

test('deferTailDecoder() refuses a stream that grows past the disk', async () => {
  const decoder = deferTailDecoder(recorder(), { tailBytes: 4, diskSize: 16, diskName: '/dev/sdz', onTail: async () => undefined });
  await decoder.push(new Uint8Array(16));
  await assert.rejects(decoder.push(new Uint8Array(1)), {
    code: 'BYOI_IMAGE_TOO_LARGE',
    message: 'image provided has a size of more than 16 bytes which is larger than /dev/sdz of 16 bytes',
  });
});
