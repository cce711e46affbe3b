import { fileURLToPath } from 'node:url';

/**
 * Native libzstd: the Node-API addon that the zstd-napi package builds at `npm install` (node-gyp, from the libzstd
 * sources the package carries: -O3, with libzstd's x86-64 assembly Huffman decoder), as a file path that the zstd
 * workers open themselves (a Node-API addon loads in any thread); or why it could not be loaded here, in which case
 * the workers run libzstd's WebAssembly (about 2.5 times slower a thread).
 */
export type ZstdNativeAddon = { path: string } | { path: null; reason: string };

/** The part of zstd-napi's binding the workers use. */
interface ZstdBinding {
  DCtx: new () => { decompress(into: Uint8Array, frame: Uint8Array): number };
}

let loaded: ZstdNativeAddon | null = null;

/**
 * Finds the addon beside zstd-napi's package.json and opens it once per process on this thread (a missing build, a
 * binary for another platform or Node-API version fails here rather than in every worker). Found by resolution,
 * so it works from the checkout, from the benchmark's bundle and from the rescue agent, which ships the package's
 * package.json and build/Release/binding.node beside agent.mjs (src/lab/rescue/bundle-rescue-agent.ts). Never
 * throws: a missing or broken addon gives the reason instead.
 */
export function loadZstdNativeAddon(): ZstdNativeAddon {
  if (loaded !== null) return loaded;
  try {
    const path = fileURLToPath(new URL('build/Release/binding.node', import.meta.resolve('zstd-napi/package.json')));
    const addon = { exports: {} as ZstdBinding };
    process.dlopen(addon, path);
    // One context made and a frame of nothing decoded: the binding works, not only loads.
    const empty = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00]);
    if (new addon.exports.DCtx().decompress(new Uint8Array(1), empty) !== 0) throw new Error('zstd-napi decoded an empty frame into bytes');
    loaded = { path };
  } catch (error) {
    loaded = { path: null, reason: error instanceof Error ? error.message : String(error) };
  }
  return loaded;
}
