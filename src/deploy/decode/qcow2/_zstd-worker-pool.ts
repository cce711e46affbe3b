import { availableParallelism } from 'node:os';
import { debuglog } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadZstdNativeAddon, type ZstdNativeAddon } from './_zstd-native-addon.ts';
import { loadZstdWasmModule, type ZstdWasmModule } from './_zstd-wasm-module.ts';
import { zstdWorkerSource } from './_zstd-worker-source.ts';

/**
 * What decodes the frames: native libzstd (the zstd-napi addon), else libzstd compiled to WebAssembly, else fzstd
 * (JavaScript), the fallbacks in that order.
 */
export type ZstdDecoderName = 'libzstd-native' | 'libzstd-wasm' | 'fzstd';

/** Worker threads that decode single zstd frames, beside the download and the decoding on the main thread. */
export interface ZstdWorkerPool {
  /**
   * Decodes one frame (see singleZstdFrameLength()) into one cluster, or resolves null when the worker could not
   * make exactly one cluster of it, or is gone: the caller then decodes on its own thread. Never rejects. `frame`
   * is copied before this returns. Frames asked for in the same turn of the event loop go to a worker together
   * (one message each way per batch), and their clusters are views of one buffer.
   */
  decode(frame: Uint8Array, clusterSize: number): Promise<Uint8Array | null>;
  /**
   * Says a cluster from decode() will not be read again, so that its batch's buffer can take a later batch once
   * all of its clusters are released (a cluster never released only keeps its buffer from being reused). Release
   * each cluster once at most; a cluster the pool did not make is ignored.
   */
  release(cluster: Uint8Array): void;
  /** Ends the workers; later decode() calls resolve null. */
  close(): void;
}

/** The pool createZstdWorkerPool() makes, which also says what its workers run. */
export interface ZstdWorkers extends ZstdWorkerPool {
  readonly decoder: ZstdDecoderName;
}

export interface ZstdWorkerPoolOptions {
  /**
   * @default with native libzstd, one CPU fewer than there are (at least 1, at most 4): a worker then decodes
   * about as fast as the main thread feeds it, and the main thread needs a CPU of its own; with the slower
   * WebAssembly or fzstd, one per CPU, at most 4
   */
  workers?: number;
  /** Workers end after this long without work (the pool starts them again when needed). @default 1000 */
  idleMs?: number;
  /** Frames sent in one message at most. @default 32 */
  batchFrames?: number;
  /**
   * The decoder to run, or the first of its fallbacks that loads: native libzstd, then its WebAssembly, then
   * fzstd. @default 'libzstd-native'
   */
  decoder?: ZstdDecoderName;
  /** The native addon, for 'libzstd-native'. @default loadZstdNativeAddon() */
  native?: ZstdNativeAddon;
  /** libzstd's compiled module, for 'libzstd-native' and 'libzstd-wasm'. @default loadZstdWasmModule() */
  wasm?: ZstdWasmModule;
}

interface Batch {
  clusterSize: number;
  input: Uint8Array;
  used: number;
  lengths: number[];
  resolvers: Array<(cluster: Uint8Array | null) => void>;
}

/** A batch's output buffer while its clusters are out: reused once none is left. */
interface Output {
  clustersOut: number;
}

interface Slot {
  worker: Worker;
  /** Batches sent and not answered yet, by id. */
  pending: Map<number, Batch>;
}

const fzstdUrl = import.meta.resolve('fzstd');
/** NODE_DEBUG=byoi prints which zstd decoder a deploy ran. */
const debug = debuglog('byoi');
/** Input bytes a batch is made for (a frame larger than this gets a batch of its own). */
const BATCH_INPUT_BYTES = 1024 * 1024;
/**
 * Batch buffers kept for reuse, of each kind (input, output). Reusing them instead of allocating 3 MiB per batch
 * spares the page faults of fresh memory and the garbage collections that external memory triggers (about 20
 * full ones per GiB of zstd clusters).
 */
const MAX_SPARE_BUFFERS = 4;
/**
 * Bytes of spare output buffers kept. The image writer holds clusters until the disk has them (ImageWriter.lend),
 * so a dozen or more outputs are out at once; keeping this many spare spares their allocation too.
 */
