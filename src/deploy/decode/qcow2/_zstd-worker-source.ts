/**
 * The zstd worker's code, run with `new Worker(source, { eval: true })` (no TypeScript loader is needed in the
 * worker; see src/deploy/digest/_hash-worker-source.ts for why). The worker decodes with the first of these that
 * works in it: native libzstd, the addon at the path `workerData.native` (_zstd-native-addon.ts), when not null;
 * libzstd compiled to WebAssembly, the module `workerData.wasm` (_zstd-wasm-module.ts), when not null; else fzstd,
 * imported from `workerData.fzstd`, the URL of its ES module resolved by the main thread.
 *
 * Message `{ id, input, output, lengths, clusterSize }` (input and output transferred): a batch of frames one
 * after the other in `input`, `lengths[i]` bytes each. Decodes each frame into at most one cluster, as
 * decompressZstdCluster() does, and answers `{ id, clusters, made, input }`: `clusters` (transferred) is `output`
 * (at least lengths.length × clusterSize bytes) and holds cluster i at i × clusterSize, `made[i]` is 1 when frame i
 * made exactly one cluster, else 0: the main thread then decodes that cluster itself, so that every refusal has
 * its canonical reason. `input` goes back (transferred) for the next batch.
 *
 * Native libzstd: one decompression context for the life of the worker; ZSTD_decompressDCtx() (DCtx.decompress())
 * reads the frame where it is in `input` and writes straight into the cluster's place in `output`, no copy either
 * way. It throws on any zstd error, and an output area of exactly one cluster makes a frame of more fail
 * (dstSize_tooSmall) rather than be cut, as below.
 *
 * libzstd (WebAssembly): one decompression context for the life of the worker and fixed input and output areas in
 * its memory, so a cluster costs no allocation there. ZSTD_decompress_usingDict() into an output area of exactly
 * one cluster fails (dstSize_tooSmall) rather than write past it, and needs no window buffer: memory stays bounded
 * whatever the frame header asks for. The module's imports are emscripten's runtime hooks; only the heap growth is
 * ever called (the exports are minified: n = ZSTD_createDCtx, q = ZSTD_decompress_usingDict, h = ZSTD_isError,
 * s = malloc, t = free, f = memory, g = the static constructors; see the package's dist/common/zstd.js).
 */
export const zstdWorkerSource = `
import('node:worker_threads').then(async ({ parentPort, workerData }) => {
  let decode = null;
  if (workerData.native !== null) {
    // An addon that loaded on the main thread but cannot here leaves the WebAssembly to do the work.
    try {
      const addon = { exports: {} };
      process.dlopen(addon, workerData.native);
      const context = new addon.exports.DCtx();
      decode = (frame, clusterSize, into) => context.decompress(into, frame) === clusterSize;
    } catch {
      decode = null;
    }
  }
  if (decode === null && workerData.wasm !== null) {
    // A module that compiled on the main thread but cannot be instantiated here leaves fzstd to do the work.
    try {
      let memory = null;
      const refuse = () => { throw new Error('zstd wasm: unexpected runtime call'); };
      const growHeap = (requested) => {
        try {
          memory.grow(Math.ceil((requested - memory.buffer.byteLength) / 65536));
          return 1;
        } catch {
          return 0;
        }
      };
      const instance = new WebAssembly.Instance(workerData.wasm, { a: { a: refuse, b: () => {}, c: refuse, d: refuse, e: growHeap } });
      const zstd = instance.exports;
      memory = zstd.f;
      zstd.g();
      const context = zstd.n();
      let input = 0;
      let inputCapacity = 0;
      let output = 0;
      let outputCapacity = 0;
      decode = (frame, clusterSize, into) => {
        if (frame.length > inputCapacity) {
          if (input !== 0) zstd.t(input);
          inputCapacity = Math.max(frame.length, 256 * 1024);
          input = zstd.s(inputCapacity);
        }
        if (clusterSize > outputCapacity) {
          if (output !== 0) zstd.t(output);
          outputCapacity = clusterSize;
          output = zstd.s(outputCapacity);
        }
        if (input === 0 || output === 0) throw new Error('zstd wasm: out of memory');
        new Uint8Array(memory.buffer, input, frame.length).set(frame);
        const produced = zstd.q(context, output, clusterSize, input, frame.length, 0, 0) >>> 0;
        if (zstd.h(produced) !== 0 || produced !== clusterSize) return false;
        into.set(new Uint8Array(memory.buffer, output, clusterSize));
        return true;
      };
    } catch {
      decode = null;
    }
  }
  if (decode === null) {
    const { Decompress } = await import(workerData.fzstd);
    decode = (frame, clusterSize, out) => {
      let produced = 0;
      const decoder = new Decompress((chunk) => {
        if (produced + chunk.length > clusterSize) throw new RangeError('more than one cluster');
        out.set(chunk, produced);
        produced += chunk.length;
      });
      decoder.push(frame, true);
      return produced === clusterSize;
    };
  }
  parentPort.on('message', ({ id, input, output, lengths, clusterSize }) => {
    // Reused, not cleared: a cluster is read only when made[i] is 1, that is when all its bytes were written.
    const clusters = new Uint8Array(output);
    const made = new Uint8Array(lengths.length);
    let at = 0;
    for (let i = 0; i < lengths.length; i++) {
      const frame = new Uint8Array(input, at, lengths[i]);
      at += lengths[i];
      try {
        if (decode(frame, clusterSize, clusters.subarray(i * clusterSize, (i + 1) * clusterSize))) made[i] = 1;
      } catch {
        made[i] = 0;
      }
    }
    parentPort.postMessage({ id, clusters: clusters.buffer, made, input }, [clusters.buffer, input]);
  });
});
`;
