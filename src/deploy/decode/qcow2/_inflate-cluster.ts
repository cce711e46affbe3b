import { constants, inflateRaw } from 'node:zlib';
import { decompressCluster } from '../../../image/qcow2/decompress-cluster.ts';
import { COMPRESSION_ZLIB } from '../../../image/qcow2/qcow2-layout.ts';

/**
 * Inflates one deflate-compressed cluster on libuv's thread pool, so that decompression runs beside the download,
 * the hashing and the decoding on the JavaScript thread (qemu also decompresses on worker threads).
 *
 * Same rules as decompressCluster() (raw deflate, stop at one cluster, refuse more or less): the fast path only
 * takes a stream that inflates to exactly one cluster; anything else goes to decompressCluster(), which gives the
 * canonical BYOI_IMAGE_INVALID reason. `data` must not change until the promise settles.
 */
export function inflateCluster(data: Uint8Array, clusterSize: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // Z_SYNC_FLUSH and maxOutputLength as in decompressCluster(): a cut stream returns what it made, a hostile one
    // stops at one cluster. chunkSize: one output buffer of a cluster, so one trip to the thread pool per cluster
    // instead of one per 16 KiB (the default), which costs the JavaScript thread about 20 % more.
    const options = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: clusterSize, chunkSize: Math.max(clusterSize, 64) };
    inflateRaw(data, options, (error, out) => {
      if (error === null && out.length === clusterSize) {
        resolve(new Uint8Array(out.buffer, out.byteOffset, out.length));
        return;
      }
      try {
        resolve(decompressCluster(data, COMPRESSION_ZLIB, clusterSize));
      } catch (canonical) {
        reject(canonical);
      }
    });
  });
}
