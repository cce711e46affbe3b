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
}

const defaultBlockBytes = 64 * 1024;
const defaultBatchBytes = 8 * 1024 * 1024;

/**
 * Batches contiguous writes into large positional writes, skips (or zeroes) blocks of zeros, and keeps one
 * write in flight while the next batch fills, so the download and the disk work at the same time.
 */
export function createImageWriter(disk: DiskIO, options: ImageWriterOptions): ImageWriter {
  const blockBytes = options.blockBytes ?? defaultBlockBytes;
  const batchBytes = options.batchBytes ?? defaultBatchBytes;
  const zeroBlock = Buffer.alloc(blockBytes);

  let batch = Buffer.allocUnsafe(batchBytes);
  let spare = Buffer.allocUnsafe(batchBytes);
  let batchStart = 0;
  let batchLength = 0;
  let inFlight: Promise<void> | null = null;
  let pendingZero: { start: number; end: number } | null = null;
  let bytesWritten = 0;

  async function waitInFlight(): Promise<void> {
    if (inFlight) {
      const current = inFlight;
      inFlight = null;
      await current;
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
    // A write launched from this batch now owns its buffer: fill the spare one next (launching waited for the
    // older write, so the spare is free). A batch of only zeros launched nothing and is reused as it is; swapping
    // then would hand out a buffer an older write may still be reading.
    if (launched) [batch, spare] = [spare, batch];
    batchLength = 0;
  }

  /** Starts one positional write per data run; true when a write now reads from `data`. */
  async function writeRuns(data: Buffer, runs: { at: number; from: number; to: number }[]): Promise<boolean> {
    if (runs.length === 0) return false;
    await flushZero();
    await waitInFlight();
    const writes = runs.map((run) => ({ at: run.at, bytes: data.subarray(run.from, run.to) }));
    for (const write of writes) bytesWritten += write.bytes.length;
    inFlight = (async () => {
      for (const write of writes) await disk.writeAt(write.at, write.bytes);
    })();
    // Surface a failed write at the next await instead of as an unhandled rejection.
    inFlight.catch(() => undefined);
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
        // The buffer being filled is never the one an in-flight write reads: flushBatch swaps them and waits
        // for the older write before starting a new one.
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
