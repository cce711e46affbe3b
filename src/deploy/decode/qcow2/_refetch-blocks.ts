import { createHash } from 'node:crypto';
import { ByoiError } from '../../../contract/errors/byoi-error.ts';
import { DIGEST_BYTES, LEDGER_BLOCK_SIZE } from './_passed-bytes-ledger.ts';
import type { HostRange, RangeRefetcher, RefetchedBytes } from './range-refetcher.ts';

function failed(reason: string): ByoiError {
  return new ByoiError('BYOI_DOWNLOAD_FAILED', { reason });
}

function equalPrefix(digest: Uint8Array, expected: Uint8Array): boolean {
  for (let i = 0; i < DIGEST_BYTES; i++) if (digest[i] !== expected[i]) return false;
  return true;
}

/**
 * Asks `refetcher` for `ranges` (block-aligned, sorted, not touching) and yields the bytes again one ledger block
 * at a time, in order. Each block whose digest was recorded is checked against it before it is yielded: a
 * difference means the file changed on the server since the stream passed (BYOI_DOWNLOAD_FAILED). A refetcher
 * that answers out of order, short or long is refused the same way.
 *
 * The yielded bytes are a view of one reused buffer: valid until the next block is asked for.
 *
 * @param digestOf the recorded digest of a block (by index), or null when there is none to check
 */
export async function* refetchBlocks(
  refetcher: RangeRefetcher,
  ranges: readonly HostRange[],
  digestOf: (blockIndex: number) => Uint8Array | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<RefetchedBytes> {
  if (ranges.length === 0) return;
  const block = new Uint8Array(LEDGER_BLOCK_SIZE);
  let rangeIndex = 0;
  let range = ranges[0] as HostRange;
  let expected = range.offset;
  let blockStart = expected;

  for await (const piece of refetcher.readRanges(ranges, signal)) {
    if (rangeIndex >= ranges.length) throw failed('the server sent more bytes than asked when the image was read again');
    if (piece.offset !== expected) {
      throw failed(`the server sent bytes at ${piece.offset} instead of ${expected} when the image was read again`);
    }
    let used = 0;
    while (used < piece.bytes.length) {
      if (rangeIndex >= ranges.length) throw failed('the server sent more bytes than asked when the image was read again');
      const rangeEnd = range.offset + range.length;
      const blockEnd = Math.min(blockStart + LEDGER_BLOCK_SIZE, rangeEnd);
      const count = Math.min(piece.bytes.length - used, blockEnd - expected);
      block.set(piece.bytes.subarray(used, used + count), expected - blockStart);
      used += count;
      expected += count;
      if (expected < blockEnd) continue;

      const bytes = block.subarray(0, blockEnd - blockStart);
      const digest = digestOf(blockStart / LEDGER_BLOCK_SIZE);
      if (digest !== null && !equalPrefix(createHash('sha256').update(bytes).digest(), digest)) {
        throw failed('the image changed on the server during the download');
      }
      yield { offset: blockStart, bytes };
      if (expected === rangeEnd) {
        // A piece belongs to one range: the next range starts after a gap, in a new piece.
        if (used < piece.bytes.length) throw failed('the server sent bytes outside the ranges asked when the image was read again');
        rangeIndex++;
        if (rangeIndex < ranges.length) {
          range = ranges[rangeIndex] as HostRange;
          expected = range.offset;
        }
      }
      blockStart = expected;
    }
  }
  if (rangeIndex < ranges.length) {
    throw failed(`the server sent fewer bytes than asked when the image was read again (stopped at byte ${expected})`);
  }
}
