import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from '../source/download-events.ts';

/**
 * The download's running digest: every delivered byte goes through `update()` once, in order. Two kinds exist:
 * `createInlineHash()` hashes on the calling thread, `createWorkerHash()` on a worker thread.
 */
export interface RunningHash {
  /**
   * Adds `bytes`. They are hashed or copied before the promise is made, so the caller may hand them on at once;
   * await it: the worker kind waits there when it is behind (backpressure).
   */
  update(bytes: Uint8Array): Promise<void>;
  /** The digest of every byte given so far, as `Hash.copy().digest()`; the hash goes on. */
  checkpoint(): Promise<Uint8Array>;
  /** The final digest in lowercase hex; the hash cannot be used afterwards. */
  digest(): Promise<string>;
  /** Releases what the hash holds (the worker). Safe at any time and more than once; pending calls reject. */
  close(): void;
}

/**
 * A RunningHash on the calling thread (node:crypto): for small images, where starting a worker costs more than
 * the hashing.
 *
 * @example
 * ```ts
 * const hash = createInlineHash('sha256');
 * await hash.update(new Uint8Array([1, 2, 3]));
 * await hash.digest(); // '039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81'
 * ```
 */
export function createInlineHash(algorithm: DigestAlgorithm): RunningHash {
  const hash = createHash(algorithm);
  return {
    update(bytes) {
      hash.update(bytes);
      return Promise.resolve();
    },
    checkpoint: () => Promise.resolve(new Uint8Array(hash.copy().digest())),
    digest: () => Promise.resolve(hash.digest('hex')),
    close() {},
  };
}
