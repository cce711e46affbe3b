import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { deflateRawSync, deflateSync } from 'node:zlib';
import { test } from 'node:test';
import { decompressCluster } from '../../../../src/image/qcow2/decompress-cluster.ts';
import { decompressZstdCluster, singleZstdFrameLength } from '../../../../src/image/qcow2/decompress-zstd-cluster.ts';
import { needTools } from '../../../helpers/tools.ts';

function sample(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * seed + (i >> 7)) & 0xff;
  return out;
}

/** A zstd frame made by the zstd tool. */
function zstd(data: Uint8Array, ...options: string[]): Uint8Array {
  // From a pipe, zstd writes no Frame_Content_Size unless told the size, which qemu always writes.
  const size = options.includes('--no-content-size') ? [] : [`--stream-size=${data.length}`];
  return new Uint8Array(execFileSync('zstd', ['-c', '-q', ...size, ...options], { input: data }));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

test('decompressCluster() inflates raw deflate and ignores what follows the stream', () => {
  const cluster = sample(65536, 7);
  const stream = deflateRawSync(cluster);
  assert.deepEqual(decompressCluster(concat(stream, sample(300, 3)), 0, 65536), cluster);
});

test('decompressCluster() refuses zlib-wrapped data, short streams and long streams', () => {
  const cluster = sample(4096, 5);
  assert.throws(() => decompressCluster(deflateSync(cluster), 0, 4096), { code: 'BYOI_IMAGE_INVALID' });
  assert.throws(() => decompressCluster(deflateRawSync(cluster.subarray(0, 4000)), 0, 4096), { code: 'BYOI_IMAGE_INVALID', message: /inflates to 4000 bytes, not 4096/ });
  assert.throws(() => decompressCluster(deflateRawSync(concat(cluster, cluster)), 0, 4096), { code: 'BYOI_IMAGE_INVALID', message: /more than 4096/ });
  assert.throws(() => decompressCluster(deflateRawSync(cluster), 2, 4096), { code: 'BYOI_IMAGE_INVALID' });
});

test('decompressZstdCluster() decodes frames one after the other until the cluster is full, as qemu does', (t) => {
  if (!needTools(t, 'zstd')) return;
  const cluster = sample(65536, 11);
  const first = zstd(cluster.subarray(0, 20000));
  const second = zstd(cluster.subarray(20000), '--no-content-size', '--no-check');
  // A skippable frame between them, and garbage after the cluster is complete.
  const skippable = new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
  assert.deepEqual(decompressZstdCluster(concat(first, skippable, second, sample(100, 13)), 65536), cluster);
  assert.deepEqual(decompressCluster(concat(first, second), 1, 65536), cluster);
});

test('decompressZstdCluster() refuses frames that overshoot, data that ends early, and no frame at all', (t) => {
  if (!needTools(t, 'zstd')) return;
  const cluster = sample(65536, 17);
  assert.throws(() => decompressZstdCluster(zstd(concat(cluster, cluster)), 65536), { code: 'BYOI_IMAGE_INVALID', message: /more than/ });
  assert.throws(() => decompressZstdCluster(zstd(concat(cluster, cluster), '--no-content-size'), 65536), { code: 'BYOI_IMAGE_INVALID', message: /more than/ });
  assert.throws(() => decompressZstdCluster(zstd(cluster.subarray(0, 1000)), 65536), { code: 'BYOI_IMAGE_INVALID', message: /ends after 1000/ });
  assert.throws(() => decompressZstdCluster(zstd(cluster).subarray(0, 50), 65536), { code: 'BYOI_IMAGE_INVALID', message: /cut short/ });
  assert.throws(() => decompressZstdCluster(sample(512, 3), 65536), { code: 'BYOI_IMAGE_INVALID', message: /no zstd frame/ });
  assert.throws(() => decompressZstdCluster(new Uint8Array(0), 65536), { code: 'BYOI_IMAGE_INVALID' });
});

test('singleZstdFrameLength() gives the length of a lone frame of one cluster, else null', (t) => {
  if (!needTools(t, 'zstd')) return;
  const cluster = sample(65536, 19);
  const frame = zstd(cluster);
  assert.equal(singleZstdFrameLength(concat(frame, sample(200, 5)), 65536), frame.length);
  // No content size, a frame of part of the cluster, a skippable frame first, no frame: not the lone-frame case.
  assert.equal(singleZstdFrameLength(zstd(cluster, '--no-content-size'), 65536), null);
  assert.equal(singleZstdFrameLength(zstd(cluster.subarray(0, 30000)), 65536), null);
  assert.equal(singleZstdFrameLength(concat(new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]), frame), 65536), null);
  assert.equal(singleZstdFrameLength(sample(512, 3), 65536), null);
  assert.equal(singleZstdFrameLength(new Uint8Array(2), 65536), null);
  // A header decompressZstdCluster() refuses is refused here too.
  assert.throws(() => singleZstdFrameLength(frame.subarray(0, 50), 65536), { code: 'BYOI_IMAGE_INVALID', message: /cut short/ });
});
