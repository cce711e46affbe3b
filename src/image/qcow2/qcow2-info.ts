import type { Qcow2Info } from '../inspect-result.ts';
import { COMPRESSION_ZSTD, CRYPT_NONE } from './qcow2-layout.ts';
import type { Qcow2Header } from './read-qcow2-header.ts';

/**
 * The qcow2 facts `byoi inspect` prints, from a header readQcow2Header() accepted.
 *
 * `compressionType` says "deflate" where qemu-img says "zlib": qcow2 stores raw deflate streams, without zlib's
 * header. `externalDataFile` is the name from the header extension, "" when the feature bit is set without one
 * (qemu then needs the name on its command line), and null without the feature.
 *
 * @example
 * ```ts
 * qcow2Info(await readQcow2Header(source));
 * // { version: 3, clusterSize: 65536, compressionType: 'deflate', backingFile: null, ... }
 * ```
 */
export function qcow2Info(header: Qcow2Header): Qcow2Info {
  return {
    version: header.version,
    clusterSize: header.clusterSize,
    compressionType: header.compressionType === COMPRESSION_ZSTD ? 'zstd' : 'deflate',
    backingFile: header.backingFile,
    externalDataFile: header.externalDataFile ? (header.extensions.dataFile ?? '') : null,
    encrypted: header.cryptMethod !== CRYPT_NONE,
    extendedL2: header.extendedL2,
    dirty: header.dirty,
    corrupt: header.corrupt,
  };
}
