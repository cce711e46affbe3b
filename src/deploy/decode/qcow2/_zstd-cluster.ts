import { decompressCluster } from '../../../image/qcow2/decompress-cluster.ts';
import { singleZstdFrameLength } from '../../../image/qcow2/decompress-zstd-cluster.ts';
import { COMPRESSION_ZSTD } from '../../../image/qcow2/qcow2-layout.ts';
import type { ZstdWorkerPool } from './_zstd-worker-pool.ts';

/**
 * Decompresses one zstd-compressed cluster on the pool's worker threads, so that decoding runs beside the download
 * and the rest of the decoding instead of on their thread.
 *
 * Same rules as decompressCluster(): the worker only takes the common case, one frame that gives its size as one
 * cluster (qemu writes exactly that), and only its result of exactly one cluster is used; anything else (several
 * frames, a bad header, a frame that does not decode, a worker gone) is decoded here by decompressCluster(), which
 * gives the canonical BYOI_IMAGE_INVALID reason. `data` must not change until the promise settles.
 */
export async function zstdCluster(pool: ZstdWorkerPool, data: Uint8Array, clusterSize: number): Promise<Uint8Array> {
  let frameLength: number | null = null;
  try {
    frameLength = singleZstdFrameLength(data, clusterSize);
  } catch {
    // decompressCluster() below throws the same refusal.
  }
  if (frameLength !== null) {
    const cluster = await pool.decode(data.subarray(0, frameLength), clusterSize);
    if (cluster !== null) return cluster;
  }
  return decompressCluster(data, COMPRESSION_ZSTD, clusterSize);
}
