import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { decompressCluster } from '../../../../../src/image/qcow2/decompress-cluster.ts';
import { zstdCluster } from '../../../../../src/deploy/decode/qcow2/_zstd-cluster.ts';
import { createZstdWorkerPool, type ZstdWorkerPool } from '../../../../../src/deploy/decode/qcow2/_zstd-worker-pool.ts';
import { needTools } from '../../../../helpers/tools.ts';
import { concatBytes, sampleBytes, zstdCompress } from '../../../../fixtures/zstd-fixtures.ts';

/** What decompressCluster() gives for `data`: the cluster, or the error's code and message. */
function canonical(data: Uint8Array, clusterSize: number): Uint8Array | { code: string; message: string } {
  try {
    return decompressCluster(data, 1, clusterSize);
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}

async function viaPool(pool: ZstdWorkerPool, data: Uint8Array, clusterSize: number): Promise<Uint8Array | { code: string; message: string }> {
  try {
    return await zstdCluster(pool, data.slice(), clusterSize);
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}

describe('zstdCluster()', () => {
  const pools: ZstdWorkerPool[] = [];
  after(() => {
    for (const pool of pools) pool.close();
  });

  for (const decoder of ['libzstd-native', 'libzstd-wasm', 'fzstd'] as const) {
    it(`zstdCluster() gives the bytes and the errors of decompressCluster() for every kind of input (${decoder})`, async (t) => {
      if (!needTools(t, 'zstd')) return;
      const workers = createZstdWorkerPool({ workers: 2, decoder });
      pools.push(workers);
      assert.equal(workers.decoder, decoder);
      let decodedByWorkers = 0;
      const pool: ZstdWorkerPool = {
        decode: async (frame, clusterSize) => {
          const result = await workers.decode(frame, clusterSize);
          if (result !== null) decodedByWorkers += 1;
          return result;
        },
        release: (cluster) => workers.release(cluster),
        close: () => workers.close(),
      };
      const cluster = sampleBytes(65536, 11);
      const skippable = new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
      const cases: [string, Uint8Array, number][] = [
        ['one frame, as qemu writes it', zstdCompress(cluster), 65536],
        ['one frame and the next cluster after it', concatBytes(zstdCompress(cluster), zstdCompress(sampleBytes(65536, 3))), 65536],
        ['a 2 MiB cluster', zstdCompress(sampleBytes(2 * 1024 * 1024, 5)), 2 * 1024 * 1024],
        ['a 512-byte cluster', zstdCompress(sampleBytes(512, 7)), 512],
        ['two frames', concatBytes(zstdCompress(cluster.subarray(0, 20000)), zstdCompress(cluster.subarray(20000), '--no-content-size')), 65536],
        ['a skippable frame first', concatBytes(skippable, zstdCompress(cluster)), 65536],
        ['no content size', zstdCompress(cluster, '--no-content-size'), 65536],
        ['a frame of two clusters', zstdCompress(concatBytes(cluster, cluster)), 65536],
        ['a frame of two clusters without its size', zstdCompress(concatBytes(cluster, cluster), '--no-content-size'), 65536],
        ['a short frame', zstdCompress(cluster.subarray(0, 1000)), 65536],
        ['a cut frame', zstdCompress(cluster).subarray(0, 50), 65536],
        ['garbage', sampleBytes(512, 3), 65536],
        ['nothing', new Uint8Array(0), 65536],
      ];
      // A frame whose header says one cluster while its blocks hold more: the worker must refuse it as the
      // canonical decoder does, not cut it at one cluster.
      const lying = zstdCompress(concatBytes(cluster, cluster.subarray(0, 100)));
      const honest = zstdCompress(cluster);
      if (lying[4] === honest[4]) {
        const forged = lying.slice();
        forged.set(honest.subarray(5, 5 + 2), 5);
        cases.push(['a frame whose size is a lie', forged, 65536]);
      }
      // Corrupted blocks: bytes flipped inside the compressed data.
      const corrupt = zstdCompress(cluster).slice();
      for (let i = 20; i < corrupt.length - 4; i += 97) corrupt[i] = (corrupt[i] as number) ^ 0x5a;
      cases.push(['corrupted blocks', corrupt, 65536]);
      for (const [name, data, clusterSize] of cases) {
        assert.deepEqual(await viaPool(pool, data, clusterSize), canonical(data, clusterSize), name);
      }
      // At least the qemu-like cases (the first four) went through the workers.
      assert.ok(decodedByWorkers >= 4, `${decodedByWorkers} clusters decoded by the workers`);
    });
  }

  it('zstdCluster() decodes on its own thread when the pool is closed', async (t) => {
    if (!needTools(t, 'zstd')) return;
    const pool = createZstdWorkerPool({ workers: 1 });
    pool.close();
    const cluster = sampleBytes(65536, 23);
    assert.deepEqual(await zstdCluster(pool, zstdCompress(cluster), 65536), cluster);
  });

  it('zstdCluster() keeps many clusters in flight in order', async (t) => {
    if (!needTools(t, 'zstd')) return;
    const pool = createZstdWorkerPool({ workers: 2, idleMs: 20 });
    pools.push(pool);
    const clusters = Array.from({ length: 24 }, (_, i) => sampleBytes(65536, 31 + 2 * i));
    const frames = clusters.map((cluster) => zstdCompress(cluster));
    const results = await Promise.all(frames.map((frame) => zstdCluster(pool, frame, 65536)));
    results.forEach((result, i) => assert.deepEqual(result, clusters[i]));
    // After the idle time the workers are gone; the pool starts them again.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await zstdCluster(pool, frames[0] as Uint8Array, 65536), clusters[0]);
  });

  it('zstdCluster() gives right clusters from batch buffers reused once their clusters are released', async (t) => {
    if (!needTools(t, 'zstd')) return;
    const pool = createZstdWorkerPool({ workers: 2, batchFrames: 4 });
    pools.push(pool);
    const clusters = Array.from({ length: 12 }, (_, i) => sampleBytes(65536, 71 + 2 * i));
    const frames = clusters.map((cluster) => zstdCompress(cluster));
    // Rounds of batches: each round's buffers come back released and take the next round's clusters.
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all(frames.map((frame) => zstdCluster(pool, frame, 65536)));
      results.forEach((result, i) => assert.deepEqual(result, clusters[i], `round ${round}, cluster ${i}`));
      for (const result of results) pool.release(result);
    }
    // Releasing a cluster the pool did not make changes nothing.
    pool.release(new Uint8Array(65536));
    const again = await zstdCluster(pool, frames[5] as Uint8Array, 65536);
    assert.deepEqual(again, clusters[5]);
  });
});

describe('createZstdWorkerPool()', () => {
  it('createZstdWorkerPool() does not hold the process open once its work is done, even unclosed', () => {
    const url = new URL('../../../../../src/deploy/decode/qcow2/_zstd-worker-pool.ts', import.meta.url).href;
    const script = `const { createZstdWorkerPool } = await import(${JSON.stringify(url)});
      const pool = createZstdWorkerPool({ idleMs: 60000 });
      console.log(await pool.decode(new Uint8Array([1, 2, 3, 4]), 65536));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'null');
  });
});
