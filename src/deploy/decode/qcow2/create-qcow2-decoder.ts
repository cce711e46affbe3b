import { ByoiError } from '../../../contract/errors/byoi-error.ts';
import { u32be } from '../../../image/bytes.ts';
import { assertQcow2Deployable } from '../../../image/qcow2/assert-qcow2-deployable.ts';
import { decompressCluster } from '../../../image/qcow2/decompress-cluster.ts';
import {
  COMPRESSION_ZLIB,
  COMPRESSION_ZSTD,
  HDR_CLUSTER_BITS,
  HDR_COMPRESSION_TYPE,
  MAX_BACKING_FILE_SIZE,
  MAX_CLUSTER_BITS,
  MIN_CLUSTER_BITS,
} from '../../../image/qcow2/qcow2-layout.ts';
import { readQcow2Header, type Qcow2Header } from '../../../image/qcow2/read-qcow2-header.ts';
import { checkRange, type ReadAt } from '../../../image/read-at.ts';
import type { ImageWriter } from '../../sink/image-writer.ts';
import type { StreamDecoder } from '../stream-decoder.ts';
import { inflateCluster } from './_inflate-cluster.ts';
import { zstdCluster } from './_zstd-cluster.ts';
import { createZstdWorkerPool, type ZstdDecoderName, type ZstdWorkers } from './_zstd-worker-pool.ts';
import { parseL1Table } from './_parse-l1-table.ts';
import { parseL2Table } from './_parse-l2-table.ts';
import { createPassedBytesLedger, LEDGER_BLOCK_SIZE, type PassedBytesLedger } from './_passed-bytes-ledger.ts';
import { qcow2Geometry, type Qcow2Geometry } from './_qcow2-geometry.ts';
import { createRangeHeap, type RangeHeap } from './_range-heap.ts';
import { refetchBlocks } from './_refetch-blocks.ts';
import { describeRange, hex, type CompressedRange, type DataRange, type L2Range, type WantedRange } from './_wanted-range.ts';
import type { HostRange, RangeRefetcher } from './range-refetcher.ts';

export interface Qcow2DecoderOptions {
  /** Size of the image file in bytes, or null when the server does not say (checks then wait for end()). */
  fileSize: number | null;
  /**
   * Bytes of passed clusters kept in memory while their role is unknown; past it, their digest is kept instead.
   * @default 67108864 (64 MiB)
   */
  memoryBudgetBytes?: number;
  /**
   * Reads dropped bytes again at end(). Without it, an image that needs a dropped byte fails with
   * BYOI_DOWNLOAD_TOO_BIG_FOR_MEMORY.
   * @default null
   */
  refetch?: RangeRefetcher | null;
  /** Cancels the decode: push() and end() then fail with BYOI_DEPLOY_CANCELLED. */
  signal?: AbortSignal;
  /**
   * Human-readable notices (buffering started, memory budget reached, re-fetching N MiB in K requests): the
   * sentence first, then the same notice with its numbers.
   */
  onNotice?: (message: string, notice: Qcow2DecoderNotice) => void;
  /**
   * What decodes zstd clusters, or the first of its fallbacks that loads: native libzstd, then libzstd's
   * WebAssembly, then fzstd. @default 'libzstd-native'
   */
  zstdDecoder?: ZstdDecoderName;
}

export type Qcow2DecoderNotice =
  | { kind: 'buffering'; message: string; budgetBytes: number }
  | { kind: 'dropping'; message: string; budgetBytes: number }
  | { kind: 'refetching'; message: string; bytes: number; requests: number };

export interface Qcow2DecoderStats {
  /** Most bytes of passed clusters kept in memory at once while their role was unknown. */
  bufferedPeakBytes: number;
  /** Bytes read again through the refetcher. */
  refetchedBytes: number;
  /** Ranges asked of the refetcher (each one request for an HTTP refetcher that sends one Range per request). */
  refetchRequests: number;
  /** Host clusters that had bytes dropped (only a digest kept) because the memory budget was full. */
  droppedClusters: number;
  /** The decoder that ran for zstd clusters, or null when there were none. */
  zstdDecoder: ZstdDecoderName | null;
}

/** A StreamDecoder for qcow2 that also says what it found and what it cost. */
export interface Qcow2StreamDecoder extends StreamDecoder {
  /** The checked header, once its cluster has arrived; null before. */
  readonly header: Qcow2Header | null;
  /** The guest disk's size (the header's size rounded down to 512, as qemu-img), once known; null before. */
  readonly virtualSize: number | null;
  /** A snapshot of the counters. */
  readonly stats: Qcow2DecoderStats;
}

