import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createRangeRefetcher } from '../../../../src/deploy/pipeline/range-refetcher.ts';
import { createHttpSource } from '../../../../src/deploy/source/http-source.ts';
import { pseudoRandomBytes, startMisbehavingServer } from '../../../helpers/misbehaving-http-server.ts';

const body = pseudoRandomBytes(3 * 1024 * 1024 + 77, 5);
const ranges = [
  { offset: 10, length: 100 },
  { offset: 1000, length: 70_000 },
  { offset: 2 * 1024 * 1024, length: 1024 * 1024 + 77 },
];
const sha256 = createHash('sha256').update(body).digest('hex');

async function collect(iterable: AsyncIterable<{ offset: number; bytes: Uint8Array }>): Promise<{ offset: number; bytes: Uint8Array }[]> {
  const out: { offset: number; bytes: Uint8Array }[] = [];
  for await (const piece of iterable) out.push(piece);
  return out;
}

function assertPieces(pieces: { offset: number; bytes: Uint8Array }[]): void {
  assert.deepEqual(pieces.map((p) => [p.offset, p.bytes.length]), ranges.map((r) => [r.offset, r.length]));
  for (const piece of pieces) assert.ok(Buffer.from(piece.bytes).equals(body.subarray(piece.offset, piece.offset + piece.bytes.length)));
}

test('createRangeRefetcher() reads ranges with Range requests pinned by If-Range, merging close ones', async (t) => {
  const server = await startMisbehavingServer({ body });
  t.after(() => server.close());
  const source = createHttpSource({ url: server.url() });
  t.after(() => source.close());
  const facts = await source.probe();
  const notes: string[] = [];
  const refetcher = createRangeRefetcher(source, { facts, algorithm: 'sha256', firstPassDigest: () => sha256, onRefetch: (how) => notes.push(how) });
  assertPieces(await collect(refetcher.readRanges(ranges)));
  assert.deepEqual(notes, ['range']);
  const gets = server.imageGets();
  assert.equal(gets.length, 2, 'the first two ranges are close enough for one request');
  assert.ok(gets.every((g) => g.range !== undefined && g.ifRange === facts.etag));
});

test('createRangeRefetcher() picks the ranges out of a second streaming pass when the server has no Range support', async (t) => {
  const server = await startMisbehavingServer({ body, ranges: false });
  t.after(() => server.close());
  const source = createHttpSource({ url: server.url(), retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  t.after(() => source.close());
  const facts = await source.probe();
  assert.equal(facts.acceptsRanges, false);
  const notes: string[] = [];
  const refetcher = createRangeRefetcher(source, { facts, algorithm: 'sha256', firstPassDigest: () => sha256, onRefetch: (how) => notes.push(how) });
  server.plan({ cutAt: 1024 * 1024 });
  assertPieces(await collect(refetcher.readRanges([...ranges].reverse())));
  assert.deepEqual(notes, ['stream']);
});

test('createRangeRefetcher() fails a second pass whose digest differs from the first', async (t) => {
  const server = await startMisbehavingServer({ body, ranges: false });
  t.after(() => server.close());
  const source = createHttpSource({ url: server.url() });
  t.after(() => source.close());
  const facts = await source.probe();
  const refetcher = createRangeRefetcher(source, { facts, algorithm: 'sha256', firstPassDigest: () => '0'.repeat(64) });
  await assert.rejects(collect(refetcher.readRanges(ranges)), {
    code: 'BYOI_DOWNLOAD_FAILED',
    message: 'Could not download image: the image changed on the server during the download',
  });
});

test('createRangeRefetcher() refuses a range past the end of the image', async (t) => {
  const server = await startMisbehavingServer({ body });
  t.after(() => server.close());
  const source = createHttpSource({ url: server.url() });
  t.after(() => source.close());
  const facts = await source.probe();
  const refetcher = createRangeRefetcher(source, { facts, algorithm: 'sha256', firstPassDigest: () => null });
  assert.throws(() => refetcher.readRanges([{ offset: body.length - 10, length: 20 }]), { code: 'BYOI_IMAGE_TRUNCATED' });
});
