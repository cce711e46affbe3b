import { availableParallelism } from 'node:os';
import { debuglog } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadZstdWasmModule } from './_zstd-wasm-module.ts';
import { zstdWorkerSource } from './_zstd-worker-source.ts';

/** What decodes the frames: libzstd compiled to WebAssembly, or fzstd (JavaScript), the fallback. */
export type ZstdDecoderName = 'libzstd-wasm' | 'fzstd';

/** Worker threads that decode single zstd frames, beside the download and the decoding on the main thread. */
export interface ZstdWorkerPool {
  /**
   * Decodes one frame (see singleZstdFrameLength()) into one cluster, or resolves null when the worker could not
   * make exactly one cluster of it, or is gone: the caller then decodes on its own thread. Never rejects.
   * `frame` is transferred: the caller must not use it afterwards.
   */
  decode(frame: Uint8Array, clusterSize: number): Promise<Uint8Array | null>;
  /** Ends the workers; later decode() calls resolve null. */
  close(): void;
}

/** The pool createZstdWorkerPool() makes, which also says what its workers run. */
export interface ZstdWorkers extends ZstdWorkerPool {
  readonly decoder: ZstdDecoderName;
}

export interface ZstdWorkerPoolOptions {
  /** @default the number of CPUs, at most 4 */
  workers?: number;
  /** Workers end after this long without work (the pool starts them again when needed). @default 1000 */
  idleMs?: number;
  /** The decoder to run; libzstd falls back to fzstd when its WebAssembly module cannot load. @default 'libzstd-wasm' */
  decoder?: ZstdDecoderName;
}

interface Slot {
  worker: Worker;
  pending: Map<number, (cluster: Uint8Array | null) => void>;
}

const fzstdUrl = import.meta.resolve('fzstd');
/** NODE_DEBUG=byoi prints which zstd decoder a deploy ran. */
const debug = debuglog('byoi');

/**
 * A small pool of zstd workers, started on the first frame. A worker takes the frames in the order sent and
 * answers each; frames go to the least busy worker. Workers hold the process open only while they have work, and
 * end after `idleMs` without any, so a decoder that is abandoned (a failed deploy) leaves nothing running.
 */
export function createZstdWorkerPool(options: ZstdWorkerPoolOptions = {}): ZstdWorkers {
  const size = options.workers ?? Math.min(4, availableParallelism());
  const idleMs = options.idleMs ?? 1000;
  const wasm = options.decoder === 'fzstd' ? null : loadZstdWasmModule();
  const decoder: ZstdDecoderName = wasm?.module ? 'libzstd-wasm' : 'fzstd';
  if (wasm !== null && wasm.module === null) debug('qcow2 zstd: libzstd (WebAssembly) could not load (%s); using fzstd', wasm.reason);
  else debug('qcow2 zstd: decoding with %s on up to %d workers', decoder, size);
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;
  let idleTimer: NodeJS.Timeout | null = null;

  function endSlot(slot: Slot): void {
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    for (const resolve of slot.pending.values()) resolve(null);
    slot.pending.clear();
    void slot.worker.terminate();
  }

  function startSlot(): Slot {
    const worker = new Worker(zstdWorkerSource, { eval: true, workerData: { fzstd: fzstdUrl, wasm: wasm?.module ?? null } });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', ({ id, cluster }: { id: number; cluster: ArrayBuffer | null }) => {
      const resolve = slot.pending.get(id);
      slot.pending.delete(id);
      if (slot.pending.size === 0) worker.unref();
      resolve?.(cluster === null ? null : new Uint8Array(cluster));
      armIdleTimer();
    });
    // A worker that fails or exits answers null to what it held: those clusters are decoded on the main thread.
    worker.on('error', () => endSlot(slot));
    worker.on('exit', () => endSlot(slot));
    slots.push(slot);
    return slot;
  }

  function armIdleTimer(): void {
    if (slots.some((slot) => slot.pending.size > 0)) return;
    idleTimer ??= setTimeout(() => {
      idleTimer = null;
      if (slots.every((slot) => slot.pending.size === 0)) for (const slot of [...slots]) endSlot(slot);
    }, idleMs);
    idleTimer.unref();
  }

  return {
    decoder,

    decode(frame: Uint8Array, clusterSize: number): Promise<Uint8Array | null> {
      if (closed) return Promise.resolve(null);
      if (idleTimer !== null) {
        clearTimeout(idleTimer);
        idleTimer = null;
      }
      let slot = slots.reduce<Slot | null>((best, candidate) => (best === null || candidate.pending.size < best.pending.size ? candidate : best), null);
      if (slot === null || (slot.pending.size > 0 && slots.length < size)) slot = startSlot();
      const chosen = slot;
      const id = nextId++;
      return new Promise((resolve) => {
        chosen.pending.set(id, resolve);
        chosen.worker.ref();
        const buffer = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? frame.buffer : frame.slice().buffer;
        chosen.worker.postMessage({ id, frame: buffer, clusterSize }, [buffer as ArrayBuffer]);
      });
    },

    close(): void {
      closed = true;
      if (idleTimer !== null) clearTimeout(idleTimer);
      idleTimer = null;
      for (const slot of [...slots]) endSlot(slot);
    },
  };
}
