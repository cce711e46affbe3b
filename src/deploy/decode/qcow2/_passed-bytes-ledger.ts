import { createHash } from 'node:crypto';

/** Granularity of what the ledger keeps, digests and has re-fetched (DESIGN.md "Blocks"). */
export const LEDGER_BLOCK_SIZE = 64 * 1024;
/** sha256 cut to 16 bytes: enough to tell a changed block, at half the memory. */
export const DIGEST_BYTES = 16;


export interface PassedBytesLedgerOptions {
  /** Bytes of blocks kept in memory at most; the ones that do not fit are digested instead. */
  budgetBytes: number;
  /** Called when the first block is kept. */
  onFirstKept(): void;
  /** Called for each block digested and dropped. */
  onDropped(blockStart: number, length: number): void;
}

/**
 * Remembers the image bytes that passed while their role was unknown (DESIGN.md "Out-of-order images").
 *
 * The decoder reports every byte a wanted range consumed (`cover`) and every chunk once it is done with it
 * (`passed`). When a 64 KiB block has fully passed, the ledger decides: every byte covered, nothing to remember;
 * otherwise, while `recording`, the block is kept (within the budget) or its digest is recorded. Kept blocks serve
 * ranges wanted later and are freed once every byte that was uncovered has been consumed. The block still being
 * assembled (the "open" block) is copied so that it can be kept or hashed when it completes.
 */
export interface PassedBytesLedger {
  readonly recording: boolean;
  readonly keptBytes: number;
  readonly peakKeptBytes: number;
  /** Marks host bytes [start, end) as consumed by a wanted range. */
  cover(start: number, end: number): void;
  /** Called after the decoder handled a chunk: decides the blocks it completed, copies the open block's part. */
  passed(chunkStart: number, chunk: Uint8Array): void;
  /** Called once at the end of the file: decides the last, partial block. */
  finish(fileEnd: number): void;
  /** The roles of all bytes to come are known: stop recording; free the kept blocks unless told to keep them. */
  stopRecording(keepKept: boolean): void;
  /** Whether host bytes [start, end), already passed, are all in memory. */
  available(start: number, end: number): boolean;
  /** Copies available bytes [start, end) into `into` at `at`. */
  copy(start: number, end: number, into: Uint8Array, at: number): void;
  /** Available bytes [start, end) that lie in one block, as a view. */
  view(start: number, end: number): Uint8Array;
  /** A kept block's bytes, or null. */
  keptBlock(index: number): Uint8Array | null;
  /** The digest recorded for a dropped block, or null. */
  digestOf(index: number): Uint8Array | null;
}

interface KeptBlock {
  bytes: Uint8Array;
  /** Host byte ranges of the block no wanted range consumed yet: [start, end, ...], sorted. */
  uncovered: number[];
}

/** Sorts and merges [start, end, ...] pairs. */
function mergeIntervals(intervals: number[]): number[] {
  const count = intervals.length / 2;
  const order: number[] = [];
  for (let i = 0; i < count; i++) order.push(i);
  order.sort((a, b) => (intervals[a * 2] as number) - (intervals[b * 2] as number));
  const merged: number[] = [];
  for (const i of order) {
    const start = intervals[i * 2] as number;
    const end = intervals[i * 2 + 1] as number;
    const last = merged.length - 1;
    if (last > 0 && start <= (merged[last] as number)) {
      if (end > (merged[last] as number)) merged[last] = end;
    } else {
      merged.push(start, end);
    }
  }
  return merged;
}

/** Removes [start, end) from sorted, disjoint pairs. */
function subtractInterval(intervals: number[], start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < intervals.length; i += 2) {
    const from = intervals[i] as number;
    const to = intervals[i + 1] as number;
    if (to <= start || from >= end) {
      out.push(from, to);
      continue;
    }
    if (from < start) out.push(from, start);
    if (to > end) out.push(end, to);
  }
  return out;
}

