import { Worker } from 'node:worker_threads';
import type { DigestAlgorithm } from '../source/download-events.ts';
import { hashWorkerSource } from './_hash-worker-source.ts';
import type { RunningHash } from './running-hash.ts';

export interface WorkerHashOptions {
  /** Bytes gathered before one transfer to the worker. @default 2097152 (2 MiB) */
  batchBytes?: number;
  /** Batch buffers at most (one being filled, the others in transfer or being hashed). @default 4 */
  batches?: number;
}

type Reply = { type: 'buffer'; buffer: ArrayBuffer } | { type: 'checkpoint'; digest: Uint8Array } | { type: 'digest'; hex: string };

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

const defaultBatchBytes = 2 * 1024 * 1024;
const defaultBatches = 4;

/**
 * A RunningHash computed on a worker thread, so that hashing runs beside the download, the decoding and the
 * writes instead of taking a third of the JavaScript thread (sha256 at about 0.8-1 GiB/s on one core, against
 * the 0.3-0.6 GiB/s the rest of the deploy needs from that thread).
 *
 * Bytes are copied into batch buffers that are transferred (not copied) to the worker and come back once hashed,
 * so the memory is bounded by `batchBytes × batches`; `update()` waits for a buffer when the worker is behind.
 * Replies come back in order, which is what makes `checkpoint()` equal `Hash.copy().digest()` at that point of
 * the stream. A failed or vanished worker rejects every pending and later call with its error.
 *
 * The worker keeps the process alive only while a call waits for it: an abandoned download cannot hold the
 * process open.
 *
 * @example
 * ```ts
 * const hash = createWorkerHash('sha256');
 * try {
 *   for await (const chunk of body) await hash.update(chunk);
 *   const hex = await hash.digest();
 * } finally {
 *   hash.close();
 * }
 * ```
 */
export function createWorkerHash(algorithm: DigestAlgorithm, options: WorkerHashOptions = {}): RunningHash {
  const batchBytes = options.batchBytes ?? defaultBatchBytes;
  const batches = options.batches ?? defaultBatches;
  if (!Number.isSafeInteger(batchBytes) || batchBytes < 1) {
    throw new RangeError(`Cannot create the worker hash: batchBytes is ${String(batchBytes)}, not a positive integer`);
  }
  if (!Number.isSafeInteger(batches) || batches < 2) {
    throw new RangeError(`Cannot create the worker hash: batches is ${String(batches)}, not an integer of at least 2`);
  }

  const worker = new Worker(hashWorkerSource, { eval: true, workerData: { algorithm } });
  worker.unref();
  const free: ArrayBuffer[] = [];
  let allocated = 0;
  let current: Uint8Array | null = null;
  let filled = 0;
  let bufferWaiter: Pending<void> | null = null;
  const requests: Pending<Reply>[] = [];
  let failure: Error | null = null;

  /** Holds the process open while someone waits for the worker, and only then. */
  function updateRef(): void {
    if (bufferWaiter !== null || requests.length > 0) worker.ref();
    else worker.unref();
  }

  function fail(error: Error): void {
    if (failure !== null) return;
    failure = error;
    bufferWaiter?.reject(error);
    bufferWaiter = null;
    for (const request of requests.splice(0)) request.reject(error);
    void worker.terminate();
  }

  worker.on('message', (reply: Reply) => {
    if (reply.type === 'buffer') {
      free.push(reply.buffer);
      const waiter = bufferWaiter;
      bufferWaiter = null;
      waiter?.resolve();
    } else {
      requests.shift()?.resolve(reply);
    }
    updateRef();
  });
  worker.on('error', (error: Error) => fail(error));
  worker.on('exit', (code) => fail(new Error(`the hash worker exited (code ${code})`)));

  function check(): void {
    if (failure !== null) throw failure;
  }

  async function takeBuffer(): Promise<Uint8Array> {
    if (free.length === 0 && allocated < batches) {
      allocated += 1;
      return new Uint8Array(batchBytes);
    }
    while (free.length === 0) {
      await new Promise<void>((resolve, reject) => {
        bufferWaiter = { resolve, reject };
        updateRef();
      });
    }
    return new Uint8Array(free.pop() as ArrayBuffer);
  }

  /** Transfers the batch being filled, if it holds anything. */
  function send(): void {
    if (current === null || filled === 0) return;
    const buffer = current.buffer as ArrayBuffer;
    worker.postMessage({ type: 'update', buffer, length: filled }, [buffer]);
    current = null;
    filled = 0;
  }

  function ask(type: 'checkpoint' | 'digest'): Promise<Reply> {
    check();
    send();
    return new Promise<Reply>((resolve, reject) => {
      requests.push({ resolve, reject });
      updateRef();
      worker.postMessage({ type });
    });
  }

  return {
    async update(bytes: Uint8Array): Promise<void> {
      check();
      let offset = 0;
      while (offset < bytes.length) {
        if (current === null) {
          current = await takeBuffer();
          check();
        }
        const count = Math.min(bytes.length - offset, batchBytes - filled);
        current.set(bytes.subarray(offset, offset + count), filled);
        filled += count;
        offset += count;
        if (filled === batchBytes) send();
      }
    },

    async lend(): Promise<Uint8Array> {
      check();
      const buffer = await takeBuffer();
      check();
      return buffer;
    },

    hashLent(buffer: Uint8Array, length: number): void {
      check();
      // Bytes given to update() before stay before these.
      send();
      const transferred = buffer.buffer as ArrayBuffer;
      worker.postMessage({ type: 'update', buffer: transferred, length }, [transferred]);
    },

    async checkpoint(): Promise<Uint8Array> {
      const reply = await ask('checkpoint');
      return (reply as { digest: Uint8Array }).digest;
    },

    async digest(): Promise<string> {
      const reply = await ask('digest');
      fail(new Error('Cannot use the worker hash: its digest was taken'));
      return (reply as { hex: string }).hex;
    },

    close(): void {
      fail(new Error('Cannot use the worker hash: it is closed'));
    },
  };
}
