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
  /**
   * A buffer of the hash's batch size to gather the next bytes in, then give back with `hashLent()`: those bytes
   * are hashed without another copy (the worker kind transfers the buffer to its thread). Waits while the worker
   * is behind (backpressure). A caller holds at most one lent buffer at a time.
   */
  lend(): Promise<Uint8Array>;
  /**
   * Adds the first `length` bytes of a buffer from `lend()`, after everything given before; the buffer is the
   * hash's again and must not be used afterwards.
   */
  hashLent(buffer: Uint8Array, length: number): void;
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
export function createInlineHash(algorithm: DigestAlgorithm, options: { batchBytes?: number } = {}): RunningHash {
  const hash = createHash(algorithm);
  const batchBytes = options.batchBytes ?? 1024 * 1024;
  // Hashed as soon as it is given back, so one buffer serves every loan.
  let spare: Uint8Array | null = null;
  return {
    update(bytes) {
      hash.update(bytes);
      return Promise.resolve();
    },
    lend() {
      spare ??= new Uint8Array(batchBytes);
      return Promise.resolve(spare);
    },
    hashLent(buffer, length) {
      hash.update(buffer.subarray(0, length));
    },
    checkpoint: () => Promise.resolve(new Uint8Array(hash.copy().digest())),
    digest: () => Promise.resolve(hash.digest('hex')),
    close() {},
  };
}
