import { createHash } from 'node:crypto';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { ChecksumType } from '../../contract/request/install-request.ts';
import type { ReadAt } from '../read-at.ts';

export interface DigestOptions {
  /** Bytes read at a time. @default 4194304 (4 MiB) */
  chunkBytes?: number;
  signal?: AbortSignal;
}

/**
 * The hex digest of every byte of `source`, read in order a chunk at a time (never the whole image in memory),
 * as `sha256sum` and friends print it.
 *
 * @throws what `source.readAt()` throws; BYOI_DEPLOY_CANCELLED once the signal fired
 *
 * @example
 * ```ts
 * await digestReadAt(file, 'sha256'); // "9f86d081884c7d65..."
 * ```
 */
export async function digestReadAt(source: ReadAt, algorithm: ChecksumType, options: DigestOptions = {}): Promise<string> {
  const chunkBytes = options.chunkBytes ?? 4 * 1024 * 1024;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) {
    throw new RangeError(`Cannot hash the image: chunkBytes is ${String(chunkBytes)}, expected a positive integer`);
  }
  const hash = createHash(algorithm);
  for (let offset = 0; offset < source.size; offset += chunkBytes) {
    if (options.signal?.aborted) throw new ByoiError('BYOI_DEPLOY_CANCELLED', {}, { cause: options.signal.reason });
    hash.update(await source.readAt(offset, Math.min(chunkBytes, source.size - offset)));
  }
  return hash.digest('hex');
}
