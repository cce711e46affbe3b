import { writeEachPart, type DiskIO } from '../disk/disk-io.ts';

/**
 * Where decoders put the guest image: data at a guest offset, or "this range is zero".
 * Calls are awaited one after the other; the writer applies backpressure through its promises.
 */
export interface ImageWriter {
  write(offset: number, bytes: Uint8Array): Promise<void>;
  /**
   * Like write(), without copying: the writer reads `bytes` where they are until the disk has them, then calls
   * `release` (once; never if a write failed). The caller must not change `bytes` until then. Lent bytes that
   * follow on on the guest disk become one disk write (a vectored one when they are not one after the other in
   * memory, on a disk that has writevAt). Lent bytes the writer still holds count in its bound on batches in
   * flight, so lending waits as write() does.
   */
  lend?(offset: number, bytes: Uint8Array, release: () => void): Promise<void>;
  /** The image says [offset, offset+length) reads as zero. */
  zero(offset: number, length: number): Promise<void>;
  /** Writes everything still buffered and waits for the disk. */
  flush(): Promise<void>;
  /** Bytes of data written to the disk so far (zero blocks not counted). */
  readonly bytesWritten: number;
}

export interface ImageWriterOptions {
  /** The disk already reads as zeros everywhere the image is zero (it was discarded), so zero runs are skipped. */
  diskReadsZero: boolean;
  /** Granularity of zero detection; zero blocks of this size are never written. */
  blockBytes?: number;
  /** Contiguous data is gathered into buffers of this size before one positional write. */
  batchBytes?: number;
  /** Batch buffers: one being filled, the others written (one after the other) or waiting to be. @default 8 */
  batches?: number;
}

interface Queued {
  /** The writer's batch buffer the write reads, or null for lent bytes. */
  buffer: Buffer | null;
  written: Promise<void>;
  /** Gives lent bytes back (a no-op for a batch). */
  release: () => void;
}

const noRelease = (): void => undefined;

/** Guest bytes from `at` to write with one (vectored) write. */
interface Run {
  at: number;
  pieces: Uint8Array[];
}

const defaultBlockBytes = 64 * 1024;
/**
 * 2 MiB: a batch is still in the CPU's cache when pwrite() copies it into the page cache (with 8 MiB batches that
 * copy cost about twice the system time).
 */
const defaultBatchBytes = 2 * 1024 * 1024;
/**
 * Eight buffers of 2 MiB, the memory of the two 8 MiB buffers there were: up to seven batches queued for the disk
 * while the next fills, so a write that waits for the thread pool or the page cache does not stop the decoding.
 */
const defaultBatches = 8;

/**
 * Batches contiguous writes into large positional writes, skips (or zeroes) blocks of zeros, and queues up to
 * `batches - 1` filled batches for the disk while the next one fills, so the download and the disk work at the
 * same time. The writes run one after the other, in order.
 */
