import type { DiskIO } from '../disk/disk-io.ts';

/**
 * Where decoders put the guest image: data at a guest offset, or "this range is zero".
 * Calls are awaited one after the other; the writer applies backpressure through its promises.
 */
export interface ImageWriter {
  write(offset: number, bytes: Uint8Array): Promise<void>;
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
export function createImageWriter(disk: DiskIO, options: ImageWriterOptions): ImageWriter {
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
  /** Filled batches that launched writes read, oldest first, each with the last write that reads it. */
  const queued: { buffer: Buffer; written: Promise<void> }[] = [];
  /** The last write launched (from a queued batch or the one being flushed): the next one starts after it. */
  let lastWrite: Promise<void> = Promise.resolve();
  let batchStart = 0;
  let batchLength = 0;
  let pendingZero: { start: number; end: number } | null = null;
  let bytesWritten = 0;

  /** Waits for every launched write; the queued batches' buffers are free again. */
  async function waitInFlight(): Promise<void> {
    await lastWrite;
    for (const done of queued.splice(0)) free.push(done.buffer);
  }

  /** Waits for the oldest queued write and frees its buffer. */
  async function recycleOldest(): Promise<void> {
    const oldest = queued[0] as { buffer: Buffer; written: Promise<void> };
    await oldest.written;
    queued.shift();
    free.push(oldest.buffer);
  }

  /** A buffer to fill next: a free one, a new one while fewer than `batches` exist, else the oldest write's. */
  async function nextBatchBuffer(): Promise<Buffer> {
    const spare = free.pop();
    if (spare !== undefined) return spare;
    if (allocated < batches) {
      allocated += 1;
      return Buffer.allocUnsafe(batchBytes);
    }
    await recycleOldest();
    return free.pop() as Buffer;
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

  /** Scans the batch in absolute-aligned blocks; writes runs of data, skips or zeroes runs of zeros. */
  async function flushBatch(): Promise<void> {
    if (batchLength === 0) return;
    const data = batch.subarray(0, batchLength);
    const start = batchStart;
    const runs: { at: number; from: number; to: number }[] = [];
    let launched = false;
    let runFrom = -1;
    let position = 0;
    while (position < data.length) {
      const blockEnd = Math.min(data.length, position + blockBytes - ((start + position) % blockBytes));
      const block = data.subarray(position, blockEnd);
      const zero = block.length === blockBytes ? block.equals(zeroBlock) : block.equals(zeroBlock.subarray(0, block.length));
      if (zero) {
        if (runFrom >= 0) runs.push({ at: start + runFrom, from: runFrom, to: position });
        runFrom = -1;
        if (!options.diskReadsZero) {
          // Keep zero ranges ordered with the data runs around them: write pending data runs first.
          launched = (await writeRuns(data, runs)) || launched;
          runs.length = 0;
          await zeroDisk(start + position, start + blockEnd);
        }
      } else if (runFrom < 0) {
        runFrom = position;
      }
      position = blockEnd;
    }
    if (runFrom >= 0) runs.push({ at: start + runFrom, from: runFrom, to: data.length });
    launched = (await writeRuns(data, runs)) || launched;
    batchLength = 0;
    // A write launched from this batch now owns its buffer: queue it and fill another one. A batch of only zeros
    // launched nothing and is reused as it is.
    if (launched) {
      queued.push({ buffer: batch, written: lastWrite });
      batch = await nextBatchBuffer();
    }
  }

  /** Queues one positional write per data run, after the writes before; true when a write now reads `data`. */
  async function writeRuns(data: Buffer, runs: { at: number; from: number; to: number }[]): Promise<boolean> {
    if (runs.length === 0) return false;
    await flushZero();
    const writes = runs.map((run) => ({ at: run.at, bytes: data.subarray(run.from, run.to) }));
    for (const write of writes) bytesWritten += write.bytes.length;
    const previous = lastWrite;
    lastWrite = (async () => {
      await previous;
      for (const write of writes) await disk.writeAt(write.at, write.bytes);
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

    async zero(offset: number, length: number): Promise<void> {
      // Nothing to do on a disk that already reads zero; keep the current batch growing.
      if (options.diskReadsZero) return;
      await flushBatch();
      await zeroDisk(offset, offset + length);
    },

    async flush(): Promise<void> {
      await flushBatch();
      await flushZero();
      await waitInFlight();
    },
  };
}