const MAX_SPARE_OUTPUT_BYTES = 32 * 1024 * 1024;
/** An output buffer is made at least this large (or a full batch of clusters, if less), so any batch can reuse it. */
const MIN_OUTPUT_BYTES = 2 * 1024 * 1024;

/**
 * A small pool of zstd workers, started on the first frame. Frames are gathered into a batch until the end of the
 * current turn of the event loop (or `batchFrames`, or 1 MiB of input): one message per batch instead of one per
 * cluster, since a message and the buffers it carries cost the main thread about as much as decoding a cluster
 * costs a worker. A worker answers its batches in order; batches go to the least busy worker. Workers hold the
 * process open only while they have work, and end after `idleMs` without any, so a decoder that is abandoned (a
 * failed deploy) leaves nothing running.
 */
export function createZstdWorkerPool(options: ZstdWorkerPoolOptions = {}): ZstdWorkers {
  const idleMs = options.idleMs ?? 1000;
  const batchFrames = options.batchFrames ?? 32;
  const asked = options.decoder ?? 'libzstd-native';
  const native = asked === 'libzstd-native' ? (options.native ?? loadZstdNativeAddon()) : null;
  if (native !== null && native.path === null) debug('qcow2 zstd: native libzstd (zstd-napi) could not load (%s); trying its WebAssembly', native.reason);
  // Compiled even when the native addon loaded (a few milliseconds): a worker that cannot open the addon runs it.
  const wasm = asked === 'fzstd' ? null : (options.wasm ?? loadZstdWasmModule());
  if (wasm !== null && wasm.module === null) debug('qcow2 zstd: libzstd (WebAssembly) could not load (%s); using fzstd', wasm.reason);
  const decoder: ZstdDecoderName = native?.path ? 'libzstd-native' : wasm?.module ? 'libzstd-wasm' : 'fzstd';
  const cpus = availableParallelism();
  const size = options.workers ?? (decoder === 'libzstd-native' ? Math.max(1, Math.min(4, cpus - 1)) : Math.min(4, cpus));
  debug('qcow2 zstd: decoding with %s on up to %d workers', decoder, size);
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;
  let idleTimer: NodeJS.Timeout | null = null;
  let open: Batch | null = null;
  let sendScheduled = false;
  const spareInputs: ArrayBuffer[] = [];
  const spareOutputs: ArrayBuffer[] = [];
  let spareOutputBytes = 0;
  /** Output buffers whose clusters are out, by buffer. */
  const outputs = new Map<ArrayBuffer, Output>();

  function keepSpare(spares: ArrayBuffer[], buffer: ArrayBuffer): void {
    if (spares.length < MAX_SPARE_BUFFERS) spares.push(buffer);
  }

  function keepSpareOutput(buffer: ArrayBuffer): void {
    if (spareOutputBytes + buffer.byteLength > MAX_SPARE_OUTPUT_BYTES) return;
    spareOutputs.push(buffer);
    spareOutputBytes += buffer.byteLength;
  }

  /** A spare output buffer of at least `bytes`, or a new one. */
  function outputBuffer(bytes: number, clusterSize: number): ArrayBuffer {
    const spare = takeSpare(spareOutputs, bytes);
    if (spare !== null) {
      spareOutputBytes -= spare.byteLength;
      return spare;
    }
    return new ArrayBuffer(Math.max(bytes, Math.min(batchFrames * clusterSize, MIN_OUTPUT_BYTES)));
  }

  /** A spare buffer of at least `bytes`, or null. */
  function takeSpare(spares: ArrayBuffer[], bytes: number): ArrayBuffer | null {
    const index = spares.findIndex((spare) => spare.byteLength >= bytes);
    return index < 0 ? null : (spares.splice(index, 1)[0] as ArrayBuffer);
  }

  function endSlot(slot: Slot): void {
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    for (const batch of slot.pending.values()) for (const resolve of batch.resolvers) resolve(null);
    slot.pending.clear();
    void slot.worker.terminate();
  }

  function startSlot(): Slot {
    const worker = new Worker(zstdWorkerSource, { eval: true, workerData: { fzstd: fzstdUrl, native: native?.path ?? null, wasm: wasm?.module ?? null } });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', ({ id, clusters, made, input }: { id: number; clusters: ArrayBuffer; made: Uint8Array; input: ArrayBuffer }) => {
      const batch = slot.pending.get(id);
      slot.pending.delete(id);
      if (slot.pending.size === 0) worker.unref();
      keepSpare(spareInputs, input);
      if (batch !== undefined) {
        const output: Output = { clustersOut: made.reduce((out, one) => out + one, 0) };
        // A batch that made no cluster has nothing out: its buffer is spare at once.
        if (output.clustersOut > 0) outputs.set(clusters, output);
        else keepSpareOutput(clusters);
        batch.resolvers.forEach((resolve, i) => resolve(made[i] === 1 ? new Uint8Array(clusters, i * batch.clusterSize, batch.clusterSize) : null));
      }
      armIdleTimer();
    });
    // A worker that fails or exits answers null to what it held: those clusters are decoded on the main thread.
    worker.on('error', () => endSlot(slot));
    worker.on('exit', () => endSlot(slot));
    slots.push(slot);
    return slot;
  }

  function armIdleTimer(): void {
    if (open !== null || slots.some((slot) => slot.pending.size > 0)) return;
    idleTimer ??= setTimeout(() => {
      idleTimer = null;
      if (open === null && slots.every((slot) => slot.pending.size === 0)) for (const slot of [...slots]) endSlot(slot);
    }, idleMs);
    idleTimer.unref();
  }

  /** Sends the open batch to the least busy worker (a new one while there is room and all are busy). */
  function send(): void {
    const batch = open;
    open = null;
    if (batch === null) return;
    if (closed) {
      for (const resolve of batch.resolvers) resolve(null);
      return;
    }
    let slot = slots.reduce<Slot | null>((best, candidate) => (best === null || candidate.pending.size < best.pending.size ? candidate : best), null);
    if (slot === null || (slot.pending.size > 0 && slots.length < size)) slot = startSlot();
    const id = nextId++;
    slot.pending.set(id, batch);
    slot.worker.ref();
    // The whole buffers are transferred (no copy) and come back with the answer; `lengths` says how much of the
    // input holds frames.
    const input = batch.input.buffer as ArrayBuffer;
    const output = outputBuffer(batch.lengths.length * batch.clusterSize, batch.clusterSize);
    slot.worker.postMessage({ id, input, output, lengths: batch.lengths, clusterSize: batch.clusterSize }, [input, output]);
  }

  /** Counts a cluster of an output buffer back; the buffer is spare once all are back. */
  function release(buffer: ArrayBuffer): void {
    const output = outputs.get(buffer);
    if (output === undefined) return;
    output.clustersOut -= 1;
    if (output.clustersOut > 0) return;
    outputs.delete(buffer);
    keepSpareOutput(buffer);
  }

  function scheduleSend(): void {
    if (sendScheduled) return;
    sendScheduled = true;
    setImmediate(() => {
      sendScheduled = false;
      send();
    });
  }

  return {
    decoder,

    decode(frame: Uint8Array, clusterSize: number): Promise<Uint8Array | null> {
      if (closed) return Promise.resolve(null);
      if (idleTimer !== null) {
        clearTimeout(idleTimer);
        idleTimer = null;
      }
      if (open !== null && (open.clusterSize !== clusterSize || open.used + frame.length > open.input.length)) send();
      if (open === null) {
        // A spare, or a buffer of its own (transferable) not zeroed: only the frames' bytes are read.
        const spare = takeSpare(spareInputs, frame.length);
        const input = spare !== null ? new Uint8Array(spare) : Buffer.allocUnsafeSlow(Math.max(BATCH_INPUT_BYTES, frame.length));
        open = { clusterSize, input, used: 0, lengths: [], resolvers: [] };
      }
      const batch: Batch = open;
      batch.input.set(frame, batch.used);
      batch.used += frame.length;
      batch.lengths.push(frame.length);
      const cluster = new Promise<Uint8Array | null>((resolve) => batch.resolvers.push(resolve));
      if (batch.lengths.length >= batchFrames) send();
      else scheduleSend();
      return cluster;
    },

    release(cluster: Uint8Array): void {
      release(cluster.buffer as ArrayBuffer);
    },

    close(): void {
      closed = true;
      if (idleTimer !== null) clearTimeout(idleTimer);
      idleTimer = null;
      send();
      for (const slot of [...slots]) endSlot(slot);
    },
  };
}
