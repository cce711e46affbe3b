import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import type { CompiledWasm } from '../../../../../src/deploy/decode/qcow2/_zstd-wasm-module.ts';
import { createZstdWorkerPool } from '../../../../../src/deploy/decode/qcow2/_zstd-worker-pool.ts';
import { needTools, tempDir } from '../../../../helpers/tools.ts';
import { sampleBytes, zstdCompress } from '../../../../fixtures/zstd-fixtures.ts';
import { convertToQcow2, lazyPatternFiles, qemuImgInfo } from '../../../../fixtures/qcow2-fixtures.ts';
import { decodeToDisk, fixedChunks, MiB } from './_decoder-harness.ts';
import { assertDiskMatchesQemu } from './_qemu-oracle.ts';

// The two zstd decoders the workers can run, libzstd (WebAssembly, the default) and fzstd (the fallback when the
// WebAssembly cannot load), on the same `qemu-img convert -c -o compression_type=zstd` image, against qemu-img.

const dir = tempDir({ after }, 'byoi-qcow2-zstd-decoders-');
const { pattern } = lazyPatternFiles(dir);

test('createZstdWorkerPool() runs libzstd (WebAssembly) unless told to run fzstd', () => {
  const wasm = createZstdWorkerPool();
  const fallback = createZstdWorkerPool({ decoder: 'fzstd' });
  try {
    assert.equal(wasm.decoder, 'libzstd-wasm');
    assert.equal(fallback.decoder, 'fzstd');
  } finally {
    wasm.close();
    fallback.close();
  }
});

test('createQcow2Decoder() decodes a qemu-img zstd image identically with libzstd and with fzstd', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const path = convertToQcow2(dir, pattern(), 'zstd-both', 'compression_type=zstd', true);
  assert.equal(qemuImgInfo(path)['format-specific']?.data['compression-type'], 'zstd');
  const image = new Uint8Array(readFileSync(path));
  const virtualSize = qemuImgInfo(path)['virtual-size'];
  for (const zstdDecoder of ['libzstd-wasm', 'fzstd'] as const) {
    const { decoder, diskPath } = await decodeToDisk(dir, image, virtualSize, { chunking: fixedChunks(MiB), zstdDecoder });
    assert.equal(decoder.stats.zstdDecoder, zstdDecoder);
    assertDiskMatchesQemu(diskPath, path, dir, zstdDecoder);
  }
});

test('createZstdWorkerPool() workers run fzstd when the WebAssembly module cannot be instantiated', async (t) => {
  if (!needTools(t, 'zstd')) return;
  // An empty module compiles and instantiates, but has none of libzstd's exports: the workers fall back to fzstd.
  const empty = new (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => CompiledWasm } }).WebAssembly.Module(
    new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
  );
  const pool = createZstdWorkerPool({ workers: 1, wasm: { module: empty } });
  try {
    const cluster = sampleBytes(65536, 41);
    // Not null: the worker itself decoded the frame (with fzstd), not the main thread's fallback.
    assert.deepEqual(await pool.decode(zstdCompress(cluster), 65536), cluster);
  } finally {
    pool.close();
  }
});