export function createImageWriter(disk: DiskIO, options: ImageWriterOptions): ImageWriter & Required<Pick<ImageWriter, 'lend'>> {
  const blockBytes = options.blockBytes ?? defaultBlockBytes;
  const batchBytes = options.batchBytes ?? defaultBatchBytes;
  const batches = options.batches ?? defaultBatches;
  if (!Number.isSafeInteger(batches) || batches < 2) {
    throw new RangeError(`Cannot create the image writer: batches is ${String(batches)}, not an integer of at least 2`);
  }
  const zeroBlock = Buffer.alloc(blockBytes);

  let batch: Buffer = Buffer.allocUnsafe(batchBytes);
  /** Buffers no write reads; allocated on first need. */
  const free: Buffer[] = [];
  let allocated = 1;
  /**
   * Filled batches that launched writes read, oldest first, each with the last write that reads it; lent bytes
   * have no buffer of the writer's but a release to call instead.
   */
  const queued: Queued[] = [];
  /**
   * Lent bytes not launched yet, guest-contiguous from `start` to `end`: views of the caller's memory (a view
   * grows while the lent bytes follow on in memory too), and the releases of what was lent.
   */
  let lent: { start: number; end: number; parts: Uint8Array[]; releases: (() => void)[] } | null = null;
  /** The last write launched (from a queued batch or the one being flushed): the next one starts after it. */
  let lastWrite: Promise<void> = Promise.resolve();
  let batchStart = 0;
  let batchLength = 0;
  let pendingZero: { start: number; end: number } | null = null;
  let bytesWritten = 0;

  /** A write's bytes are no longer read: its batch buffer is free again, or its lent bytes go back. */
  function done(entry: Queued): void {
    if (entry.buffer !== null) free.push(entry.buffer);
    else entry.release();
  }

  /** Waits for every launched write; the queued batches' buffers are free again. */
  async function waitInFlight(): Promise<void> {
    await lastWrite;
    for (const entry of queued.splice(0)) done(entry);
  }

  /** Waits for the oldest queued write and frees its buffer (or gives its lent bytes back). */
  async function recycleOldest(): Promise<void> {
    const oldest = queued[0] as Queued;
    await oldest.written;
    queued.shift();
    done(oldest);
  }

  /** A buffer to fill next: a free one, a new one while fewer than `batches` exist, else the oldest write's. */
  async function nextBatchBuffer(): Promise<Buffer> {
    for (;;) {
      const spare = free.pop();
      if (spare !== undefined) return spare;
      if (allocated < batches) {
        allocated += 1;
        return Buffer.allocUnsafe(batchBytes);
      }
      await recycleOldest();
    }
  }

  async function zeroDisk(start: number, end: number): Promise<void> {
    if (options.diskReadsZero || end <= start) return;
    if (pendingZero && pendingZero.end === start) {
      pendingZero.end = end;
      return;
    }
    await flushZero();
    pendingZero = { start, end };
  }

  async function flushZero(): Promise<void> {
    if (!pendingZero) return;
    const { start, end } = pendingZero;
    pendingZero = null;
    await waitInFlight();
    await disk.zeroRange(start, end - start);
  }

  /** Writes the batch being filled and takes another buffer when a write now reads this one. */
  async function flushBatch(): Promise<void> {
    if (batchLength === 0) return;
    const launched = await scanAndWrite([batch.subarray(0, batchLength)], batchStart);
    batchLength = 0;
    // A write launched from this batch now owns its buffer: queue it and fill another one. A batch of only zeros
    // launched nothing and is reused as it is.
    if (launched) {
      queued.push({ buffer: batch, written: lastWrite, release: noRelease });
      batch = await nextBatchBuffer();
    }
  }

  /**
   * Writes the lent bytes not launched yet; they go back to their owner once the disk has them (at once when
   * they were all zero). Waits while more than `batches - 1` writes hold bytes.
   */
  async function flushLent(): Promise<void> {
    if (lent === null) return;
    const { start, parts, releases } = lent;
    lent = null;
    const release = (): void => {
      for (const one of releases) one();
    };
    if (!(await scanAndWrite(parts, start))) {
      release();
      return;
    }
    // Given back as soon as the write is done, so the owner can reuse the memory before the writer looks again.
    let given = false;
    const giveBack = (): void => {
      if (given) return;
      given = true;
      release();
    };
    const written = lastWrite;
    written.then(giveBack, () => undefined);
    queued.push({ buffer: null, written, release: giveBack });
    while (queued.length > batches - 1) await recycleOldest();
  }

  /**
   * Scans `parts` (guest bytes one after the other from `start`) in absolute-aligned blocks; writes runs of data,
   * skips or zeroes runs of zeros. A run of data may span parts: it is written with one vectored write. True when
   * a launched write reads the parts.
   */
  async function scanAndWrite(parts: Uint8Array[], start: number): Promise<boolean> {
    const runs: Run[] = [];
    let launched = false;
    /** The run being gathered, and where its last piece starts in the current part (-1: none in this part). */
    let run: Run | null = null;
    let pieceFrom = -1;
    let partStart = start;
    for (const part of parts) {
      const data = Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.length);
      let position = 0;
      while (position < data.length) {
        const blockEnd = Math.min(data.length, position + blockBytes - ((partStart + position) % blockBytes));
        const block = data.subarray(position, blockEnd);
        const zero = block.length === blockBytes ? block.equals(zeroBlock) : block.equals(zeroBlock.subarray(0, block.length));
        if (zero) {
          if (run !== null) {
            if (pieceFrom >= 0) run.pieces.push(data.subarray(pieceFrom, position));
            runs.push(run);
          }
          run = null;
          pieceFrom = -1;
          if (!options.diskReadsZero) {
            // Keep zero ranges ordered with the data runs around them: write pending data runs first.
            launched = (await writeRuns(runs)) || launched;
            runs.length = 0;
            await zeroDisk(partStart + position, partStart + blockEnd);
          }
        } else {
          run ??= { at: partStart + position, pieces: [] };
          if (pieceFrom < 0) pieceFrom = position;
        }
        position = blockEnd;
      }
      if (run !== null && pieceFrom >= 0) run.pieces.push(data.subarray(pieceFrom));
      pieceFrom = -1;
      partStart += data.length;
    }
    if (run !== null) runs.push(run);
    launched = (await writeRuns(runs)) || launched;
    return launched;
  }

  /** Queues one positional write per data run, after the writes before; true when a write now reads its bytes. */
  async function writeRuns(runs: Run[]): Promise<boolean> {
    if (runs.length === 0) return false;
    await flushZero();
    const writes = runs.slice();
    for (const write of writes) for (const piece of write.pieces) bytesWritten += piece.length;
    const previous = lastWrite;
    lastWrite = (async () => {
      await previous;
      for (const write of writes) {
        if (write.pieces.length === 1) await disk.writeAt(write.at, write.pieces[0] as Uint8Array);
        else if (disk.writevAt !== undefined) await disk.writevAt(write.at, write.pieces);
        else await writeEachPart(disk, write.at, write.pieces);
      }
    })();
    // Surface a failed write at the next await of it instead of as an unhandled rejection.
    lastWrite.catch(() => undefined);
    return true;
  }

  return {
    get bytesWritten() {
      return bytesWritten;
    },

    async write(offset: number, bytes: Uint8Array): Promise<void> {
      await flushLent();
      let consumed = 0;
      while (consumed < bytes.length) {
        const at = offset + consumed;
        if (batchLength > 0 && batchStart + batchLength !== at) await flushBatch();
        // The buffer being filled is never one a launched write reads: flushBatch queues it and takes a free one.
        if (batchLength === 0) batchStart = at;
        const count = Math.min(bytes.length - consumed, batchBytes - batchLength);
        batch.set(bytes.subarray(consumed, consumed + count), batchLength);
        batchLength += count;
        consumed += count;
        if (batchLength === batchBytes) await flushBatch();
      }
    },

    async lend(offset: number, bytes: Uint8Array, release: () => void): Promise<void> {
      if (bytes.length === 0) {
        release();
        return;
      }
      if (lent !== null && lent.end === offset && lent.end - lent.start + bytes.length <= batchBytes) {
        const last = lent.parts[lent.parts.length - 1] as Uint8Array;
        if (last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
          lent.parts[lent.parts.length - 1] = new Uint8Array(bytes.buffer, last.byteOffset, last.length + bytes.length);
        } else {
          lent.parts.push(bytes);
        }
        lent.end += bytes.length;
        lent.releases.push(release);
        return;
      }
      await flushBatch();
      await flushLent();
      lent = { start: offset, end: offset + bytes.length, parts: [bytes], releases: [release] };
    },

    async zero(offset: number, length: number): Promise<void> {
      // Nothing to do on a disk that already reads zero; keep the current batch growing.
      if (options.diskReadsZero) return;
      await flushBatch();
      await flushLent();
      await zeroDisk(offset, offset + length);
    },

    async flush(): Promise<void> {
      await flushBatch();
      await flushLent();
      await flushZero();
      await waitInFlight();
    },
  };
}
