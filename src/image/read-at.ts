import { ByoiError } from '../contract/errors/byoi-error.ts';

/**
 * What every image reader sees: a size and positional reads. Buffer, file and HTTP-range versions exist;
 * the readers never know which one they have.
 *
 * `readAt` returns exactly `length` bytes or throws BYOI_IMAGE_TRUNCATED; it never returns fewer.
 */
export interface ReadAt {
  /** Size of the image in bytes. */
  readonly size: number;
  readAt(offset: number, length: number): Promise<Uint8Array>;
}

/** A ReadAt over bytes already in memory. */
export function bufferReadAt(bytes: Uint8Array): ReadAt {
  return {
    size: bytes.length,
    async readAt(offset: number, length: number): Promise<Uint8Array> {
      checkRange(this.size, offset, length, 'image');
      return bytes.subarray(offset, offset + length);
    },
  };
}

/**
 * Throws BYOI_IMAGE_TRUNCATED when [offset, offset+length) is not inside [0, size).
 * `structure` names what was being read, for the message.
 */
export function checkRange(size: number, offset: number, length: number, structure: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new ByoiError('BYOI_IMAGE_INVALID', { structure, reason: `offset ${offset} length ${length} is not a valid range` });
  }
  if (offset + length > size) {
    throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure, size, needed: offset + length });
  }
}

/** Reads up to `length` bytes at `offset`, fewer at the end of the image (for sniffing small images). */
export async function readAtMost(source: ReadAt, offset: number, length: number): Promise<Uint8Array> {
  const available = Math.max(0, Math.min(length, source.size - offset));
  if (available === 0) return new Uint8Array(0);
  return source.readAt(offset, available);
}
