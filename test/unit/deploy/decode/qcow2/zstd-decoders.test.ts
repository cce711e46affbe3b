import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { zstdCluster } from '../../../../../src/deploy/decode/qcow2/_zstd-cluster.ts';
import { loadZstdNativeAddon } from '../../../../../src/deploy/decode/qcow2/_zstd-native-addon.ts';
import type { CompiledWasm } from '../../../../../src/deploy/decode/qcow2/_zstd-wasm-module.ts';
import { createZstdWorkerPool, type ZstdDecoderName, type ZstdWorkers } from '../../../../../src/deploy/decode/qcow2/_zstd-worker-pool.ts';
import { needTools, tempDir } from '../../../../helpers/tools.ts';
import { concatBytes, sampleBytes, zstdCompress } from '../../../../fixtures/zstd-fixtures.ts';
import { convertToQcow2, lazyPatternFiles, qemuImgInfo } from '../../../../fixtures/qcow2-fixtures.ts';
import { decodeToDisk, fixedChunks, MiB } from './_decoder-harness.ts';
import { assertDiskMatchesQemu } from './_qemu-oracle.ts';

// The three zstd decoders the workers can run, native libzstd (zstd-napi, the default), libzstd compiled to
// WebAssembly (when the addon cannot load) and fzstd (when neither can), on the same frames and on the same
// `qemu-img convert -c -o compression_type=zstd` image, against qemu-img.

const dir = tempDir({ after }, 'byoi-qcow2-zstd-decoders-');
const { pattern } = lazyPatternFiles(dir);
const decoders: readonly ZstdDecoderName[] = ['libzstd-native', 'libzstd-wasm', 'fzstd'];

test('the native libzstd addon (zstd-napi) loads here, as npm install builds it', () => {
  assert.deepEqual(Object.keys(loadZstdNativeAddon()), ['path']);
});

test('createZstdWorkerPool() runs native libzstd unless told to run its WebAssembly or fzstd', () => {
  const pools = [createZstdWorkerPool(), ...decoders.map((decoder) => createZstdWorkerPool({ decoder }))];
  try {
    assert.deepEqual(
      pools.map((pool) => pool.decoder),
      ['libzstd-native', ...decoders],
    );
  } finally {
    for (const pool of pools) pool.close();
  }
});

test('createZstdWorkerPool() falls back to the WebAssembly, then to fzstd, when the addon or the module cannot load', () => {
  const noWasm = createZstdWorkerPool({ native: { path: null, reason: 'test' }, wasm: { module: null, reason: 'test' } });
  const noNative = createZstdWorkerPool({ native: { path: null, reason: 'test' } });
  try {
    assert.equal(noNative.decoder, 'libzstd-wasm');
    assert.equal(noWasm.decoder, 'fzstd');
  } finally {
    noNative.close();
    noWasm.close();
  }
});

