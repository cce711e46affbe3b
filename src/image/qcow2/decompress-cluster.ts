import { constants, inflateRawSync } from 'node:zlib';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { decompressZstdCluster } from './decompress-zstd-cluster.ts';
import { COMPRESSION_ZLIB, COMPRESSION_ZSTD } from './qcow2-layout.ts';

const structure = 'qcow2 compressed cluster';

function invalid(reason: string): ByoiError {
  return new ByoiError('BYOI_IMAGE_INVALID', { structure, reason });
}

/**
 * Decompresses one compressed qcow2 cluster into exactly `clusterSize` bytes.
 *
 * compression_type 0 is a raw deflate stream (no zlib header), as qemu writes it. As in qemu's qcow2_decompress(),
 * decompression stops when a cluster is produced: bytes after the end of the stream are ignored (they may belong
 * to the next compressed cluster), a stream that ends early is an error. byoi is stricter in one case: a stream
 * that would produce more than a cluster is refused (qemu truncates it); qemu never writes one.
 * compression_type 1 is zstd; see decompressZstdCluster().
 *
 * @param data the bytes the descriptor points at: (additional sectors + 1) × 512, less the offset in the first
 *   sector, cut at the end of the file
 * @throws BYOI_IMAGE_INVALID when the data does not decompress to exactly one cluster
 *
 * @example
 * ```ts
 * const cluster = decompressCluster(deflateRawSync(Buffer.alloc(65536)), 0, 65536);
 * cluster.length; // 65536
 * ```
 */
export function decompressCluster(data: Uint8Array, compressionType: number, clusterSize: number): Uint8Array {
  if (compressionType === COMPRESSION_ZSTD) return decompressZstdCluster(data, clusterSize);
  if (compressionType !== COMPRESSION_ZLIB) throw invalid(`compression type ${compressionType} is unknown`);
  let out: Uint8Array;
  try {
    // Z_SYNC_FLUSH: return what a cut-short stream produced instead of throwing, so the length check below names
    // the problem; maxOutputLength keeps a hostile stream from inflating past one cluster.
    out = inflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: clusterSize });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw invalid(`deflate data inflates to more than ${clusterSize} bytes`);
    throw invalid(`deflate data does not inflate (${error instanceof Error ? error.message : String(error)})`);
  }
  if (out.length !== clusterSize) throw invalid(`deflate data inflates to ${out.length} bytes, not ${clusterSize}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.length); // a plain Uint8Array, not node's Buffer
}
