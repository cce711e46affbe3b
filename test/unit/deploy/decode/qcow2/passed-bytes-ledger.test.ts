import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createPassedBytesLedger, DIGEST_BYTES, LEDGER_BLOCK_SIZE } from '../../../../../src/deploy/decode/qcow2/_passed-bytes-ledger.ts';

const B = LEDGER_BLOCK_SIZE;

function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function ledgerWith(budgetBytes: number): { ledger: ReturnType<typeof createPassedBytesLedger>; events: string[] } {
  const events: string[] = [];
  const ledger = createPassedBytesLedger({
    budgetBytes,
    onFirstKept: () => events.push('kept'),
    onDropped: (start, length) => events.push(`dropped ${start}+${length}`),
  });
  return { ledger, events };
}

test('createPassedBytesLedger() remembers nothing of a block whose every byte a range consumed', () => {
  const { ledger, events } = ledgerWith(10 * B);
  const chunk = bytesOf(2 * B, 1);
  ledger.cover(0, B / 2);
  ledger.cover(B / 2, B); // pieces that follow on
  ledger.cover(B, B + 100);
  ledger.passed(0, chunk);
  assert.equal(ledger.keptBlock(0), null, 'block 0 is fully covered');
  assert.equal(ledger.digestOf(0), null);
  assert.deepEqual(ledger.keptBlock(1), chunk.subarray(B), 'block 1 has unclaimed bytes');
  assert.deepEqual(events, ['kept']);
});

test('createPassedBytesLedger() keeps a block with unclaimed bytes, serves it, and frees it once they are consumed', () => {
  const { ledger, events } = ledgerWith(10 * B);
  const chunk = bytesOf(2 * B, 2);
  ledger.cover(0, B - 512); // the last sector of block 0 is unclaimed
  ledger.cover(B, 2 * B);
  ledger.passed(0, chunk);
  assert.equal(ledger.keptBytes, B);
  assert.deepEqual(events, ['kept']);
  assert.equal(ledger.available(B - 512, B), true);
  assert.deepEqual(ledger.view(B - 512, B), chunk.subarray(B - 512, B));
  const into = new Uint8Array(512);
  ledger.copy(B - 512, B, into, 0);
  assert.deepEqual(into, chunk.subarray(B - 512, B));
  // A range wanted later consumes the unclaimed sector: nothing in the block can be wanted any more.
  ledger.cover(B - 512, B);
  assert.equal(ledger.keptBytes, 0);
  assert.equal(ledger.keptBlock(0), null);
  assert.equal(ledger.peakKeptBytes, B);
});

test('createPassedBytesLedger() records a sha256 cut to 16 bytes for blocks past the budget', () => {
  const { ledger, events } = ledgerWith(B);
  const chunk = bytesOf(3 * B, 3);
  ledger.passed(0, chunk);
  assert.equal(ledger.keptBytes, B);
  assert.deepEqual(events, ['kept', `dropped ${B}+${B}`, `dropped ${2 * B}+${B}`]);
  assert.equal(ledger.digestOf(0), null, 'block 0 is kept, not digested');
  const expected = createHash('sha256').update(chunk.subarray(B, 2 * B)).digest().subarray(0, DIGEST_BYTES);
  assert.deepEqual(Buffer.from(ledger.digestOf(1) as Uint8Array), expected);
  assert.equal(ledger.available(B, B + 1), false);
});

test('createPassedBytesLedger() assembles a block from several chunks and decides it when it completes', () => {
  const { ledger } = ledgerWith(10 * B);
  const block = bytesOf(B, 4);
  // Three chunks, the middle one consumed by a range: the block still has unclaimed bytes.
  ledger.passed(0, block.subarray(0, 1000));
  assert.equal(ledger.available(0, 1000), true, 'the open block holds what passed');
  assert.deepEqual(ledger.view(10, 20), block.subarray(10, 20));
  ledger.cover(1000, 5000);
  ledger.passed(1000, block.subarray(1000, 5000));
  ledger.passed(5000, block.subarray(5000));
  assert.deepEqual(ledger.keptBlock(0), block);
  // The last, short block is decided at the end of the file.
  ledger.passed(B, block.subarray(0, 300));
  assert.equal(ledger.keptBlock(1), null);
  ledger.finish(B + 300);
  assert.deepEqual(ledger.keptBlock(1), block.subarray(0, 300));
});

test('createPassedBytesLedger() stops recording, and frees its kept blocks unless told to keep them', () => {
  const { ledger } = ledgerWith(10 * B);
  ledger.passed(0, bytesOf(B, 5));
  assert.equal(ledger.keptBytes, B);
  ledger.stopRecording(true);
  assert.equal(ledger.recording, false);
  assert.equal(ledger.keptBytes, B, 'kept for ranges deferred to the end');
  ledger.passed(B, bytesOf(B, 6));
  assert.equal(ledger.keptBlock(1), null, 'nothing is recorded any more');

  const other = ledgerWith(10 * B).ledger;
  other.passed(0, bytesOf(B, 7));
  other.stopRecording(false);
  assert.equal(other.keptBytes, 0);
  assert.equal(other.available(0, 1), false);
});