test('the native, WebAssembly and fzstd workers make the same clusters of the same frames, and refuse the same broken ones', async (t) => {
  if (!needTools(t, 'zstd')) return;
  // Frames as qemu writes them (content size, no checksum), made by the zstd tool at a few levels and sizes.
  const clusters = Array.from({ length: 40 }, (_, i) => sampleBytes(65536, 3 + 2 * i));
  clusters.push(new Uint8Array(65536), sampleBytes(65536, 1).fill(7, 1000, 60000));
  const frames: Array<{ name: string; frame: Uint8Array; clusterSize: number; cluster: Uint8Array | null }> = clusters.map((cluster, i) => ({
    name: `cluster ${i}`,
    frame: zstdCompress(cluster, '--no-check', `-${1 + (i % 19)}`),
    clusterSize: 65536,
    cluster,
  }));
  const big = sampleBytes(2 * MiB, 5);
  frames.push({ name: 'a 2 MiB cluster', frame: zstdCompress(big, '--no-check'), clusterSize: 2 * MiB, cluster: big });
  const small = sampleBytes(512, 7);
  frames.push({ name: 'a 512-byte cluster', frame: zstdCompress(small, '--no-check'), clusterSize: 512, cluster: small });
  // Broken frames whose header still says one cluster: blocks flipped at a few strides, cut, a frame of more than
  // its header says. The workers must refuse each (the main thread then gives the canonical error).
  const cluster = clusters[0] as Uint8Array;
  const honest = zstdCompress(cluster, '--no-check');
  for (const stride of [7, 31, 97, 251]) {
    const corrupt = honest.slice();
    for (let i = 12; i < corrupt.length; i += stride) corrupt[i] = (corrupt[i] as number) ^ 0x5a;
    frames.push({ name: `blocks flipped every ${stride} bytes`, frame: corrupt, clusterSize: 65536, cluster: null });
  }
  frames.push({ name: 'a cut frame', frame: honest.subarray(0, honest.length - 10), clusterSize: 65536, cluster: null });
  const lying = zstdCompress(concatBytes(cluster, cluster.subarray(0, 100)), '--no-check');
  if (lying[4] === honest[4]) {
    const forged = lying.slice();
    forged.set(honest.subarray(5, 7), 5);
    frames.push({ name: 'a frame whose size is a lie', frame: forged, clusterSize: 65536, cluster: null });
  }

  const results = new Map<ZstdDecoderName, Array<Uint8Array | null>>();
  const errors = new Map<ZstdDecoderName, string[]>();
  for (const decoder of decoders) {
    const pool: ZstdWorkers = createZstdWorkerPool({ workers: 2, decoder });
    try {
      assert.equal(pool.decoder, decoder);
      // What the workers made (null: refused), all in flight together as a deploy sends them.
      results.set(decoder, await Promise.all(frames.map(({ frame, clusterSize }) => pool.decode(frame, clusterSize))));
      // And what a deploy gets: the cluster, or the canonical error.
      const outcomes: string[] = [];
      for (const { frame, clusterSize } of frames) {
        try {
          const made = await zstdCluster(pool, frame.slice(), clusterSize);
          outcomes.push(`${made.length} bytes`);
        } catch (error) {
          const { code, message } = error as { code: string; message: string };
          outcomes.push(`${code}: ${message}`);
        }
      }
      errors.set(decoder, outcomes);
    } finally {
      pool.close();
    }
  }
  for (const decoder of decoders) {
    const made = results.get(decoder) ?? [];
    frames.forEach(({ name, cluster }, i) => {
      // fzstd stops at the size the header gives: the lie is cut to one cluster, as the canonical decoder (fzstd
      // too) does on the main thread, where libzstd's refusal sends it. Through zstdCluster() all three agree.
      if (decoder === 'fzstd' && name === 'a frame whose size is a lie') return;
      if (cluster === null) assert.equal(made[i], null, `${decoder}: ${name} refused`);
      else assert.deepEqual(made[i], cluster, `${decoder}: ${name}`);
    });
    assert.deepEqual(errors.get(decoder), errors.get('libzstd-wasm'), `${decoder}: the same clusters and errors through zstdCluster()`);
  }
  // The broken frames give BYOI_IMAGE_INVALID, the same whichever decoder ran (but the lie, cut as said above).
  const outcomes = errors.get('libzstd-native') ?? [];
  frames.forEach(({ name, cluster }, i) => {
    if (cluster === null && name !== 'a frame whose size is a lie') assert.match(outcomes[i] as string, /^BYOI_IMAGE_INVALID: /, name);
  });
});

test('createQcow2Decoder() decodes a qemu-img zstd image identically with native libzstd, its WebAssembly and fzstd', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const path = convertToQcow2(dir, pattern(), 'zstd-all', 'compression_type=zstd', true);
  assert.equal(qemuImgInfo(path)['format-specific']?.data['compression-type'], 'zstd');
  const image = new Uint8Array(readFileSync(path));
  const virtualSize = qemuImgInfo(path)['virtual-size'];
  for (const zstdDecoder of decoders) {
    const { decoder, diskPath } = await decodeToDisk(dir, image, virtualSize, { chunking: fixedChunks(MiB), zstdDecoder });
    assert.equal(decoder.stats.zstdDecoder, zstdDecoder);
    assertDiskMatchesQemu(diskPath, path, dir, zstdDecoder);
  }
});

test('createQcow2Decoder() decodes zstd clusters with native libzstd by default', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const path = convertToQcow2(dir, pattern(), 'zstd-default', 'compression_type=zstd', true);
  const { decoder, diskPath } = await decodeToDisk(dir, new Uint8Array(readFileSync(path)), qemuImgInfo(path)['virtual-size'], { chunking: fixedChunks(MiB) });
  assert.equal(decoder.stats.zstdDecoder, 'libzstd-native');
  assertDiskMatchesQemu(diskPath, path, dir, 'default');
});

test('createZstdWorkerPool() workers run the WebAssembly when the addon cannot be opened there', async (t) => {
  if (!needTools(t, 'zstd')) return;
  // A path that is no addon: the main thread was told it loads, the worker's dlopen fails, the WebAssembly decodes.
  const pool = createZstdWorkerPool({ workers: 1, native: { path: new URL(import.meta.url).pathname } });
  try {
    const cluster = sampleBytes(65536, 43);
    // Not null: the worker itself decoded the frame, not the main thread's fallback.
    assert.deepEqual(await pool.decode(zstdCompress(cluster), 65536), cluster);
  } finally {
    pool.close();
  }
});

test('createZstdWorkerPool() workers run fzstd when the WebAssembly module cannot be instantiated', async (t) => {
  if (!needTools(t, 'zstd')) return;
  // An empty module compiles and instantiates, but has none of libzstd's exports: the workers fall back to fzstd.
  const empty = new (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => CompiledWasm } }).WebAssembly.Module(
    new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
  );
  const pool = createZstdWorkerPool({ workers: 1, decoder: 'libzstd-wasm', wasm: { module: empty } });
  try {
    const cluster = sampleBytes(65536, 41);
    // Not null: the worker itself decoded the frame (with fzstd), not the main thread's fallback.
    assert.deepEqual(await pool.decode(zstdCompress(cluster), 65536), cluster);
  } finally {
    pool.close();
  }
});