const DEFAULT_MEMORY_BUDGET = 64 * 1024 * 1024;
/** Bytes to read before cluster_bits is known: the fixed header up to compression_type and its padding. */
const HEADER_PROBE_BYTES = HDR_COMPRESSION_TYPE + 8;
/** qcow2.txt "Compressed Clusters Descriptor": sizes count 512-byte sectors whatever the cluster size. */
const SECTOR = 512;
/** Bookkeeping of one wanted range, as counted against the limit on ranges (an estimate of a small object). */
const RANGE_COST_BYTES = 128;
/**
 * Bytes of tables and compressed clusters collected across chunks at once. A valid image straddles a chunk boundary
 * with one or two ranges; only duplicated entries of a hostile image get near this.
 */
const MIN_COLLECTING_BYTES = 16 * 1024 * 1024;
/** Compressed clusters being decompressed at once, at least; written in the order they were started. */
const MIN_INFLATING = 8;
/**
 * Bytes of compressed clusters in flight at once (at least MIN_INFLATING clusters). Deep enough that the JavaScript
 * thread rarely waits for the oldest: with 8 deflate clusters it waited about half of the write phase for libuv's
 * pool. The zstd workers take clusters in batches, so more in flight also means fewer, larger messages.
 * 4 MiB: 64 clusters of 64 KiB.
 */
const MAX_INFLATING_BYTES = 4 * 1024 * 1024;
/** Compressed-data tails remembered to match later (see matchDanglingTail). */
const MAX_DANGLING_TAILS = 65536;

/** A size for people: "64.0 MiB", "192 KiB", "0 bytes". */
function humanSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

/**
 * Decodes a qcow2 image in one pass, as its bytes arrive in file order, into guest writes on an ImageWriter: data
 * clusters are written at their guest offset from a view of the chunk they arrive in, compressed clusters
 * (deflate or zstd) once their bytes are in, and ranges the image says are zero (zero clusters, zero or
 * unallocated subclusters, unallocated L2 entries and L1 entries) go to `writer.zero()`.
 *
 * Nothing needs the metadata first: bytes that pass before the table that gives them a role are kept within
 * `memoryBudgetBytes`, then digested and read again at end() through `refetch` (see DESIGN.md). Refcounts,
 * snapshots and bitmaps are never read: an image with internal snapshots deploys its active state.
 *
 * Images refused before any write: backing file, external data file, encryption, unknown incompatible bits (the
 * header's own errors). Hostile structures end in a ByoiError: BYOI_IMAGE_INVALID (tables in the header or the L1
 * table, data over an L2 table, compressed data that does not inflate to one cluster), BYOI_IMAGE_TRUNCATED
 * (anything at or past the end of the file), BYOI_DOWNLOAD_TOO_BIG_FOR_MEMORY (dropped bytes needed and no
 * refetcher, or more bookkeeping than the budget allows), BYOI_DOWNLOAD_FAILED (re-read bytes that differ).
 *
 * @param writer where the guest disk goes; the decoder awaits every call
 * @throws RangeError for options out of range, before any I/O
 *
 * @example
 * ```ts
 * const decoder = createQcow2Decoder(writer, { fileSize: facts.size, refetch });
 * for await (const chunk of download) await decoder.push(chunk);
 * await decoder.end(); // every guest byte written or zeroed, writer flushed
 * decoder.virtualSize; // 2147483648
 * ```
 */
