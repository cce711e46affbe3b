import { readFileSync } from 'node:fs';

/** A compiled WebAssembly module: opaque here, cloned to the workers through workerData. */
export interface CompiledWasm {
  readonly compiled: unique symbol;
}

/** Node's WebAssembly global, typed here: the project compiles without the DOM library, which declares it. */
const wasmApi = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => CompiledWasm } }).WebAssembly;

/**
 * libzstd compiled to WebAssembly (the `zstd.wasm` that @bokuweb/zstd-wasm ships), compiled once on this thread and
 * handed to every zstd worker; or why it could not be, in which case the workers run fzstd (JavaScript, about five
 * times slower).
 */
export type ZstdWasmModule = { module: CompiledWasm } | { module: null; reason: string };

let loaded: ZstdWasmModule | null = null;

/**
 * Finds and compiles libzstd's WebAssembly module, once per process. The file is found beside the package's entry
 * point, so it works from the checkout, from the benchmark's bundle and from the rescue agent, which ships the
 * package beside agent.mjs (src/lab/rescue/bundle-rescue-agent.ts). Never throws: a missing or broken file gives
 * the reason instead.
 */
export function loadZstdWasmModule(): ZstdWasmModule {
  if (loaded !== null) return loaded;
  try {
    const wasmUrl = new URL('zstd.wasm', import.meta.resolve('@bokuweb/zstd-wasm'));
    loaded = { module: new wasmApi.Module(readFileSync(wasmUrl)) };
  } catch (error) {
    loaded = { module: null, reason: error instanceof Error ? error.message : String(error) };
  }
  return loaded;
}
