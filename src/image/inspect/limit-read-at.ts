import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { ReadAt } from '../read-at.ts';

export interface LimitedReadAt {
  file: ReadAt;
  /** True for the errors this view threw because a read went past `readableBytes` (or that wrap one). */
  isPastLimit(error: unknown): boolean;
}

/**
 * A view of `file` whose reads past its first `readableBytes` bytes fail with an error the inspection recognises,
 * so that a check needing those bytes is reported as not made (yet) rather than as a problem of the image. The
 * deploy preflight uses it when a server without Range support lets it read only the head of the image.
 *
 * @example
 * ```ts
 * const { file: head, isPastLimit } = limitReadAt(file, 8 * 1024 * 1024);
 * await head.readAt(0, 512); // read
 * await head.readAt(file.size - 512, 512).catch(isPastLimit); // true
 * ```
 */
export function limitReadAt(file: ReadAt, readableBytes: number): LimitedReadAt {
  const thrown = new WeakSet<object>();
  return {
    file: {
      size: file.size,
      async readAt(offset: number, length: number): Promise<Uint8Array> {
        if (offset + length > readableBytes) {
          const error = new ByoiError('BYOI_DOWNLOAD_FAILED', {
            reason: `bytes ${offset} to ${offset + length} lie past the first ${readableBytes} bytes, which are all that can be read before the download`,
          });
          thrown.add(error);
          throw error;
        }
        return file.readAt(offset, length);
      },
    },
    isPastLimit(error: unknown): boolean {
      // A reader may wrap the error it got (analyzeBoot() names the partition): follow a few causes.
      let current: unknown = error;
      for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
        if (thrown.has(current)) return true;
        current = (current as { cause?: unknown }).cause;
      }
      return false;
    },
  };
}
