import assert from 'node:assert/strict';
import { deflateRawSync, deflateSync } from 'node:zlib';
import { test } from 'node:test';
import { decompressCluster } from '../../../../src/image/qcow2/decompress-cluster.ts';
import { decompressZstdCluster, singleZstdFrameLength } from '../../../../src/image/qcow2/decompress-zstd-cluster.ts';
import { needTools } from '../../../helpers/tools.ts';
import { concatBytes, sampleBytes, zstdCompress } from '../../../fixtures/zstd-fixtures.ts';

test('decompressCluster() inflates raw deflate and ignores what follows the stream', () => {
  const cluster = sampleBytes(65536, 7);
  const stream = deflateRawSync(cluster);
  assert.deepEqual(decompressCluster(concatBytes(stream, sampleBytes(300, 3)), 0, 65536), cluster);
});

test('decompressCluster() refuses zlib-wrapped data, short streams and long streams', () => {
  const cluster = sampleBytes(4096, 5);
  assert.throws(() => decompressCluster(deflateSync(cluster), 0, 4096), { code: 'BYOI_IMAGE_INVALID' });
  assert.throws(() => decompressCluster(deflateRawSync(cluster.subarray(0, 4000)), 0, 4096), { code: 'BYOI_IMAGE_INVALID', message: /inflates to 4000 bytes, not 4096/ });
  assert.throws(() => decompressCluster(deflateRawSync(concatBytes(cluster, cluster)), 0, 4096), { code: 'BYOI_IMAGE_INVALID', message: /more than 4096/ });
  assert.throws(() => decompressCluster(deflateRawSync(cluster), 2, 4096), { code: 'BYOI_IMAGE_INVALID' });
});

test('decompressZstdCluster() decodes frames one after the other until the cluster is full, as qemu does', (t) => {
  if (!needTools(t, 'zstd')) return;
  const cluster = sampleBytes(65536, 11);
  const first = zstdCompress(cluster.subarray(0, 20000));
  const second = zstdCompress(cluster.subarray(20000), '--no-content-size', '--no-check');
  // A skippable frame between them, and garbage after the cluster is complete.
  const skippable = new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
  assert.deepEqual(decompressZstdCluster(concatBytes(first, skippable, second, sampleBytes(100, 13)), 65536), cluster);
  assert.deepEqual(decompressCluster(concatBytes(first, second), 1, 65536), cluster);
});

test('decompressZstdCluster() refuses frames that overshoot, data that ends early, and no frame at all', (t) => {
  if (!needTools(t, 'zstd')) return;
  const cluster = sampleBytes(65536, 17);
  assert.throws(() => decompressZstdCluster(zstdCompress(concatBytes(cluster, cluster)), 65536), { code: 'BYOI_IMAGE_INVALID', message: /more than/ });
  assert.throws(() => decompressZstdCluster(zstdCompress(concatBytes(cluster, cluster), '--no-content-size'), 65536), { code: 'BYOI_IMAGE_INVALID', message: /more than/ });
  assert.throws(() => decompressZstdCluster(zstdCompress(cluster.subarray(0, 1000)), 65536), { code: 'BYOI_IMAGE_INVALID', message: /ends after 1000/ });
  assert.throws(() => decompressZstdCluster(zstdCompress(cluster).subarray(0, 50), 65536), { code: 'BYOI_IMAGE_INVALID', message: /cut short/ });
  assert.throws(() => decompressZstdCluster(sampleBytes(512, 3), 65536), { code: 'BYOI_IMAGE_INVALID', message: /no zstd frame/ });
  assert.throws(() => decompressZstdCluster(new Uint8Array(0), 65536), { code: 'BYOI_IMAGE_INVALID' });
});

test('singleZstdFrameLength() gives the length of a lone frame of one cluster, else null', (t) => {
  if (!needTools(t, 'zstd')) return;
  const cluster = sampleBytes(65536, 19);
  const frame = zstdCompress(cluster);
  assert.equal(singleZstdFrameLength(concatBytes(frame, sampleBytes(200, 5)), 65536), frame.length);
  // No content size, a frame of part of the cluster, a skippable frame first, no frame: not the lone-frame case.
  assert.equal(singleZstdFrameLength(zstdCompress(cluster, '--no-content-size'), 65536), null);
  assert.equal(singleZstdFrameLength(zstdCompress(cluster.subarray(0, 30000)), 65536), null);
  assert.equal(singleZstdFrameLength(concatBytes(new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]), frame), 65536), null);
  assert.equal(singleZstdFrameLength(sampleBytes(512, 3), 65536), null);
  assert.equal(singleZstdFrameLength(new Uint8Array(2), 65536), null);
  // A header decompressZstdCluster() refuses is refused here too.
  assert.throws(() => singleZstdFrameLength(frame.subarray(0, 50), 65536), { code: 'BYOI_IMAGE_INVALID', message: /cut short/ });
});