export function createQcow2Decoder(writer: ImageWriter, options: Qcow2DecoderOptions): Qcow2StreamDecoder {
  const fileSize = options.fileSize;
  const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET;
  const refetch = options.refetch ?? null;
  const signal = options.signal;
  if (fileSize !== null && (!Number.isSafeInteger(fileSize) || fileSize < 0)) {
    throw new RangeError(`Cannot create the qcow2 decoder: fileSize is ${String(fileSize)}, expected null or a byte count`);
  }
  if (!Number.isSafeInteger(budget) || budget < 0) {
    throw new RangeError(`Cannot create the qcow2 decoder: memoryBudgetBytes is ${String(budget)}, expected a byte count`);
  }

  // Header phase: the first bytes are copied here until the header cluster (and a backing file name that may
  // run past it) is in; then they are replayed through the same path as every later chunk.
  let headerBytes = new Uint8Array(HEADER_PROBE_BYTES);
  let headerHave = 0;
  let headerTarget = fileSize === null ? HEADER_PROBE_BYTES : Math.min(HEADER_PROBE_BYTES, fileSize);
  let headerTargetFinal = false;

  let header: Qcow2Header | null = null;
  let geometry: Qcow2Geometry | null = null;
  let ledger: PassedBytesLedger | null = null;
  let received = 0;
  /** Bytes before this host offset have passed: the current chunk's start, or the file's end in end(). */
  let passedEnd = 0;
  let ended = false;
  let failure: unknown = null;
  /** Started on the first zstd cluster; closed by end() and on the first error. */
  let zstdPool: ZstdWorkers | null = null;

  const live = createRangeHeap();
  let deferred: WantedRange[] = [];
  let l1Parsed = false;
  let pendingL2 = 0;
  let l2Offsets: Float64Array = new Float64Array(0);
  let l1Indexes: Uint32Array = new Uint32Array(0);
  /** The next L2 table (in host order) not yet put in the live heap. */
  let l2Cursor = 0;
  let collectingBytes = 0;
  let maxCollectingBytes = MIN_COLLECTING_BYTES;
  const maxRanges = Math.max(65536, Math.floor(budget / RANGE_COST_BYTES));
  /** The refetch round being fed at end(): its heap, its blocks, and the block being fed. */
  let round: { heap: RangeHeap; blocks: ReadonlySet<number>; position: number } | null = null;
  /** Sector index → start of the unclaimed tail of a compressed cluster's last sector (see matchDanglingTail). */
  const danglingTails = new Map<number, number>();

  /** Clusters in flight at most, set with the geometry. */
  let maxInflating = MIN_INFLATING;
  /** Compressed clusters being decompressed, oldest first (see onCompressed). */
  const inflating: { range: CompressedRange; cluster: Promise<Uint8Array> }[] = [];

  const stats: Qcow2DecoderStats = { bufferedPeakBytes: 0, refetchedBytes: 0, refetchRequests: 0, droppedClusters: 0, zstdDecoder: null };
  let lastDroppedCluster = -1;
  let droppingNoticed = false;

  function geo(): Qcow2Geometry {
    return geometry as Qcow2Geometry;
  }
  function book(): PassedBytesLedger {
    return ledger as PassedBytesLedger;
  }
  /** The end of the file when known: from the options, or from the stream once it ended. */
  function knownFileEnd(): number | null {
    return fileSize ?? (ended ? received : null);
  }

  function notify(notice: Qcow2DecoderNotice): void {
    options.onNotice?.(notice.message, notice);
  }

  function throwIfAborted(): void {
    if (signal?.aborted === true) throw new ByoiError('BYOI_DEPLOY_CANCELLED', {}, { cause: signal.reason });
  }

  function tooBig(detail: string): ByoiError {
    return new ByoiError('BYOI_DOWNLOAD_TOO_BIG_FOR_MEMORY', { imageType: 'qcow2' }, { detail });
  }

  // ── Wanted ranges ───────────────────────────────────────────────────────────────────────────────────────

  function checkRangeCount(): void {
    if (live.size + deferred.length > maxRanges) {
      throw tooBig(`the image maps more than ${maxRanges} separate ranges that have not arrived yet`);
    }
  }

  function allocate(range: Exclude<WantedRange, DataRange>): Uint8Array {
    const length = range.end - range.start;
    // The L1 table is bounded by itself (at most 32 MiB, qemu's limit); the other collected ranges together.
    if (range.kind !== 'l1') {
      collectingBytes += length;
      if (collectingBytes > maxCollectingBytes) {
        throw tooBig(`more than ${maxCollectingBytes} bytes of tables and compressed clusters are collected at once`);
      }
    }
    range.buffer = new Uint8Array(length);
    return range.buffer;
  }

  function release(range: Exclude<WantedRange, DataRange>): void {
    if (range.buffer !== null && range.kind !== 'l1') collectingBytes -= range.buffer.length;
    range.buffer = null;
  }

  function l2Range(index: number): L2Range {
    const start = l2Offsets[index] as number;
    return { kind: 'l2', start, end: start + geo().clusterSize, next: start, buffer: null, l1Index: l1Indexes[index] as number };
  }

  /** Moves the L2 tables that start before `chunkEnd` into the live heap (the others wait, as two numbers each). */
  function pullL2Tables(chunkEnd: number): void {
    while (l2Cursor < l2Offsets.length && (l2Offsets[l2Cursor] as number) < chunkEnd) {
      live.push(l2Range(l2Cursor));
      l2Cursor++;
    }
  }

  /**
   * Reports the bytes a collected range consumed to the ledger. A compressed cluster's last sector is reported
   * only when its end is known (coverCompressedTail): another cluster's data may start inside it.
   */
  function coverCollected(range: Exclude<WantedRange, DataRange>, from: number, to: number): void {
    if (range.kind !== 'compressed') {
      book().cover(from, to);
      return;
    }
    book().cover(from, Math.min(to, range.descriptorEnd - SECTOR));
  }

  /**
   * qemu packs compressed clusters one after the other (qcow2.txt: "Another compressed cluster may map to the
   * tail of the final sector used by this compressed cluster"). When the next cluster of the same table starts in
   * this one's last sector, the bytes before it are this cluster's; otherwise the tail is remembered, unclaimed,
   * until a later table's cluster starts there (matchDanglingTail). Unclaimed bytes keep their block in the ledger.
   */
  function coverCompressedTail(range: CompressedRange): void {
    const lastSector = range.descriptorEnd - SECTOR;
    const tailStart = Math.max(lastSector, range.start);
    if (range.nextStart >= tailStart && range.nextStart <= range.descriptorEnd) {
      book().cover(tailStart, Math.min(range.nextStart, range.end));
    } else if (book().recording && danglingTails.size < MAX_DANGLING_TAILS) {
      danglingTails.set(lastSector / SECTOR, tailStart);
    }
  }

  /** A compressed cluster wanted now may start in the unclaimed tail of one that completed earlier. */
  function matchDanglingTail(range: CompressedRange): void {
    if (danglingTails.size === 0) return;
    let sector = Math.floor(range.start / SECTOR);
    let tailStart = danglingTails.get(sector);
    if (tailStart === undefined && range.start % SECTOR === 0) {
      sector -= 1;
      tailStart = danglingTails.get(sector);
    }
    if (tailStart === undefined || range.start < tailStart) return;
    danglingTails.delete(sector);
    book().cover(tailStart, range.start);
  }

  /** The roles of all bytes still to come are known once the L1 table and every L2 table it names are parsed. */
  function checkPhaseEnd(): void {
    if (!book().recording || !l1Parsed || pendingL2 > 0) return;
    // Kept blocks still serve deferred ranges at end(); otherwise nothing can want them any more.
    book().stopRecording(ended || deferred.length > 0);
    danglingTails.clear();
  }

  function defer(range: WantedRange): void {
    if (refetch === null) {
      throw tooBig(
        `${describeRange(range, geo().clusterSize)} (host offset ${hex(range.start)}) passed before the table that maps it ` +
          `and did not fit in the ${budget}-byte memory budget, and the image cannot be read again`,
      );
    }
    range.next = range.start;
    if (range.kind !== 'data') release(range);
    if (round !== null && range.start >= round.position && inRound(range, round.blocks)) {
      // Revealed by a table re-read in this round, in blocks this round still delivers: no second read.
      round.heap.push(range);
    } else {
      deferred.push(range);
    }
    checkRangeCount();
  }

  function inRound(range: WantedRange, blocks: ReadonlySet<number>): boolean {
    for (let index = Math.floor(range.start / LEDGER_BLOCK_SIZE); index * LEDGER_BLOCK_SIZE < range.end; index++) {
      if (!blocks.has(index)) return false;
    }
    return true;
  }

  /**
   * Takes a range the image just revealed: live when its bytes are still to come; from memory, or deferred to
   * end(), when some of them already passed.
   */
  async function want(range: WantedRange): Promise<void> {
    if (range.kind === 'compressed') matchDanglingTail(range);
    if (range.start >= passedEnd) {
      live.push(range);
      checkRangeCount();
      return;
    }
    if (range.kind === 'data') {
      await wantPastData(range);
      return;
    }
    const pastEnd = Math.min(range.end, passedEnd);
    if (!book().available(range.start, pastEnd)) {
      defer(range);
      return;
    }
    const buffer = allocate(range);
    book().copy(range.start, pastEnd, buffer, 0);
    range.next = pastEnd;
    coverCollected(range, range.start, pastEnd);
    if (pastEnd < range.end) {
      live.push(range);
      checkRangeCount();
      return;
    }
    release(range);
    await complete(range, buffer);
  }

  /** Writes the passed part of a data range block by block from memory; defers the blocks that were dropped. */
  async function wantPastData(range: DataRange): Promise<void> {
    const pastEnd = Math.min(range.end, passedEnd);
    // The last piece deferred, grown while the next block follows it and goes to the same place (defer()).
    let pending: DataRange | null = null;
    let pendingInRound = false;
    let at = range.start;
    while (at < pastEnd) {
      const index = Math.floor(at / LEDGER_BLOCK_SIZE);
      const to = Math.min(pastEnd, (index + 1) * LEDGER_BLOCK_SIZE);
      const guestOffset = range.guestOffset + (at - range.start);
      if (book().available(at, to)) {
        pending = null;
        await writer.write(guestOffset, book().view(at, to));
        book().cover(at, to);
      } else {
        const inRoundNow = round !== null && at >= round.position && round.blocks.has(index);
        if (pending !== null && pending.end === at && pendingInRound === inRoundNow) {
          pending.end = to; // already queued: its key (next) does not change
        } else {
          pending = { kind: 'data', start: at, end: to, next: at, guestOffset };
          pendingInRound = inRoundNow;
          defer(pending);
        }
      }
      at = to;
    }
    if (range.end > pastEnd) {
      range.guestOffset += pastEnd - range.start;
      range.start = pastEnd;
      range.next = pastEnd;
      live.push(range);
      checkRangeCount();
    }
  }

  // ── Actions of completed ranges ─────────────────────────────────────────────────────────────────────────

  async function zeroRuns(runs: readonly number[]): Promise<void> {
    for (let i = 0; i < runs.length; i += 2) {
      const start = runs[i] as number;
      await writer.zero(start, (runs[i + 1] as number) - start);
    }
  }

  async function onL1(bytes: Uint8Array): Promise<void> {
    const parsed = parseL1Table(bytes, geo(), knownFileEnd());
    l1Parsed = true;
    l2Offsets = parsed.l2Offsets;
    l1Indexes = parsed.l1Indexes;
    pendingL2 = l2Offsets.length;
    await zeroRuns(parsed.zeroRuns);
    // Tables that passed before the L1 table was known (an L1 table moved to the end by a resize).
    while (l2Cursor < l2Offsets.length && (l2Offsets[l2Cursor] as number) < passedEnd) {
      const range = l2Range(l2Cursor);
      l2Cursor++;
      await want(range);
    }
    checkPhaseEnd();
  }

  async function onL2(l1Index: number, bytes: Uint8Array): Promise<void> {
    const parsed = parseL2Table(bytes, l1Index, geo(), l2Offsets, knownFileEnd());
    await zeroRuns(parsed.zeroRuns);
    for (const range of parsed.data) await want(range);
    for (const range of parsed.compressed) await want(range);
    pendingL2--;
    checkPhaseEnd();
  }

  /**
   * Starts decompressing a compressed cluster. Deflate runs on libuv's thread pool and zstd on worker threads,
   * up to `maxInflating` clusters at once across chunks, from a copy of its bytes (they may
   * be a view of the caller's chunk, which is lent only until push() returns; the compressed side is the small
   * one). Results are written in the order they were started.
   */
  async function onCompressed(range: CompressedRange, bytes: Uint8Array): Promise<void> {
    coverCompressedTail(range);
    const clusterSize = geo().clusterSize;
    let cluster: Promise<Uint8Array>;
    // A real copy: Buffer#slice() would be a view of the lent chunk (and a transfer to a worker would detach it).
    const copy = new Uint8Array(bytes);
    if (geo().compressionType === COMPRESSION_ZLIB) {
      cluster = inflateCluster(copy, clusterSize);
    } else if (geo().compressionType === COMPRESSION_ZSTD) {
      zstdPool ??= createZstdWorkerPool(options.zstdDecoder === undefined ? {} : { decoder: options.zstdDecoder });
      cluster = zstdCluster(zstdPool, copy, clusterSize);
    } else {
      try {
        cluster = Promise.resolve(decompressCluster(bytes, geo().compressionType, clusterSize));
      } catch (error) {
        cluster = Promise.reject(error);
      }
    }
    cluster.catch(() => undefined); // reported in order by drainInflating()
    inflating.push({ range, cluster });
    await drainInflating(maxInflating);
  }

  /** Writes decompressed clusters, oldest first, until at most `keep` are still in flight. */
  async function drainInflating(keep: number): Promise<void> {
    while (inflating.length > keep) {
      const { range, cluster: pending } = inflating.shift() as { range: CompressedRange; cluster: Promise<Uint8Array> };
      let cluster: Uint8Array;
      try {
        cluster = await pending;
      } catch (error) {
        inflating.length = 0;
        const structure = describeRange(range, geo().clusterSize);
        if (range.end < range.descriptorEnd) {
          throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure, size: range.end, needed: range.descriptorEnd });
        }
        const reason = (error as ByoiError).params?.reason ?? String(error);
        throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason });
      }
      const guestBytes = cluster.subarray(0, Math.min(geo().clusterSize, geo().virtualSize - range.guestOffset));
      const pool = zstdPool;
      if (pool !== null && writer.lend !== undefined) {
        // No copy: the clusters of a worker's batch follow on in one buffer and usually on the guest disk too, so
        // the writer writes them from there as one; the buffer takes another batch once the disk has them all.
        await writer.lend(range.guestOffset, guestBytes, () => pool.release(cluster));
      } else {
        await writer.write(range.guestOffset, guestBytes);
        // The writer has copied it: its batch buffer may take another batch.
        zstdPool?.release(cluster);
      }
    }
  }

  async function complete(range: Exclude<WantedRange, DataRange>, bytes: Uint8Array): Promise<void> {
    if (range.kind === 'l1') await onL1(bytes);
    else if (range.kind === 'l2') await onL2(range.l1Index, bytes);
    else await onCompressed(range, bytes);
  }

  // ── Feeding bytes to wanted ranges ──────────────────────────────────────────────────────────────────────

  /**
   * Gives the bytes [chunkStart, chunkStart + chunk.length) to every range of `heap` that needs some of them, in
   * order of the byte each needs. Ranges revealed on the way join the heap and are fed from the same chunk.
   */
  async function feed(heap: RangeHeap, chunkStart: number, chunk: Uint8Array, pullTables: boolean): Promise<void> {
    const chunkEnd = chunkStart + chunk.length;
    for (;;) {
      if (pullTables) pullL2Tables(chunkEnd);
      const range = heap.peek();
      if (range === undefined || range.next >= chunkEnd) return;
      heap.pop();
      const from = range.next;
      if (from < chunkStart) throw new Error(`qcow2 decoder: a range needs byte ${from}, which passed before ${chunkStart}`);
      const to = Math.min(range.end, chunkEnd);

      if (range.kind === 'data') {
        // The common case: straight from the chunk to the writer, no copy here.
        await writer.write(range.guestOffset + (from - range.start), chunk.subarray(from - chunkStart, to - chunkStart));
        book().cover(from, to);
        range.next = to;
        if (to < range.end) heap.push(range);
        continue;
      }

      if (range.buffer === null && from === range.start && range.end <= chunkEnd) {
        // Wholly inside this chunk: parse or decompress from a view.
        range.next = range.end;
        coverCollected(range, from, to);
        await complete(range, chunk.subarray(from - chunkStart, to - chunkStart));
        continue;
      }
      const buffer = range.buffer ?? allocate(range);
      buffer.set(chunk.subarray(from - chunkStart, to - chunkStart), from - range.start);
      range.next = to;
      coverCollected(range, from, to);
      if (to < range.end) {
        heap.push(range);
        continue;
      }
      release(range);
      await complete(range, buffer);
    }
  }

  async function processChunk(chunkStart: number, chunk: Uint8Array): Promise<void> {
    passedEnd = chunkStart;
    await feed(live, chunkStart, chunk, true);
    book().passed(chunkStart, chunk);
    passedEnd = chunkStart + chunk.length;
  }

  // ── Header ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Copies the chunk's first bytes into the header buffer; returns the rest once the header is in, else null. */
  function collectHeader(chunk: Uint8Array): Uint8Array | null {
    let used = 0;
    while (used < chunk.length && headerHave < headerTarget) {
      const count = Math.min(chunk.length - used, headerTarget - headerHave);
      headerBytes.set(chunk.subarray(used, used + count), headerHave);
      headerHave += count;
      used += count;
      if (!headerTargetFinal && headerHave >= HDR_CLUSTER_BITS + 4) {
        headerTargetFinal = true;
        // The header cluster, plus a backing file name that may start at its end (readQcow2Header reads it to
        // name it in the refusal). A cluster_bits out of range needs no more: the header reader refuses it.
        const clusterBits = u32be(headerBytes, HDR_CLUSTER_BITS);
        let target = HEADER_PROBE_BYTES;
        if (clusterBits >= MIN_CLUSTER_BITS && clusterBits <= MAX_CLUSTER_BITS) target = 2 ** clusterBits + MAX_BACKING_FILE_SIZE + 1;
        if (fileSize !== null) target = Math.min(target, fileSize);
        const grown = new Uint8Array(Math.max(target, headerHave));
        grown.set(headerBytes.subarray(0, headerHave));
        headerBytes = grown;
        headerTarget = grown.length;
      }
    }
    if (headerHave < headerTarget) return null;
    return chunk.subarray(used);
  }

  /** Parses the header from the collected bytes, wants the L1 table, and replays the bytes collected so far. */
  async function startDecoding(): Promise<void> {
    const bytes = headerBytes.subarray(0, headerHave);
    const size = fileSize ?? (ended ? received : Number.MAX_SAFE_INTEGER);
    const source: ReadAt = {
      size,
      async readAt(offset: number, length: number): Promise<Uint8Array> {
        checkRange(size, offset, length, 'qcow2 header');
        // readQcow2Header reads only the first cluster and a backing file name that ends before headerTarget.
        if (offset + length > bytes.length) {
          throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: 'qcow2 header', size: bytes.length, needed: offset + length });
        }
        return bytes.subarray(offset, offset + length);
      },
    };
    const parsed = await readQcow2Header(source);
    assertQcow2Deployable(parsed);
    header = parsed;
    const shape = qcow2Geometry(parsed);
    geometry = shape;
    maxCollectingBytes = Math.max(MIN_COLLECTING_BYTES, 16 * shape.clusterSize);
    maxInflating = Math.max(MIN_INFLATING, Math.floor(MAX_INFLATING_BYTES / shape.clusterSize));
    ledger = createPassedBytesLedger({
      budgetBytes: budget,
      onFirstKept() {
        notify({
          kind: 'buffering',
          message: `qcow2 image: some clusters arrive before the table that maps them; keeping them in memory (up to ${humanSize(budget)})`,
          budgetBytes: budget,
        });
      },
      onDropped(blockStart: number, length: number) {
        const first = Math.max(Math.floor(blockStart / shape.clusterSize), lastDroppedCluster + 1);
        const last = Math.floor((blockStart + length - 1) / shape.clusterSize);
        if (last >= first) stats.droppedClusters += last - first + 1;
        lastDroppedCluster = Math.max(lastDroppedCluster, last);
        if (droppingNoticed) return;
        droppingNoticed = true;
        notify({
          kind: 'dropping',
          message:
            `qcow2 image: the ${humanSize(budget)} memory budget is full; clusters that arrive before their table are now dropped ` +
            'and will be downloaded again at the end if they are needed',
          budgetBytes: budget,
        });
      },
    });
    ledger.cover(0, Math.min(shape.clusterSize, bytes.length));
    if (shape.usedL1 === 0) {
      l1Parsed = true;
      checkPhaseEnd();
    } else {
      const start = parsed.l1TableOffset;
      live.push({ kind: 'l1', start, end: start + shape.usedL1 * 8, next: start, buffer: null });
    }
    headerBytes = new Uint8Array(0);
    await processChunk(0, bytes);
  }

  // ── end() ───────────────────────────────────────────────────────────────────────────────────────────────

  /** At the end of the file: compressed clusters cut by it are decompressed as qemu does; anything else is missing. */
  async function finishLiveRanges(fileEnd: number): Promise<void> {
    let missing: WantedRange | null = null;
    for (;;) {
      const range = live.pop();
      if (range === undefined) break;
      if (range.kind === 'compressed' && range.start < fileEnd && range.buffer !== null) {
        const bytes = range.buffer.subarray(0, fileEnd - range.start);
        range.end = fileEnd;
        release(range);
        await onCompressed(range, bytes);
        continue;
      }
      if (missing === null || range.next < missing.next) missing = range;
    }
    if (l2Cursor < l2Offsets.length && (missing === null || (l2Offsets[l2Cursor] as number) < missing.next)) missing = l2Range(l2Cursor);
    if (missing !== null) {
      const needed = missing.kind === 'compressed' ? missing.descriptorEnd : missing.end;
      throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: describeRange(missing, geo().clusterSize), size: fileEnd, needed });
    }
  }

  /** Reads dropped bytes again, round after round, until no range waits (DESIGN.md "end()"). */
  async function resolveDeferred(fileEnd: number): Promise<void> {
    while (deferred.length > 0) {
      throwIfAborted();
      const batch = deferred;
      deferred = [];
      const heap = createRangeHeap();
      const blockSet = new Set<number>();
      for (const range of batch) {
        if (range.end > fileEnd) {
          if (range.kind !== 'compressed') {
            throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: describeRange(range, geo().clusterSize), size: fileEnd, needed: range.end });
          }
          range.end = fileEnd;
        }
        range.next = range.start;
        heap.push(range);
        for (let index = Math.floor(range.start / LEDGER_BLOCK_SIZE); index * LEDGER_BLOCK_SIZE < range.end; index++) blockSet.add(index);
      }
      const blocks = [...blockSet].sort((a, b) => a - b);
      // Kept blocks are taken now: feeding this round may free them in the ledger.
      const keptForRound = new Map<number, Uint8Array>();
      const ranges: { offset: number; length: number }[] = [];
      let bytes = 0;
      for (const index of blocks) {
        const kept = book().keptBlock(index);
        if (kept !== null) {
          keptForRound.set(index, kept);
          continue;
        }
        const start = index * LEDGER_BLOCK_SIZE;
        const length = Math.min(LEDGER_BLOCK_SIZE, fileEnd - start);
        bytes += length;
        const last = ranges[ranges.length - 1];
        if (last !== undefined && last.offset + last.length === start) last.length += length;
        else ranges.push({ offset: start, length });
      }
      if (ranges.length > 0) {
        stats.refetchRequests += ranges.length;
        stats.refetchedBytes += bytes;
        notify({
          kind: 'refetching',
          message: `qcow2 image: downloading ${humanSize(bytes)} again in ${ranges.length} request${ranges.length === 1 ? '' : 's'} (clusters that arrived before their table and were dropped)`,
          bytes,
          requests: ranges.length,
        });
      }
      const fetched =
        ranges.length > 0
          ? refetchBlocks(refetch as RangeRefetcher, ranges as HostRange[], (index) => book().digestOf(index), signal)
          : null;
      round = { heap, blocks: blockSet, position: 0 };
      try {
        for (const index of blocks) {
          throwIfAborted();
          round.position = index * LEDGER_BLOCK_SIZE;
          let blockBytes = keptForRound.get(index);
          if (blockBytes === undefined) {
            const next = await (fetched as AsyncGenerator<{ offset: number; bytes: Uint8Array }>).next();
            if (next.done === true || next.value.offset !== index * LEDGER_BLOCK_SIZE) {
              throw new Error(`qcow2 decoder: the re-read blocks do not follow on at block ${index}`);
            }
            blockBytes = next.value.bytes;
          }
          await feed(heap, index * LEDGER_BLOCK_SIZE, blockBytes, false);
        }
        if (fetched !== null) {
          // Let the refetcher check that nothing more came.
          const next = await fetched.next();
          if (next.done !== true) throw new Error('qcow2 decoder: the refetcher yielded blocks that were not asked for');
        }
      } finally {
        round = null;
        await fetched?.return(undefined);
      }
      if (heap.size > 0) throw new Error('qcow2 decoder: a re-read range was not completed');
    }
  }

  return {
    get header() {
      return header;
    },
    get virtualSize() {
      return geometry?.virtualSize ?? null;
    },
    get stats() {
      return { ...stats, bufferedPeakBytes: ledger?.peakKeptBytes ?? 0, zstdDecoder: zstdPool?.decoder ?? null };
    },

    async push(chunk: Uint8Array): Promise<void> {
      if (failure !== null) throw failure;
      if (ended) throw new Error('Cannot push to the qcow2 decoder: end() was called');
      try {
        throwIfAborted();
        if (chunk.length === 0) return;
        if (fileSize !== null && received + chunk.length > fileSize) {
          throw new ByoiError('BYOI_DOWNLOAD_FAILED', { reason: `the server sent more than the ${fileSize} bytes it announced` });
        }
        const chunkStart = received;
        received += chunk.length;
        if (header === null) {
          const rest = collectHeader(chunk);
          if (rest === null) return;
          await startDecoding();
          if (rest.length > 0) await processChunk(received - rest.length, rest);
          return;
        }
        await processChunk(chunkStart, chunk);
      } catch (error) {
        failure = error;
        zstdPool?.close();
        throw error;
      }
    },

    async end(): Promise<void> {
      if (failure !== null) throw failure;
      if (ended) throw new Error('Cannot end the qcow2 decoder: end() was already called');
      ended = true;
      try {
        throwIfAborted();
        if (fileSize !== null && received < fileSize) {
          throw new ByoiError('BYOI_DOWNLOAD_TRUNCATED', { reason: `the image ended after ${received} of the ${fileSize} bytes announced` });
        }
        if (header === null) await startDecoding();
        passedEnd = received;
        book().finish(received);
        await finishLiveRanges(received);
        await resolveDeferred(received);
        await drainInflating(0);
        await writer.flush();
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        zstdPool?.close();
      }
    },
  };
}
