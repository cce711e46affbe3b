import { constants, inflateRaw } from 'node:zlib';
import { decompressCluster } from '../../../image/qcow2/decompress-cluster.ts';
import { COMPRESSION_ZLIB } from '../../../image/qcow2/qcow2-layout.ts';

/** Output room past one cluster (see chunkSize below). */
const OUTPUT_SLACK = 1024;

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
    // stops at one cluster. chunkSize: one output buffer with room to spare after a cluster, so a cluster takes one
    // trip to the thread pool (plus zlib's end-of-stream flush): with exactly a cluster of room, zlib fills the
    // buffer and Node goes back to the pool once more to see whether anything follows.
    const options = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: clusterSize, chunkSize: clusterSize + OUTPUT_SLACK };
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