export function createPassedBytesLedger(options: PassedBytesLedgerOptions): PassedBytesLedger {
  const B = LEDGER_BLOCK_SIZE;
  let recording = true;
  /** Every block below this offset is decided; the open block starts here. */
  let decidedUpTo = 0;
  let open = new Uint8Array(B);
  /** Bytes [decidedUpTo, decidedUpTo + openFill) of the open block are in `open`. */
  let openFill = 0;
  /** Covered ranges at or past decidedUpTo, in the order reported: [start, end, ...]. */
  let intervals: number[] = [];
  const kept = new Map<number, KeptBlock>();
  let keptBytes = 0;
  let peakKeptBytes = 0;
  // Digests of dropped blocks, dense from the first one dropped (blocks are decided in file order, and once the
  // budget is full most later blocks that need remembering are dropped): 17 bytes per block from there on.
  let digestBase = -1;
  let digested = new Uint8Array(0);
  let digests = new Uint8Array(0);

  function digestSlot(index: number): number {
    if (digestBase < 0) digestBase = index;
    const slot = index - digestBase;
    if (slot >= digested.length) {
      const capacity = Math.max(slot + 1, digested.length * 2, 1024);
      const grownFlags = new Uint8Array(capacity);
      grownFlags.set(digested);
      const grownDigests = new Uint8Array(capacity * DIGEST_BYTES);
      grownDigests.set(digests);
      digested = grownFlags;
      digests = grownDigests;
    }
    return slot;
  }

  function subtractKept(start: number, end: number): void {
    for (let index = Math.floor(start / B); index * B < end; index++) {
      const block = kept.get(index);
      if (block === undefined) continue;
      block.uncovered = subtractInterval(block.uncovered, start, end);
      if (block.uncovered.length === 0) {
        kept.delete(index);
        keptBytes -= block.bytes.length;
      }
    }
  }

  /** Remembers one block that has bytes no wanted range consumed. `head` and `tail` are its bytes, in order. */
  function record(blockStart: number, uncovered: number[], head: Uint8Array, tail: Uint8Array): void {
    const index = blockStart / B;
    const length = head.length + tail.length;
    if (keptBytes + length <= options.budgetBytes) {
      const bytes = new Uint8Array(length);
      bytes.set(head, 0);
      bytes.set(tail, head.length);
      if (kept.size === 0 && peakKeptBytes === 0) options.onFirstKept();
      kept.set(index, { bytes, uncovered });
      keptBytes += length;
      if (keptBytes > peakKeptBytes) peakKeptBytes = keptBytes;
      return;
    }
    const hash = createHash('sha256');
    hash.update(head);
    hash.update(tail);
    const slot = digestSlot(index);
    digests.set(hash.digest().subarray(0, DIGEST_BYTES), slot * DIGEST_BYTES);
    digested[slot] = 1;
    options.onDropped(blockStart, length);
  }

  /**
   * Decides the blocks in [decidedUpTo, upTo): `upTo` is block-aligned, or the end of the file. Bytes before
   * `chunkStart` are in the open block buffer, the others in `chunk`.
   */
  function decide(upTo: number, chunkStart: number, chunk: Uint8Array): void {
    const merged = mergeIntervals(intervals);
    let k = 0;
    for (let blockStart = decidedUpTo; blockStart < upTo; blockStart += B) {
      const blockEnd = Math.min(blockStart + B, upTo);
      while (k < merged.length && (merged[k + 1] as number) <= blockStart) k += 2;
      const uncovered: number[] = [];
      let cursor = blockStart;
      for (let j = k; j < merged.length && (merged[j] as number) < blockEnd; j += 2) {
        const from = Math.max(merged[j] as number, blockStart);
        if (from > cursor) uncovered.push(cursor, from);
        cursor = Math.max(cursor, Math.min(merged[j + 1] as number, blockEnd));
      }
      if (cursor < blockEnd) uncovered.push(cursor, blockEnd);
      if (uncovered.length === 0) continue;
      const head = blockStart < chunkStart ? open.subarray(0, Math.min(chunkStart, blockEnd) - blockStart) : open.subarray(0, 0);
      const tail = blockEnd > chunkStart ? chunk.subarray(Math.max(blockStart, chunkStart) - chunkStart, blockEnd - chunkStart) : chunk.subarray(0, 0);
      record(blockStart, uncovered, head, tail);
    }
    const rest: number[] = [];
    for (let j = 0; j < merged.length; j += 2) {
      if ((merged[j + 1] as number) > upTo) rest.push(Math.max(merged[j] as number, upTo), merged[j + 1] as number);
    }
    intervals = rest;
  }

  function source(index: number): Uint8Array {
    if (index * B < decidedUpTo) return (kept.get(index) as KeptBlock).bytes;
    return open;
  }

  return {
    get recording() {
      return recording;
    },
    get keptBytes() {
      return keptBytes;
    },
    get peakKeptBytes() {
      return peakKeptBytes;
    },

    cover(start: number, end: number): void {
      if (end <= start) return;
      if (start < decidedUpTo && kept.size > 0) subtractKept(start, Math.min(end, decidedUpTo));
      if (!recording || end <= decidedUpTo) return;
      const from = Math.max(start, decidedUpTo);
      const last = intervals.length - 1;
      // Ranges mostly report pieces that follow on: extend the last pair instead of adding one.
      if (last > 0 && intervals[last] === from) intervals[last] = end;
      else intervals.push(from, end);
    },

    passed(chunkStart: number, chunk: Uint8Array): void {
      if (!recording) return;
      const end = chunkStart + chunk.length;
      const aligned = end - (end % B);
      if (aligned > decidedUpTo) {
        decide(aligned, chunkStart, chunk);
        decidedUpTo = aligned;
        openFill = 0;
      }
      if (end > decidedUpTo) {
        const from = Math.max(decidedUpTo, chunkStart);
        open.set(chunk.subarray(from - chunkStart, end - chunkStart), from - decidedUpTo);
        openFill = end - decidedUpTo;
      }
    },

    finish(fileEnd: number): void {
      if (!recording || fileEnd <= decidedUpTo) return;
      // The last block is short; it is decided like the others, from the open block buffer alone.
      decide(fileEnd, fileEnd, new Uint8Array(0));
      // Keep the buffer's last block reachable through kept (if it was kept); nothing passes any more.
      decidedUpTo = fileEnd;
      openFill = 0;
    },

    stopRecording(keepKept: boolean): void {
      recording = false;
      open = new Uint8Array(0);
      openFill = 0;
      intervals = [];
      if (keepKept) return;
      kept.clear();
      keptBytes = 0;
    },

    available(start: number, end: number): boolean {
      for (let index = Math.floor(start / B); index * B < end; index++) {
        if (index * B < decidedUpTo) {
          if (!kept.has(index)) return false;
        } else if (!recording || end > decidedUpTo + openFill) {
          return false;
        }
      }
      return true;
    },

    copy(start: number, end: number, into: Uint8Array, at: number): void {
      for (let index = Math.floor(start / B); index * B < end; index++) {
        const blockStart = index * B;
        const from = Math.max(start, blockStart);
        const to = Math.min(end, blockStart + B);
        into.set(source(index).subarray(from - blockStart, to - blockStart), at + (from - start));
      }
    },

    view(start: number, end: number): Uint8Array {
      const index = Math.floor(start / B);
      return source(index).subarray(start - index * B, end - index * B);
    },

    keptBlock(index: number): Uint8Array | null {
      return kept.get(index)?.bytes ?? null;
    },

    digestOf(index: number): Uint8Array | null {
      const slot = index - digestBase;
      if (digestBase < 0 || slot < 0 || slot >= digested.length || digested[slot] !== 1) return null;
      return digests.subarray(slot * DIGEST_BYTES, (slot + 1) * DIGEST_BYTES);
    },
  };
}
